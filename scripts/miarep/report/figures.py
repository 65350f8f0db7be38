"""Figures 2-7, 9 and 10 of Tonni et al. from result tables only (a figure rule never trains).

Each figure has one panel per enabled dataset, in the paper's order (Purchase, Texas, Adult), and
draws MIA accuracy under both evaluation protocols: the balanced one (chance 0.5) and the paper's
(75% members). Figures 2, 3, 6, 7, 9 and 10 show means with 95% t intervals (7, 9 and 10 over
quantile bins of a measured property); Figures 4 and 5 one dot per experiment, as in the paper.
Figures 8 and 11 have layouts of their own (:mod:`miarep.report.model_figures`).
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
    """Draw the figure; return the plotted summary (also what a caption or test checks)."""
    style.apply()
    datasets = [d for d in style.DATASET_ORDER if d in tables]
    width = max(4.0 * len(datasets), 5.5)
    fig, axes = plt.subplots(1, len(datasets), figsize=(width, 3.6), squeeze=False)
    summaries = []
    for ax, dataset in zip(axes[0], datasets, strict=True):
        frame = tables[dataset]
        if spec.kind == "binned":
            frame = binned(frame, spec.x, spec.bins)
        for column, (colour, label) in style.PROTOCOLS.items():
            if spec.kind == "scatter":
                ax.scatter(
                    frame[spec.x],
                    frame[column],
                    s=6,
                    alpha=0.35,
                    color=colour,
                    label=label,
                    linewidths=0,
                )
                summary = summarise(frame, spec.x, column)
            else:
                summary = summarise(frame, spec.x, column)
                draw_mean_ci(ax, summary, spec.x, colour, label)
            summaries.append(summary.assign(dataset=dataset, metric=column))
        ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
        ax.set_title(style.DATASET_TITLES[dataset])
        ax.set_xlabel(spec.xlabel)
        ax.set_ylabel("MIA accuracy")
        ax.set_ylim(0.3, 1.0)
    axes[0][0].legend(loc="upper right", frameon=False)
    fig.suptitle(f"Figure {spec.number}: {spec.title}", fontsize=10)
    save(fig, pdf, png)
    return pd.concat(summaries, ignore_index=True)


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
