"""Whether anything leaks where a claim's contrast lives (docs/account.md C3).

The instruments are the cross-fitted oracle (a loss threshold chosen on one half of the target's
own records and scored on the other, E5) and, where a table carries them, LiRA and RMIA, which
see leakage the loss threshold is blind to. The in-sample oracle is never used: it picks its
threshold on the records it scores and reads 0.505-0.516 at chance.

The margin is the null's: with membership permuted, a balanced accuracy at a threshold chosen
without the scored records is a mean of N Bernoulli(1/2)-like terms, so its standard deviation is
at most sqrt(1/n_members + 1/n_nonmembers) / 4 = 1 / (2 sqrt(N)) on N balanced records, and its
99th percentile is z_0.99 / (2 sqrt(N)) (tests/test_claims_judge.py checks this bound against
the permuted cross-fitted oracle). A group of experiments leaks when its mean reading exceeds
chance by more than one experiment's 99th percentile: conservative for a mean of several, and
fixed before any verdict.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

#: The leakage instruments: result-table prefix -> the name a reason gives
INSTRUMENTS = {
    "oracle_cv": "the cross-fitted loss oracle",
    "lira_online": "LiRA (online)",
    "lira_offline_fixed": "LiRA (offline)",
    "rmia_online": "RMIA (online)",
    "rmia_offline": "RMIA (offline)",
}
METRIC = "mia_balanced_accuracy"
Z_99 = float(stats.norm.isf(0.01))


def null_margin(n_records: float) -> float:
    """The 99th percentile of one experiment's balanced accuracy above chance under permuted
    membership, on ``n_records`` balanced evaluation records."""
    return Z_99 / (2.0 * np.sqrt(n_records))


def instruments_of(frame: pd.DataFrame) -> list[str]:
    """The instruments a table carries (with their evaluation counts)."""
    return [
        name
        for name in INSTRUMENTS
        if f"{name}_{METRIC}" in frame
        and f"{name}_mia_n" in frame
        and frame[f"{name}_{METRIC}"].notna().any()
    ]


def excess(frame: pd.DataFrame, prefix: str, margin_scale: float = 1.0) -> float:
    """A group's mean reading above chance minus its margin (> 0: it leaks); nan without rows."""
    values = frame[f"{prefix}_{METRIC}"].to_numpy(float)
    counts = frame[f"{prefix}_mia_n"].to_numpy(float)
    ok = ~(np.isnan(values) | np.isnan(counts))
    if not ok.any():
        return float("nan")
    margin = margin_scale * null_margin(float(np.median(counts[ok])))
    return float(values[ok].mean() - 0.5 - margin)


@dataclass
class Leakage:
    """Which groups leak, read by which instrument."""

    groups: dict = field(default_factory=dict)  # group label -> list of instruments that see it
    instruments: list = field(default_factory=list)
    largest: float = float("nan")  # the largest mean reading above chance, any group

    @property
    def any(self) -> bool:
        return any(self.groups.values())

    def leaking(self) -> list:
        return [g for g, seen in self.groups.items() if seen]

    def words(self) -> str:
        """The instruments by name, for a reason ("the cross-fitted loss oracle and RMIA")."""
        names = [INSTRUMENTS[i] for i in self.instruments] or ["no instrument"]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def leakage(frame: pd.DataFrame, groups: list[str], margin_scale: float = 1.0) -> Leakage:
    """Leakage per group of ``groups`` columns (one group when empty), by every instrument."""
    instruments = instruments_of(frame)
    report = Leakage(instruments=instruments)
    parts = frame.groupby(groups, dropna=False) if groups else [((), frame)]
    largest = []
    for label, part in parts:
        seen = []
        for name in instruments:
            value = excess(part, name, margin_scale)
            if not np.isnan(value):
                largest.append(part[f"{name}_{METRIC}"].mean() - 0.5)
            if value > 0:
                seen.append(name)
        report.groups[label] = seen
    report.largest = float(max(largest)) if largest else float("nan")
    return report


def attack_sees(frame: pd.DataFrame, y: str, n_column: str, groups: list[str], scale=1.0) -> bool:
    """Whether an attack's balanced accuracy exceeds the null margin in any group."""
    if y not in frame or n_column not in frame:
        return False
    parts = frame.groupby(groups, dropna=False) if groups else [((), frame)]
    for _, part in parts:
        values, counts = part[y].to_numpy(float), part[n_column].to_numpy(float)
        ok = ~(np.isnan(values) | np.isnan(counts))
        if ok.any() and values[ok].mean() - 0.5 > scale * null_margin(np.median(counts[ok])):
            return True
    return False


def with_instruments(frame: pd.DataFrame, lira: pd.DataFrame | None) -> pd.DataFrame:
    """A study's result table with the LiRA study's readings of the same experiments joined on
    ``experiment`` (its instrument columns only; rows LiRA did not attack read NaN)."""
    if lira is None:
        return frame
    names = [n for n in INSTRUMENTS if n != "oracle_cv"]
    columns = [c for c in lira if any(c.startswith(f"{n}_mia_") for n in names)]
    return frame.merge(lira[["experiment", *columns]], on="experiment", how="left")
