"""Figures 2-7, 9 and 10 of Tonni et al. from result tables only (a figure rule never trains).

Each figure has one column per enabled dataset, in the paper's order (Purchase, Texas, Adult), and
draws four lines per point (:data:`miarep.report.style.LINES`): the faithful and the
paper-stated Shokri attack, the best metric attack and the oracle bound. Figures 2, 3, 6, 7, 9
and 10 show means with 95% t intervals (7, 9 and 10 over quantile bins of a measured property) in
three rows: balanced MIA accuracy (chance 0.5), ROC AUC, and accuracy under the paper's protocol
(75% members) beside what a blind attack calling the same share "member" scores there (dashed,
docs/account.md E2). Figures 4 and 5 show one dot per experiment, as in the paper, a column per
line. Figures 8 and 11 have layouts of their own (:mod:`miarep.report.model_figures`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from miarep.core.io import read_parquet
from miarep.measures.metrics import mean_ci
from miarep.report import style


@dataclass(frozen=True)
class FigureSpec:
    """What one figure draws: which studies, which column on x, how, with which labels."""

    number: int
    studies: tuple[str, ...]
    x: str
    kind: str  # "mean_ci", "scatter" or "binned"
    xlabel: str
    title: str
    bins: int = 10


FIGURES: dict[int, FigureSpec] = {
    2: FigureSpec(
        2,
        ("figure_2",),
        "shadow_size",
        "mean_ci",
        "Shadow dataset size",
        "Effect of the shadow dataset size on MIA accuracy",
    ),
    3: FigureSpec(
        3,
        ("figure_3",),
        "target_size",
        "mean_ci",
        "Target dataset size",
        "Effect of the target dataset size on MIA accuracy",
    ),
    4: FigureSpec(
        4,
        ("figure_4",),
        "class_balance",
        "scatter",
        "Class balance (% of the minority class; 50 = balanced)",
        "Effect of the balance in classes on MIA accuracy",
    ),
    5: FigureSpec(
        5,
        ("figure_5",),
        "feature_balance",
        "scatter",
        "Feature balance (% of records with the top-5 feature combination c*)",
        "Effects of the balance in the features on MIA accuracy",
    ),
    6: FigureSpec(
        6,
        ("figure_6",),
        "n_features",
        "mean_ci",
        "Number of features",
        "Effect of the number of features on MIA accuracy",
    ),
    7: FigureSpec(
        7,
        ("figure_4", "figure_5"),
        "achieved_train_entropy",
        "binned",
        "Dataset entropy H_D (bits, mean over features)",
        "Effect of the dataset entropy on MIA accuracy",
    ),
    9: FigureSpec(
        9,
        ("figure_9",),
        "mutual_information",
        "binned",
        "I(X; theta) (bits, quantile-bin centre)",
        "Effect of the mutual information between records and model parameters on MIA accuracy",
    ),
    10: FigureSpec(
        10,
        ("figure_10",),
        "delta_mi",
        "binned",
        "delta_mi(f) (quantile-bin centre)",
        "Effect of the deviation from MIA-indistinguishability on MIA accuracy",
    ),
}


def load_results(paths: Mapping[str, list[str]]) -> dict[str, pd.DataFrame]:
    """Result tables per dataset (several studies of one dataset are stacked)."""
    return {
        d: pd.concat([read_parquet(p) for p in ps], ignore_index=True) for d, ps in paths.items()
    }


def summarise(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Mean, 95% CI half-width and count of ``y`` per value of ``x``."""
    rows = []
    for value, group in frame.groupby(x, sort=True):
        mean, half = mean_ci(group[y].to_numpy())
        rows.append({x: value, "mean": mean, "ci": half, "n": int(group[y].notna().sum())})
    return pd.DataFrame(rows)


def binned(frame: pd.DataFrame, x: str, bins: int) -> pd.DataFrame:
    """``frame`` with ``x`` replaced by the centre of its quantile bin."""
    values = frame[x].to_numpy(dtype=float)
    edges = np.unique(np.quantile(values[~np.isnan(values)], np.linspace(0, 1, bins + 1)))
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    centres = (edges[:-1] + edges[1:]) / 2
    out = frame.copy()
    out[x] = centres[index]
    return out


def render(
    spec: FigureSpec, tables: Mapping[str, pd.DataFrame], pdf: str | Path, png: str | Path
) -> pd.DataFrame:
    """Draw the figure; return the plotted summary (also what a caption or test checks):
    a row per dataset, line, metric and x value (metric ``blind`` is the dashed reference)."""
    style.apply()
    datasets = [d for d in style.DATASET_ORDER if d in tables]
    if spec.kind == "scatter":
        fig, summaries = _scatter_panels(spec, tables, datasets)
    else:
        fig, summaries = _line_panels(spec, tables, datasets)
    fig.suptitle(f"Figure {spec.number}: {spec.title}", fontsize=10)
    save(fig, pdf, png)
    return pd.concat(summaries, ignore_index=True)


def with_blind(frame: pd.DataFrame, line: str) -> pd.DataFrame:
    """``frame`` with ``<line>_blind``: the paper-protocol score of a blind attack calling the
    same share of records "member" (per experiment, at its member rate)."""
    return frame.assign(**{f"{line}_blind": style.blind_of(frame, line)})


def _line_panels(spec: FigureSpec, tables, datasets):
    metrics = [style.BALANCED, style.AUC, style.PAPER]
    fig, axes = plt.subplots(
        len(metrics), len(datasets), figsize=(max(4.6 * len(datasets), 5.5), 8.4), squeeze=False
    )
    summaries = []
    for col, dataset in enumerate(datasets):
        frame = tables[dataset]
        if spec.kind == "binned":
            frame = binned(frame, spec.x, spec.bins)
        for row, metric in enumerate(metrics):
            ax = axes[row][col]
            for line, (colour, label) in style.LINES.items():
                summary = summarise(frame, spec.x, style.column(line, metric))
                draw_mean_ci(ax, summary, spec.x, colour, label)
                summaries.append(summary.assign(dataset=dataset, line=line, metric=metric))
                if metric == style.PAPER:
                    reference = summarise(with_blind(frame, line), spec.x, f"{line}_blind")
                    ax.plot(reference[spec.x], reference["mean"], ls="--", lw=0.9, color=colour)
                    summaries.append(reference.assign(dataset=dataset, line=line, metric="blind"))
            ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
            ax.set_title(f"{style.DATASET_TITLES[dataset]}: {style.METRIC_LABELS[metric]}")
            ax.set_xlabel(spec.xlabel)
            ax.set_ylabel(style.METRIC_LABELS[metric])
            ax.set_ylim(*((0.4, 0.8) if metric == style.AUC else (0.3, 1.0)))
    axes[0][0].legend(loc="upper left", frameon=False)
    axes[-1][0].text(
        0.01,
        0.02,
        "dashed: a blind attack calling the same share 'member'",
        transform=axes[-1][0].transAxes,
        fontsize=7,
        color="0.3",
    )
    return fig, summaries


def _scatter_panels(spec: FigureSpec, tables, datasets):
    metrics = [style.BALANCED, style.PAPER]
    rows = [(dataset, metric) for dataset in datasets for metric in metrics]
    fig, axes = plt.subplots(
        len(rows), len(style.LINES), figsize=(14, 3.0 * len(rows)), squeeze=False
    )
    summaries = []
    for r, (dataset, metric) in enumerate(rows):
        frame = tables[dataset]
        for c, (line, (colour, label)) in enumerate(style.LINES.items()):
            ax = axes[r][c]
            name = style.column(line, metric)
            ax.scatter(frame[spec.x], frame[name], s=6, alpha=0.35, color=colour, linewidths=0)
            summary = summarise(frame, spec.x, name)
            ax.plot(summary[spec.x], summary["mean"], color="k", lw=0.9, label="mean")
            summaries.append(summary.assign(dataset=dataset, line=line, metric=metric))
            if metric == style.PAPER:
                reference = summarise(with_blind(frame, line), spec.x, f"{line}_blind")
                ax.plot(reference[spec.x], reference["mean"], ls="--", lw=0.9, color="0.3")
                summaries.append(reference.assign(dataset=dataset, line=line, metric="blind"))
            ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
            ax.set_title(f"{style.DATASET_TITLES[dataset]}: {label}", fontsize=8)
            ax.set_xlabel(spec.xlabel, fontsize=7)
            ax.set_ylabel(style.METRIC_LABELS[metric])
            ax.set_ylim(0.3, 1.0)
    axes[0][0].legend(loc="upper left", frameon=False)
    return fig, summaries


def draw_mean_ci(ax, summary: pd.DataFrame, x: str, colour: str, label: str) -> None:
    """One line of means with 95% CI bars, from a :func:`summarise` table."""
    ax.errorbar(
        summary[x],
        summary["mean"],
        yerr=summary["ci"].fillna(0),
        color=colour,
        marker="o",
        ms=3,
        capsize=2,
        lw=1.2,
        label=label,
    )


def save(fig, pdf: str | Path, png: str | Path) -> None:
    """Write a figure as PDF and PNG without timestamps (reruns give identical files)."""
    fig.tight_layout()
    for path in (pdf, png):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(pdf, metadata={"CreationDate": None, "ModDate": None}, bbox_inches="tight")
    fig.savefig(png, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
