"""Figures 4, 5 and 8 and Tables 2 and 3 redrawn with LiRA and RMIA beside the study's own
attacks, and the log-log ROC figure (docs/account.md L4).

Every artefact reads the study's result table restricted to the experiments LiRA and RMIA
attacked (the first ``lira.repetitions`` repetitions), so all lines stand on the same targets.
They show the ROC AUC and the TPR at 1% and 0.1% FPR, the low-FPR view in which LiRA and RMIA
are strongest; a rate below 1 / (non-members) cannot be resolved and is marked.
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from miarep.measures.metrics import mean_ci, roc_curve
from miarep.report import style
from miarep.report.claims import select
from miarep.report.figures import draw_mean_ci, save, summarise
from miarep.report.tables import plus_minus

#: LiRA and RMIA lines beside :data:`miarep.report.style.LINES` (result-table prefix -> look)
LIRA_LINES = {
    "lira_online": ("#9467bd", "LiRA online"),
    "lira_offline_fixed": ("#8c564b", "LiRA offline, fixed variance"),
    "rmia_online": ("#17becf", "RMIA online"),
    "rmia_offline": ("#e377c2", "RMIA offline"),
}
LINES = {**style.LINES, **LIRA_LINES}
#: The ROC figure draws every variant and the loss threshold
ROC_LINES = {
    **LIRA_LINES,
    "lira_online_fixed": ("#bcbd22", "LiRA online, fixed variance"),
    "lira_offline": ("#ff7f0e", "LiRA offline"),
    "target_p_true": ("k", "loss threshold (target's confidence)"),
}
#: Result-table column suffix -> (axis label, what a blind attack scores)
METRICS = {
    "mia_auc": ("attack ROC AUC", 0.5),
    "mia_tpr_at_1pct_fpr": ("TPR at 1% FPR", 0.01),
    "mia_tpr_at_0.1pct_fpr": ("TPR at 0.1% FPR", 0.001),
}
#: Figure 8's lines (fewer: each is drawn for the shallowest and the deepest network)
FIGURE_8_LINES = ("shokri", "metric_best", "lira_online", "rmia_offline")
TPR_FLOOR = 1e-4
ROC_SCORE = "score_"
LOSS_SCORE = "target_p_true"


#: Figures 4 and 5: artefact -> (grid field, axis label, title)
SWEEPS = {
    "figure_4": ("class_balance", "Class balance (% of the minority class)", "Figure 4"),
    "figure_5": ("feature_balance", "Feature balance (% of records with c*)", "Figure 5"),
}
#: Figure 8's sweeps: study -> (grid field beside the depth, axis label)
FIGURE_8_SWEEPS = {
    "figure_8_units": ("hidden_units", "Hidden units per layer"),
    "figure_8_learning_rate": ("learning_rate", "Learning rate"),
    "figure_8_l2": ("l2", "L2 coefficient"),
}
TABLE_TITLES = {
    "table_2": "Table 2 redrawn: LiRA and RMIA beside the study's attacks per target model "
    "(shadows of the target's kind), AUC and TPR at 1% FPR (%)",
    "table_3": "Table 3 redrawn: LiRA and RMIA beside the study's attacks for 1 and 5 hidden "
    "layers, L2 0 and 0.01, AUC and TPR at 1% FPR (%)",
}


def redrawn_table(artefact: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table 2 (per target model; Shokri's shadow of the target's kind, the paper's diagonal) or
    Table 3 (the paper's four configurations) with every line's AUC and TPR at 1% FPR."""
    if artefact == "table_2":
        part, keys = frame[frame["shadow_model"] == frame["target_model"]], ["target_model"]
    elif artefact == "table_3":
        keep = frame["hidden_layers"].isin([1, 5]) & np.isin(frame["l2"], [0.0, 0.01])
        part, keys = frame[keep], ["hidden_layers", "l2"]
    else:
        raise ValueError(f"no redrawn table {artefact!r}: choose from {sorted(TABLE_TITLES)}")
    return attack_table(part, keys, ["train_accuracy", "test_accuracy"])


def beside(study: pd.DataFrame, lira: pd.DataFrame) -> pd.DataFrame:
    """The study's rows of the experiments LiRA attacked, with LiRA's and RMIA's columns."""
    columns = [c for c in lira if c.startswith(("lira_", "rmia_"))]
    columns += [c for c in ("n_nonmembers",) if c not in study]
    return study.merge(lira[["experiment", *columns]], on="experiment", validate="one_to_one")


def lines_in(frame: pd.DataFrame, names: Sequence[str] = tuple(LINES)) -> list[str]:
    """The lines whose columns the frame holds (a config may run fewer attacks)."""
    return [n for n in names if f"{n}_mia_auc" in frame]


def _floored(values: pd.Series, metric: str) -> pd.Series:
    """TPRs at the log axis' floor (a zero TPR has no place on it); AUCs as they are."""
    return values if metric == "mia_auc" else values.clip(lower=TPR_FLOOR)


def _axis(ax, metric: str, resolvable: bool) -> None:
    label, chance = METRICS[metric]
    ax.axhline(chance, color="0.5", lw=0.8, ls=":")
    ax.set_ylabel(label)
    if metric != "mia_auc":
        ax.set_yscale("log")
        ax.set_ylim(TPR_FLOOR, 1)
        if not resolvable:
            ax.text(
                0.02,
                0.95,
                "not resolvable: too few non-members",
                transform=ax.transAxes,
                fontsize=7,
                color="firebrick",
                va="top",
            )


def _resolvable(frame: pd.DataFrame, metric: str) -> bool:
    fpr = {"mia_tpr_at_1pct_fpr": 0.01, "mia_tpr_at_0.1pct_fpr": 0.001}.get(metric)
    return fpr is None or int(frame["n_nonmembers"].min()) * fpr >= 1


def sweep_figure(frame: pd.DataFrame, x: str, xlabel: str, title: str, pdf, png) -> pd.DataFrame:
    """Figures 4 and 5: one panel per metric, mean and 95% CI per grid value and line."""
    style.apply()
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4.6 * len(METRICS), 3.8), squeeze=False)
    summaries = []
    for ax, metric in zip(axes[0], METRICS, strict=True):
        for line in lines_in(frame):
            colour, label = LINES[line]
            summary = summarise(frame, x, f"{line}_{metric}")
            shown = summary.assign(mean=_floored(summary["mean"], metric))
            draw_mean_ci(ax, shown, x, colour, label)
            summaries.append(summary.assign(line=line, metric=metric))
        _axis(ax, metric, _resolvable(frame, metric))
        ax.set_xlabel(xlabel)
    _legend_below(fig, axes[0][0], 4)
    fig.suptitle(
        f"{title}: LiRA and RMIA beside the study's attacks "
        f"({frame['experiment'].nunique()} targets, "
        f"{int(frame['n_nonmembers'].min())} non-members each at least)",
        fontsize=9,
    )
    save(fig, pdf, png)
    return pd.concat(summaries, ignore_index=True)


def figure_8(frames: Mapping[str, tuple[pd.DataFrame, str, str]], pdf, png) -> pd.DataFrame:
    """Figure 8: a column per sweep (study -> (frame, x field, label)), a row per metric; each
    line for the shallowest network (solid) and the deepest (dashed)."""
    style.apply()
    fig, axes = plt.subplots(
        len(METRICS), len(frames), figsize=(4.8 * len(frames), 9), squeeze=False
    )
    summaries = []
    for col, (study, (frame, x, xlabel)) in enumerate(frames.items()):
        depths = sorted(frame["hidden_layers"].unique())
        shown = [depths[0], depths[-1]] if len(depths) > 1 else depths
        for row, metric in enumerate(METRICS):
            ax = axes[row][col]
            for line in lines_in(frame, FIGURE_8_LINES):
                colour, label = LINES[line]
                for depth, ls in zip(shown, ("-", "--"), strict=False):
                    part = frame[frame["hidden_layers"] == depth]
                    summary = summarise(part, x, f"{line}_{metric}")
                    ax.plot(
                        summary[x],
                        _floored(summary["mean"], metric),
                        color=colour,
                        ls=ls,
                        marker="o",
                        ms=2.5,
                        lw=1.1,
                        label=f"{label}, {depth} hidden layer(s)",
                    )
                for depth in depths:
                    part = frame[frame["hidden_layers"] == depth]
                    summaries.append(
                        summarise(part, x, f"{line}_{metric}")
                        .rename(columns={x: "x"})
                        .assign(study=study, field=x, hidden_layers=depth, line=line, metric=metric)
                    )
            _axis(ax, metric, _resolvable(frame, metric))
            if x == "l2":  # linear near 0, so that lambda = 0 has a place (as in Figure 8)
                ax.set_xscale("symlog", linthresh=1e-3)
                ax.set_xlim(left=-2e-4)
            else:
                ax.set_xscale("log")
            ax.set_xlabel(xlabel)
    _legend_below(fig, axes[0][0], 4)
    fig.suptitle(
        "Figure 8: LiRA and RMIA beside Shokri's and the metric attacks "
        "(solid: shallowest, dashed: deepest network)",
        fontsize=9,
    )
    save(fig, pdf, png)
    return pd.concat(summaries, ignore_index=True)


def _legend_below(fig, ax, columns: int) -> None:
    """One legend under the panels (inside them it hides the lines at chance)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=columns,
        frameon=False,
        fontsize=7,
    )


def attack_table(
    frame: pd.DataFrame, keys: Sequence[str], extra: Sequence[str] = ()
) -> pd.DataFrame:
    """Tables 2 and 3: per value of ``keys``, the ``extra`` columns' means and every line's AUC
    and TPR at 1% FPR as "mean ± CI" in %."""
    rows = []
    for value, part in frame.groupby(list(keys), sort=True):
        value = value if isinstance(value, tuple) else (value,)
        row = dict(zip(keys, value, strict=True)) | {"targets": len(part)}
        for column in extra:
            row[column] = _cell(part[column])
        for line in lines_in(part):
            row[f"{line} AUC"] = _cell(part[f"{line}_mia_auc"])
            row[f"{line} TPR@1%"] = _cell(part[f"{line}_mia_tpr_at_1pct_fpr"])
        rows.append(row)
    return pd.DataFrame(rows)


def _cell(values: pd.Series) -> str:
    mean, ci = mean_ci(values.to_numpy(float))
    return plus_minus(100 * mean, 100 * ci)


def roc_panels(
    scores: Mapping[str, pd.DataFrame],
    frames: Mapping[str, pd.DataFrame],
    panels: Mapping[str, Mapping],
    labels: np.ndarray,
    pdf,
    png,
    points: int = 120,
) -> pd.DataFrame:
    """Log-log ROC curves, TPR averaged over a panel's targets at each FPR, from FPR 1 / (its
    fewest non-members) up. ``scores`` and ``frames`` per study; a panel names its study, the
    grid values its targets have and which records count (all, or the minority class's)."""
    style.apply()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 4.2), squeeze=False)
    rows = []
    for ax, (name, panel) in zip(axes[0], panels.items(), strict=True):
        chosen = _matching(frames[panel["study"]], panel["setting"], name)
        table = scores[panel["study"]]
        table = table[table["experiment"].isin(chosen)]
        parts = [
            _records(part, labels, panel.get("records", "all"))
            for _, part in table.groupby("experiment", sort=True)
        ]
        fewest = min(int((~p["member"]).sum()) for p in parts)
        grid = np.logspace(np.log10(1 / fewest), 0, points)
        columns = [c for c in table if c.startswith(ROC_SCORE)] + [LOSS_SCORE]
        for column in columns:
            line = column.removeprefix(ROC_SCORE)
            colour, label = ROC_LINES.get(line, (None, line))
            tpr = np.mean([roc_curve(p["member"], p[column], grid) for p in parts], axis=0)
            ax.plot(grid, np.maximum(tpr, TPR_FLOOR), color=colour, lw=1.1, label=label)
            rows += [
                {"panel": name, "attack": line, "fpr": f, "tpr": t}
                for f, t in zip(grid, tpr, strict=True)
            ]
        ax.plot(grid, grid, color="0.5", ls=":", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(grid[0], 1)
        ax.set_ylim(TPR_FLOOR, 1)
        ax.set_xlabel("false-positive rate")
        ax.set_ylabel("true-positive rate")
        ax.set_title(f"{name}: {len(parts)} targets, {fewest} non-members at least", fontsize=8)
    _legend_below(fig, axes[0][0], 4)
    fig.suptitle("LiRA and RMIA: ROC curves (log-log, mean TPR over targets)", fontsize=9)
    save(fig, pdf, png)
    return pd.DataFrame(rows)


def _matching(frame: pd.DataFrame, setting: Mapping, name: str) -> list:
    """The experiments of a ROC panel's setting (claims.select's matching), or an error naming
    the panel."""
    unknown = [field for field in setting if field not in frame]
    if unknown:
        raise ValueError(f"lira.roc.{name}: the study has no field {unknown[0]!r}")
    chosen = select(frame, setting)
    if chosen.empty:
        raise ValueError(f"lira.roc.{name}: no attacked target has {dict(setting)}")
    return chosen["experiment"].tolist()


def _records(part: pd.DataFrame, labels: np.ndarray, records: str) -> pd.DataFrame:
    """An experiment's scored records, or those of its minority class."""
    if records == "all":
        return part
    label = labels[part["record"].to_numpy()]
    minority = int(np.mean(label == 1) < 0.5)
    return part[label == minority]
