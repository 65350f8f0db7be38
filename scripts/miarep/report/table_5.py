"""Table 5 of Tonni et al.: Algorithm 1's regularizers against no defense, L1, L2 and early
stopping, on two targets, with the privacy-utility figure and r's trajectories (account R).

Every cell is "ours ± CI (paper)". The paper gives one row per regularizer; ours shows the grid's
table lambda there (``lambdas``), and the whole grid in the long CSV. Early stopping is seed 004's
fair comparison: the undefended model's checkpoint (one of the study's ``epochs`` values) whose
mean test accuracy is nearest the defended model's, attacked like it.
"""

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from miarep.measures.metrics import mean_ci
from miarep.report import style
from miarep.report.figures import save
from miarep.report.tables import line_summaries, percent_summary, plus_minus

#: defense name -> the paper's row label; the last three are not in the paper
REGULARIZERS = {
    "none": "None",
    "l1": "L1",
    "l2": "L2",
    "delta_g": "delta_g",
    "delta_p": "delta_p",
    "delta_i": "delta_i",
    "I_X": "I_X",
    "delta_p_squared": "delta_p, Texas variant (lambda r sum W^2)",
    "soft_delta_g": "soft delta_g output penalty (beyond the paper)",
    "soft_delta_p": "soft delta_p output penalty (beyond the paper)",
}
ALGORITHM_1 = ("delta_g", "delta_p", "delta_i", "I_X", "delta_p_squared")
#: the attack the privacy-utility figure and the early-stopping match report: the strongest one
#: an attacker can choose without the target's membership (on shadow accuracy)
STRONGEST = "metric_best"


def target_name(row: Mapping) -> str:
    """A target model's label: its depth x width and learning rate."""
    return f"{int(row['hidden_layers'])}x{int(row['hidden_units'])}, lr {row['learning_rate']:g}"


def _prepared(results: Mapping[str, pd.DataFrame], full_epochs: int) -> pd.DataFrame:
    frames = []
    for dataset, frame in results.items():
        frame = frame.copy()
        frame["dataset"] = dataset
        frame["target"] = [target_name(r) for r in frame.to_dict("records")]
        if "epochs" not in frame:
            frame["epochs"] = pd.NA
        frame["epochs"] = frame["epochs"].fillna(full_epochs).astype(int)
        frame["defense_lambda"] = frame["defense_lambda"].fillna(0.0)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def cell_summary(group: pd.DataFrame) -> dict:
    """One cell's numbers: accuracies, every line's MIA, the majority rate and Max Diff."""
    out = {"repetitions": len(group)}
    for name, column in (("train", "train_accuracy"), ("test", "test_accuracy")):
        summary = percent_summary(group[column])
        out[f"{name}_pct"], out[f"{name}_ci"] = summary["mean"], summary["ci"]
    share = group["achieved_train_share_label_1"].astype(float)  # in percent
    out["majority_pct"] = float(np.maximum(share, 100 - share).mean())
    out |= line_summaries(group)
    if "max_diff" in group and group["max_diff"].notna().any():
        values = group["max_diff"].astype(float)
        out["max_diff"], out["max_diff_ci"] = mean_ci(values.to_numpy())
        out["r_first"] = float(group["r_first"].mean())
    else:
        out["max_diff"] = out["max_diff_ci"] = out["r_first"] = np.nan
    return out


def grid_table(results: Mapping[str, pd.DataFrame], full_epochs: int) -> pd.DataFrame:
    """Every cell of the study: dataset, target, defense, lambda, epochs, and its summary."""
    frame = _prepared(results, full_epochs)
    keys = ["dataset", "target", "defense", "defense_lambda", "epochs"]
    rows = [
        dict(zip(keys, key, strict=True)) | cell_summary(group)
        for key, group in frame.groupby(keys, sort=False)
    ]
    return pd.DataFrame(rows)


def checkpoints_of(grid: pd.DataFrame, dataset: str, target: str) -> pd.DataFrame:
    """The undefended model's checkpoints of one target, by epoch."""
    chosen = grid[(grid["dataset"] == dataset) & (grid["target"] == target)]
    return chosen[chosen["defense"] == "none"].sort_values("epochs")


def early_stopping_match(checkpoints: pd.DataFrame, test_pct: float) -> pd.Series:
    """The checkpoint whose mean test accuracy is nearest ``test_pct`` (the earlier on a tie)."""
    distance = (checkpoints["test_pct"] - test_pct).abs().to_numpy()
    return checkpoints.iloc[int(np.argmin(distance))]


def table_5(
    grid: pd.DataFrame, reference: pd.DataFrame, lambdas: Mapping[str, float], full_epochs: int
) -> pd.DataFrame:
    """The paper's layout per dataset and target: one row per regularizer at its table lambda
    (``lambdas``: defense -> lambda; others at ``lambdas['default']``), the early-stopping match
    beside each row, the paper's numbers beside ours."""
    rows = []
    for (dataset, target), cells in grid.groupby(["dataset", "target"], sort=False):
        checkpoints = checkpoints_of(grid, dataset, target)
        for defense, label in REGULARIZERS.items():
            lam = 0.0 if defense == "none" else lambdas.get(defense, lambdas["default"])
            chosen = cells[
                (cells["defense"] == defense)
                & np.isclose(cells["defense_lambda"], lam)
                & (cells["epochs"] == full_epochs)
            ]
            if chosen.empty:
                continue
            row = {"dataset": dataset, "target": target, "regularizer": label, "lambda": lam}
            row |= chosen.iloc[0].drop(["dataset", "target", "defense", "defense_lambda"]).to_dict()
            match = early_stopping_match(checkpoints, row["test_pct"])
            row |= {
                "es_epoch": int(match["epochs"]),
                "es_test_pct": match["test_pct"],
                f"es_{STRONGEST}_balanced_pct": match[f"{STRONGEST}_balanced_pct"],
                "es_shokri_stated_paper_protocol_pct": match["shokri_stated_paper_protocol_pct"],
            }
            rows.append(row)
    ours = pd.DataFrame(rows)
    # a CSV reader takes the paper's "None" row label for a missing value
    reference = reference.assign(regularizer=reference["regularizer"].fillna("None"))
    paper = reference.rename(
        columns={c: f"paper_{c}" for c in ("train_pct", "test_pct", "mia_pct", "max_diff")}
    )
    return ours.merge(paper, on=["dataset", "regularizer"], how="left")


def _cell(mean, ci, paper=None, digits: int = 1) -> str:
    text = plus_minus(mean, ci, digits)
    return text if not text or paper is None or pd.isna(paper) else f"{text} ({paper:.{digits}f})"


def table_5_readable(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One section per dataset and target: the paper's columns, then every attack line."""
    sections = {}
    for (dataset, target), part in frame.groupby(["dataset", "target"], sort=False):
        out = pd.DataFrame({"regularizer": part["regularizer"], "lambda": part["lambda"]})
        out["train (paper)"] = [
            _cell(m, c, p)
            for m, c, p in zip(part.train_pct, part.train_ci, part.paper_train_pct, strict=True)
        ]
        out["test (paper)"] = [
            _cell(m, c, p)
            for m, c, p in zip(part.test_pct, part.test_ci, part.paper_test_pct, strict=True)
        ]
        out["MIA, paper-stated attack and protocol (paper)"] = [
            _cell(m, c, p)
            for m, c, p in zip(
                part.shokri_stated_paper_protocol_pct,
                part.shokri_stated_paper_protocol_ci,
                part.paper_mia_pct,
                strict=True,
            )
        ]
        for line, (_, label) in style.LINES.items():
            out[f"{label}: balanced"] = [
                _cell(m, c)
                for m, c in zip(
                    part[f"{line}_balanced_pct"], part[f"{line}_balanced_ci"], strict=True
                )
            ]
        out["Max Diff (paper)"] = [
            _cell(m, c, p, digits=3)
            for m, c, p in zip(part.max_diff, part.max_diff_ci, part.paper_max_diff, strict=True)
        ]
        out["early stopping at equal test: epoch, test, best metric balanced"] = [
            f"{e}, {t:.1f}, {a:.1f}"
            for e, t, a in zip(
                part.es_epoch, part.es_test_pct, part[f"es_{STRONGEST}_balanced_pct"], strict=True
            )
        ]
        out["majority rate"] = part["majority_pct"].map(lambda v: f"{v:.1f}")
        sections[f"{dataset}, target {target}"] = out
    return sections


def privacy_utility_figure(grid: pd.DataFrame, full_epochs: int, pdf, png) -> pd.DataFrame:
    """Test accuracy against the strongest shadow-chosen attack's balanced accuracy: a point per
    regularizer and lambda, the early-stopping curve through the undefended checkpoints."""
    style.apply()
    import matplotlib.pyplot as plt

    panels = list(grid.groupby(["dataset", "target"], sort=False))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False)
    colours = plt.get_cmap("tab10")
    x, y = f"{STRONGEST}_balanced_pct", "test_pct"
    for ax, ((dataset, target), cells) in zip(axes[0], panels, strict=True):
        checkpoints = checkpoints_of(grid, dataset, target)
        ax.plot(checkpoints[x], checkpoints[y], "-", color="black", lw=1, zorder=1)
        for row in checkpoints.itertuples():
            ax.annotate(str(row.epochs), (getattr(row, x), row.test_pct), fontsize=6)
        ax.plot([], [], "-", color="black", lw=1, label="undefended, by epoch (early stopping)")
        full = cells[cells["epochs"] == full_epochs]
        for i, (defense, label) in enumerate(REGULARIZERS.items()):
            if defense == "none":
                continue
            part = full[full["defense"] == defense].sort_values("defense_lambda")
            if part.empty:
                continue
            ax.errorbar(
                part[x],
                part[y],
                xerr=part[f"{STRONGEST}_balanced_ci"],
                yerr=part["test_ci"],
                fmt="o-",
                ms=3,
                lw=0.8,
                color=colours(i % 10),
                label=label,
            )
        ax.axvline(50, color="grey", lw=0.6, ls=":")
        ax.set_title(f"{style.DATASET_TITLES.get(dataset, dataset)}, target {target}")
        ax.set_xlabel("balanced MIA accuracy (%), best metric attack chosen on shadows")
        ax.set_ylabel("test accuracy (%)")
    axes[0][-1].legend(loc="lower right", fontsize=6)
    fig.tight_layout()
    save(fig, pdf, png)
    return grid


def trajectories(results: Mapping[str, pd.DataFrame], full_epochs: int) -> pd.DataFrame:
    """r in force per epoch, mean over repetitions, per dataset, target, defense and lambda."""
    frame = _prepared(results, full_epochs)
    frame = frame[frame["defense"].isin(ALGORITHM_1) & frame["r_trajectory"].notna()]
    rows = []
    keys = ["dataset", "target", "defense", "defense_lambda"]
    for key, group in frame.groupby(keys, sort=False):
        curves = np.array([json.loads(t) for t in group["r_trajectory"]])
        for epoch, value in enumerate(curves.mean(0)):
            rows.append(dict(zip(keys, key, strict=True)) | {"epoch": epoch, "r": float(value)})
    return pd.DataFrame(rows, columns=[*keys, "epoch", "r"])


def trajectory_figure(curves: pd.DataFrame, pdf: str | Path, png: str | Path) -> None:
    """One panel per property, a line per target and lambda."""
    style.apply()
    import matplotlib.pyplot as plt

    defenses = [d for d in ALGORITHM_1 if d in set(curves["defense"])]
    fig, axes = plt.subplots(
        1, max(1, len(defenses)), figsize=(3.4 * max(1, len(defenses)), 3), squeeze=False
    )
    targets = list(dict.fromkeys(curves["target"]))
    for ax, defense in zip(axes[0], defenses, strict=False):
        part = curves[curves["defense"] == defense]
        for (dataset, target, lam), line in part.groupby(
            ["dataset", "target", "defense_lambda"], sort=True
        ):
            ax.plot(
                line["epoch"],
                line["r"],
                ls="-" if target == targets[0] else "--",
                lw=1,
                label=f"{dataset}, {target}, lambda {lam:g}",
            )
        ax.set_title(REGULARIZERS[defense].split(" (")[0])
        ax.set_xlabel("epoch")
        ax.set_ylabel("r (largest of l copies)")
    if defenses:
        axes[0][0].legend(fontsize=5)
    fig.tight_layout()
    save(fig, pdf, png)
