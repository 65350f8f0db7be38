"""Figures 8 and 11 of Tonni et al., whose layouts differ from the one-panel-per-dataset figures.

Figure 8 draws MIA accuracy against one model parameter per column (nodes per layer, learning
rate, L2 ratio), one line per depth, and a row per dataset and attack line (the faithful and
paper-stated Shokri attack, the best metric attack, the oracle bound), then the faithful attack's
ROC AUC. Configurations whose target test accuracy falls below ``prune_ratio`` times the default
model's are pruned (docs/account.md S4 reads the paper's "accuracy < 0.9" as relative): drawn as
grey crosses, left off the lines and listed in a side table. Figure 11 has one panel per
fairness measure, a row per dataset, one line per attack line.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from miarep.report import style
from miarep.report.figures import binned, draw_mean_ci, save, summarise

DEPTH_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


@dataclass(frozen=True)
class Sweep:
    """One column of Figure 8: the study that varies ``x``, and how to draw its axis."""

    study: str
    x: str
    xlabel: str
    xscale: str


FIGURE_8_SWEEPS = (
    Sweep("figure_8_units", "hidden_units", "Nodes per hidden layer", "log"),
    Sweep("figure_8_learning_rate", "learning_rate", "Learning rate alpha", "log"),
    Sweep("figure_8_l2", "l2", "L2 ratio lambda", "symlog"),
)
CONFIG_COLUMNS = ["hidden_layers", "hidden_units", "learning_rate", "l2"]
#: what Figure 8 draws, a row each per dataset: result column -> axis label
FIGURE_8_ROWS = {
    style.column(line, style.BALANCED): f"balanced MIA accuracy\n{label}"
    for line, (_, label) in style.LINES.items()
} | {style.column("shokri", style.AUC): "ROC AUC\nShokri, faithful"}


def default_test_accuracy(frames: list[pd.DataFrame], default: Mapping) -> float:
    """Mean test accuracy of the default model over every sweep that contains it (NaN if none)."""
    rows = pd.concat(frames, ignore_index=True)
    chosen = np.ones(len(rows), bool)
    for column in CONFIG_COLUMNS:
        chosen &= np.isclose(rows[column].to_numpy(float), float(default[column]))
    return float(rows.loc[chosen, "test_accuracy"].mean()) if chosen.any() else float("nan")


def prune(frame: pd.DataFrame, sweep: Sweep, default_accuracy: float, ratio: float) -> pd.DataFrame:
    """Per configuration (depth, swept value): mean test accuracy, and whether it is pruned."""
    configs = (
        frame.groupby(["hidden_layers", sweep.x])["test_accuracy"]
        .mean()
        .rename("mean_test_accuracy")
        .reset_index()
        .rename(columns={sweep.x: "value"})
    )
    configs.insert(0, "sweep", sweep.x)
    configs["threshold"] = ratio * default_accuracy
    configs["pruned"] = configs["mean_test_accuracy"] < configs["threshold"]
    return configs


def render_figure_8(
    results: Mapping[str, Mapping[str, pd.DataFrame]],
    default: Mapping,
    prune_ratio: float,
    pdf: str | Path,
    png: str | Path,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``results[study][dataset]``; returns (plotted summary, configuration table with pruning).

    Rows per dataset: each line's balanced MIA accuracy (the paper's quantity, on a chance-0.5
    set), then the faithful attack's ROC AUC, which shows leakage even where no threshold does.
    """
    style.apply()
    datasets = [d for d in style.DATASET_ORDER if any(d in r for r in results.values())]
    rows = [(dataset, metric) for dataset in datasets for metric in FIGURE_8_ROWS]
    fig, axes = plt.subplots(
        len(rows), len(FIGURE_8_SWEEPS), figsize=(12, 2.8 * len(rows)), squeeze=False
    )
    configs: dict[tuple[str, str], pd.DataFrame] = {}
    for dataset in datasets:
        frames = [r[dataset] for r in results.values() if dataset in r]
        reference = default_test_accuracy(frames, default)
        for sweep in FIGURE_8_SWEEPS:
            frame = results.get(sweep.study, {}).get(dataset)
            if frame is not None:
                table = prune(frame, sweep, reference, prune_ratio)
                table.insert(0, "dataset", dataset)
                configs[dataset, sweep.x] = table
    summaries = []
    for row, (dataset, metric) in enumerate(rows):
        for column, sweep in enumerate(FIGURE_8_SWEEPS):
            ax = axes[row][column]
            frame = results.get(sweep.study, {}).get(dataset)
            if frame is None:
                ax.set_visible(False)
                continue
            table = configs[dataset, sweep.x]
            for depth, group in frame.groupby("hidden_layers"):
                pruned = table.loc[(table["hidden_layers"] == depth) & table["pruned"], "value"]
                summary = summarise(group, sweep.x, metric)
                summary["pruned"] = summary[sweep.x].isin(pruned.to_numpy())
                kept = summary[~summary["pruned"]]
                colour = DEPTH_COLOURS[(int(depth) - 1) % len(DEPTH_COLOURS)]
                label = f"{int(depth)} hidden layer{'s' if depth > 1 else ''}"
                draw_mean_ci(ax, kept, sweep.x, colour, label)
                dropped = summary[summary["pruned"]]
                ax.plot(dropped[sweep.x], dropped["mean"], "x", color="0.6", ms=5)
                summaries.append(
                    summary.assign(
                        dataset=dataset, metric=metric, sweep=sweep.x, hidden_layers=int(depth)
                    )
                )
            ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
            if sweep.xscale == "symlog":  # linear near 0, so that lambda = 0 has a place
                ax.set_xscale("symlog", linthresh=1e-3)
                ax.set_xlim(left=-2e-4)
            else:
                ax.set_xscale(sweep.xscale)
            ax.set_xlabel(sweep.xlabel)
            ax.set_ylabel(FIGURE_8_ROWS[metric], fontsize=7.5)
            ax.set_ylim(*((0.4, 0.8) if metric.endswith(style.AUC) else (0.3, 1.0)))
            ax.set_title(f"{style.DATASET_TITLES[dataset]} ({'i' * (column + 1)})")
    axes[0][0].legend(loc="upper left", frameon=False)
    fig.suptitle(
        "Figure 8: Effect of the model's size, learning rate and L2 ratio on MIA accuracy "
        "(grey crosses: pruned configurations)",
        fontsize=10,
    )
    save(fig, pdf, png)
    return pd.concat(summaries, ignore_index=True), pd.concat(configs.values(), ignore_index=True)


FAIRNESS = {
    "delta_g": "(a) Group fairness delta_g",
    "delta_p": "(b) Predictive fairness delta_p",
    "delta_i": "(c) Individual fairness delta_i",
}


def render_figure_11(
    tables: Mapping[str, pd.DataFrame], bins: int, pdf: str | Path, png: str | Path
) -> pd.DataFrame:
    """Balanced MIA accuracy (mean, 95% CI) per quantile bin of each fairness measure: a panel
    per measure and dataset, a line per attack line."""
    style.apply()
    datasets = [d for d in style.DATASET_ORDER if d in tables]
    fig, axes = plt.subplots(
        len(datasets), len(FAIRNESS), figsize=(12, 3.6 * len(datasets)), squeeze=False
    )
    summaries = []
    for row, dataset in enumerate(datasets):
        for ax, (measure, title) in zip(axes[row], FAIRNESS.items(), strict=True):
            frame = binned(tables[dataset], measure, bins)
            for line, (colour, label) in style.LINES.items():
                summary = summarise(frame, measure, style.column(line, style.BALANCED))
                draw_mean_ci(ax, summary, measure, colour, label)
                summaries.append(
                    summary.rename(columns={measure: "x"}).assign(
                        dataset=dataset, measure=measure, line=line
                    )
                )
            ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
            ax.set_title(f"{style.DATASET_TITLES[dataset]}: {title}", fontsize=9)
            ax.set_xlabel(f"{measure} (bin centre)")
            ax.set_ylabel("MIA accuracy (balanced)")
            ax.set_ylim(0.3, 1.0)
    axes[0][0].legend(loc="upper right", frameon=False)
    fig.suptitle("Figure 11: Effect of the model's fairness on MIA accuracy", fontsize=10)
    save(fig, pdf, png)
    return pd.concat(summaries, ignore_index=True)
