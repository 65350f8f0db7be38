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

#: colour and label of each evaluation protocol (docs/account.md E1)
PROTOCOLS = {
    "mia_balanced_accuracy": ("#1f77b4", "balanced set (chance = 0.5)"),
    "paper_mia_accuracy": ("#d62728", "paper's protocol (all target records)"),
}
DATASET_TITLES = {"purchase": "(a) Purchase", "texas": "(b) Texas", "adult": "(c) Adult"}
DATASET_ORDER = ["purchase", "texas", "adult"]


def apply() -> None:
    plt.rcParams.update(RC)
