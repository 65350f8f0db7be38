"""The GMIA study's artefacts (docs/account.md G5) from its tables only.

Precision is over all inferences made (a record called a member of a target), recall is TP over
50 n (each of the n vulnerable records is a member of 50 targets), as the paper counts them.
"""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from miarep.measures.bounds import oracle_scores
from miarep.report import style
from miarep.report.figures import save

#: the attacks beyond the paper scored on the same records (result prefix -> label)
BEYOND = {
    "metric_correctness": "correctness",
    "metric_confidence": "confidence",
    "metric_entropy": "entropy",
    "metric_modified_entropy": "modified entropy",
    "risk_score": "risk score",
}


def vulnerable_records(records: pd.DataFrame, delta: float, beta: float) -> np.ndarray:
    return records.loc[records[f"vulnerable_{delta:g}_{beta:g}"], "record"].to_numpy()


def counts(called: np.ndarray, member: np.ndarray, n_records: int, memberships: int) -> dict:
    """Precision (%), recall (%), TP and FP of one set of inferences."""
    tp, fp = int((called & member).sum()), int((called & ~member).sum())
    precision = 100 * tp / (tp + fp) if tp + fp else np.nan
    recall = 100 * tp / (memberships * n_records) if n_records else np.nan
    return {"precision_pct": precision, "recall_pct": recall, "tp": tp, "fp": fp}


def _on(inferences: pd.DataFrame, records: np.ndarray) -> pd.DataFrame:
    return inferences[inferences["record"].isin(records)]


def table_1(inferences, records, delta, beta, cutoffs, memberships, reference) -> pd.DataFrame:
    """Direct inference per cutoff on the (delta, beta) records, the paper's beside."""
    chosen = vulnerable_records(records, delta, beta)
    part = _on(inferences, chosen)
    rows = []
    for cutoff in cutoffs:
        row = {"delta": delta, "beta": beta, "vulnerable_records": len(chosen), "cutoff": cutoff}
        row |= counts(
            part["p_value"].to_numpy() < cutoff, part["member"].to_numpy(), len(chosen), memberships
        )
        paper = reference[np.isclose(reference["cutoff"], cutoff)]
        for column in ("vulnerable_records", "precision_pct", "recall_pct", "tp", "fp"):
            row[f"paper_{column}"] = paper[column].iloc[0] if len(paper) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def table_2(inferences, records, sweep, memberships, reference, cutoff=0.01) -> pd.DataFrame:
    """The selection thresholds' effect at one cutoff."""
    rows = []
    for delta, beta in sweep:
        chosen = vulnerable_records(records, delta, beta)
        part = _on(inferences, chosen)
        row = {"delta": delta, "beta": beta, "vulnerable_records": len(chosen), "cutoff": cutoff}
        row |= counts(
            part["p_value"].to_numpy() < cutoff, part["member"].to_numpy(), len(chosen), memberships
        )
        paper = reference[
            np.isclose(reference["delta"], delta) & np.isclose(reference["beta"], beta)
        ]
        for column in ("vulnerable_records", "precision_pct", "recall_pct"):
            row[f"paper_{column}"] = paper[column].iloc[0] if len(paper) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def table_6(accuracy: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Mean and SD of train and test accuracy of the targets and of the reference models."""
    rows = []
    for model, part in accuracy.groupby("model", sort=False):
        rows.append(
            {
                "model": model,
                "models": len(part),
                "train_accuracy": part["train_accuracy"].mean(),
                "train_sd": part["train_accuracy"].std(ddof=1),
                "test_accuracy": part["test_accuracy"].mean(),
                "test_sd": part["test_accuracy"].std(ddof=1),
                "paper_train_accuracy": reference["train_accuracy"].iloc[0]
                if model == "target"
                else np.nan,
                "paper_test_accuracy": reference["test_accuracy"].iloc[0]
                if model == "target"
                else np.nan,
            }
        )
    return pd.DataFrame(rows)


def table_7(inferences, records, delta, beta, thresholds, cutoff, memberships, reference):
    """On the (delta, beta) records: Shokri's attack per attack-confidence threshold (the paper's
    baseline), each metric attack and the risk score by their own decisions, the oracle bound
    (the balanced-accuracy-best loss threshold chosen on these very inferences' truth) and GMIA."""
    chosen = vulnerable_records(records, delta, beta)
    part = _on(inferences, chosen)
    member = part["member"].to_numpy()
    rows = []
    for threshold in thresholds if "score_shokri" in part else ():
        paper = reference[np.isclose(reference["threshold"], threshold)]
        rows.append(
            {
                "attack": "Shokri",
                "rule": f"P(IN) > {threshold:g}",
                **counts(
                    part["score_shokri"].to_numpy() > threshold, member, len(chosen), memberships
                ),
                "paper_precision_pct": paper["precision_pct"].iloc[0] if len(paper) else np.nan,
                "paper_recall_pct": paper["recall_pct"].iloc[0] if len(paper) else np.nan,
            }
        )
    for attack, label in BEYOND.items():
        if f"decision_{attack}" in part:
            called = part[f"decision_{attack}"].to_numpy(bool)
            rows.append(
                {
                    "attack": label,
                    "rule": "its own threshold (shadows)",
                    **counts(called, member, len(chosen), memberships),
                }
            )
    if len(part):
        called = oracle_scores(part["target_loss"].to_numpy(), member) >= 0
        rows.append(
            {
                "attack": "oracle bound (not an attack)",
                "rule": "loss threshold on the truth",
                **counts(called, member, len(chosen), memberships),
            }
        )
    rows.append(
        {
            "attack": "GMIA (direct inference)",
            "rule": f"p < {cutoff:g}",
            **counts(part["p_value"].to_numpy() < cutoff, member, len(chosen), memberships),
        }
    )
    frame = pd.DataFrame(rows)
    frame.insert(0, "vulnerable_records", len(chosen))
    return frame


def pr_curve(part: pd.DataFrame, n_records: int, memberships: int, cutoffs) -> pd.DataFrame:
    member = part["member"].to_numpy()
    p = part["p_value"].to_numpy()
    return pd.DataFrame(
        [{"cutoff": c, **counts(p < c, member, n_records, memberships)} for c in cutoffs]
    )


def pr_curves(inferences, records, sweep: Sequence, memberships: int) -> pd.DataFrame:
    """Precision and recall over log-spaced cutoffs per (delta, beta)."""
    cutoffs = np.union1d(np.geomspace(1e-4, 0.5, 40), [0.001, 0.002, 0.01])
    frames = []
    for delta, beta in sweep:
        chosen = vulnerable_records(records, delta, beta)
        curve = pr_curve(_on(inferences, chosen), len(chosen), memberships, cutoffs)
        frames.append(curve.assign(delta=delta, beta=beta, vulnerable_records=len(chosen)))
    return pd.concat(frames, ignore_index=True)


def pr_figure(curves: pd.DataFrame, pdf, png, title: str) -> None:
    """Precision against recall, a line per (delta, beta); the dot marks p < 0.01."""
    style.apply()
    fig, ax = plt.subplots(figsize=(4.8, 3.8))
    colours = plt.get_cmap("tab10")
    for i, ((delta, beta), curve) in enumerate(curves.groupby(["delta", "beta"], sort=False)):
        n = int(curve["vulnerable_records"].iloc[0])
        ax.plot(
            curve["recall_pct"],
            curve["precision_pct"],
            "-",
            color=colours(i),
            lw=1.2,
            label=f"delta {delta:g}, beta {beta:g} ({n} records)",
        )
        at = curve[np.isclose(curve["cutoff"], 0.01)].iloc[0]
        ax.plot([at["recall_pct"]], [at["precision_pct"]], "o", color=colours(i), ms=4)
    ax.axhline(50, color="grey", lw=0.6, ls=":")
    ax.set_xlabel("recall (%): TP / (50 n)")
    ax.set_ylabel("precision (%)")
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=6)
    save(fig, pdf, png)
