"""The shared look of every figure (one place, so all figures match)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 200,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "pdf.fonttype": 42,
    "svg.hashsalt": "miarep",
}

#: The lines every figure draws per point (docs/account.md E5): result-table prefix -> colour
#: and label. The oracle is a bound (it knows the target's members), not an attack.
LINES = {
    "shokri": ("#1f77b4", "Shokri, faithful (balanced shadows)"),
    "shokri_stated": ("#d62728", "Shokri, paper-stated (75/25 shadows)"),
    "metric_best": ("#2ca02c", "best metric attack (chosen on shadows)"),
    "oracle": ("#7f7f7f", "oracle bound (loss threshold on the truth)"),
}
#: What a figure row shows: result-table column suffix -> axis label
BALANCED = "mia_balanced_accuracy"
AUC = "mia_auc"
PAPER = "paper_mia_accuracy"
CALLED = "paper_mia_member_rate"
METRIC_LABELS = {
    BALANCED: "balanced MIA accuracy",
    AUC: "attack ROC AUC",
    PAPER: "MIA accuracy, paper's protocol",
}


def column(line: str, metric: str) -> str:
    """The result-table column of one line's metric, e.g. shokri_mia_balanced_accuracy."""
    return f"{line}_{metric}"


def blind(called_share, member_rate=0.75):
    """What an attack that sees nothing scores on all target records, m of them members, when it
    calls a share r of them members: (1 - m) + (2m - 1) r, so 0.25 + 0.5 r at the paper's 75%
    (docs/account.md E2)."""
    return (1 - member_rate) + (2 * member_rate - 1) * called_share


def blind_of(frame, line: str):
    """:func:`blind` per result row of ``frame`` for one line: at the share that line called
    "member" and the row's member rate (the paper's 75% where the table has no such column)."""
    return blind(frame[column(line, CALLED)], frame.get("member_rate", 0.75))


DATASET_TITLES = {"purchase": "(a) Purchase", "texas": "(b) Texas", "adult": "(c) Adult"}
DATASET_ORDER = ["purchase", "texas", "adult"]


def apply() -> None:
    plt.rcParams.update(RC)
