"""LiRA and RMIA on the property studies, summarised (docs/account.md L3): per study and grid
value, each attack's AUC and TPR at 1% and 0.1% FPR with their CIs, and whether the balanced
evaluation sets hold enough non-members to resolve such a rate (1 / FPR of them at least)."""

from collections.abc import Mapping, Sequence

import pandas as pd

from miarep.measures.metrics import mean_ci
from miarep.report.tables import plus_minus

METRICS = {
    "auc": "mia_auc",
    "tpr_1pct": "mia_tpr_at_1pct_fpr",
    "tpr_0.1pct": "mia_tpr_at_0.1pct_fpr",
}


def summary(
    results: Mapping[str, pd.DataFrame],
    experiments: Mapping[str, pd.DataFrame],
    attacks: Sequence[str],
    grid_fields: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """One row per (study, grid value): every attack's metrics, mean and 95% CI in %."""
    rows = []
    for study, frame in results.items():
        fields = [f for f in grid_fields.get(study, []) if f in experiments[study]]
        joined = with_design(frame, experiments[study])  # model fields are the results' own
        if not fields:
            joined = joined.assign(all="all")
        keys = fields or ["all"]
        for value, part in joined.groupby(keys, sort=True, dropna=False):
            value = value if isinstance(value, tuple) else (value,)
            row = {
                "study": study,
                "setting": ", ".join(f"{k}={v}" for k, v in zip(keys, value, strict=True)),
                "experiments": len(part),
                "n_nonmembers": int(part["n_nonmembers"].min()),
            }
            row["resolves_1pct"] = row["n_nonmembers"] >= 100
            row["resolves_0.1pct"] = row["n_nonmembers"] >= 1000
            for attack in attacks:
                for short, column in METRICS.items():
                    mean, ci = mean_ci(part[f"{attack}_{column}"])
                    row[f"{attack}_{short}_pct"] = 100 * mean
                    row[f"{attack}_{short}_ci"] = 100 * ci
            rows.append(row)
    return pd.DataFrame(rows)


def with_design(lira: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """LiRA's results with the experiment table's fields they lack (a balance, a size)."""
    missing = [c for c in design if c not in lira]
    return lira.join(design.set_index("experiment")[missing], on="experiment")


def sections(frame: pd.DataFrame, attacks: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The summary laid out for reading: a section per study, a row per grid value, each
    attack's AUC and TPR at 1% and 0.1% FPR as "mean ± CI" (CSV keeps every number)."""
    out = {}
    for study, part in frame.groupby("study", sort=False):
        table = part[["setting", "experiments", "n_nonmembers"]].reset_index(drop=True)
        for attack in attacks:
            for short in METRICS:
                mean = part[f"{attack}_{short}_pct"].to_numpy()
                ci = part[f"{attack}_{short}_ci"].to_numpy()
                table[f"{attack} {short}"] = [
                    plus_minus(m, c) for m, c in zip(mean, ci, strict=True)
                ]
        out[study] = table
    return out
