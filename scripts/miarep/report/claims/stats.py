"""The judge's statistics: bins of x, one value per target, one-sided differences of means
(stratified, paired or not), equivalence bounds and a permutation test for minima.

Every test here is one-sided in the direction a claim states (docs/account.md C5); nothing
is tuned to a paper's numbers.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

#: x with at most this many distinct values is binned by value, otherwise into quantiles
MAX_VALUE_BINS = 10
#: the quantile bins of a continuous x unless a claim names its own number
DEFAULT_BINS = 5
#: permutations behind a test of minima, seeded so a verdict is the same on every rerun
PERMUTATIONS = 2000


def bins_of(values: pd.Series, bins: int | None = None) -> pd.Series:
    """Ordered bin codes 0..B-1: one per distinct value when there are few (a grid), else
    quantile bins of equal row counts (``bins``, default :data:`DEFAULT_BINS`)."""
    values = values.astype(float)
    distinct = np.unique(values.dropna())
    if bins is None and len(distinct) <= MAX_VALUE_BINS:
        return values.map({v: i for i, v in enumerate(distinct)}).astype("Int64")
    q = min(bins or DEFAULT_BINS, len(distinct))
    ranks = values.rank(method="first")
    return pd.Series(pd.qcut(ranks, q, labels=False), index=values.index).astype("Int64")


def per_unit(frame: pd.DataFrame, y: str, keys: list[str], unit: list[str]) -> pd.DataFrame:
    """One value of ``y`` per target (``unit`` columns) within each group of ``keys``: repeated
    readings of one target (Table 2's six shadow kinds) count once (docs/account.md C6)."""
    unit = [u for u in unit if u in frame and u not in keys] or ["_row"]
    data = frame.assign(_row=np.arange(len(frame)))
    return data.groupby(keys + unit, dropna=False)[y].mean().dropna().reset_index()


@dataclass(frozen=True)
class Difference:
    """A difference of means with its standard error and degrees of freedom."""

    value: float
    se: float
    df: float

    def p_above(self, zero: float = 0.0) -> float:
        """One-sided p of the difference exceeding ``zero`` (t distribution)."""
        if not np.isfinite(self.se) or self.se == 0:
            return 0.0 if self.value > zero else 1.0
        return float(stats.t.sf((self.value - zero) / self.se, self.df))

    def reaches(self, direction: float, effect: float, alpha: float) -> bool:
        """Whether the data are consistent with an effect of at least ``effect`` in the
        claimed direction: the one-sided (1 - alpha) upper bound of direction x value."""
        signed = Difference(direction * self.value, self.se, self.df)
        return signed.upper(alpha) >= effect

    def upper(self, alpha: float) -> float:
        """The one-sided (1 - alpha) upper confidence bound."""
        return self.value + float(stats.t.isf(alpha, max(self.df, 1.0))) * self.se

    def lower(self, alpha: float) -> float:
        return self.value - float(stats.t.isf(alpha, max(self.df, 1.0))) * self.se


def welch(a: np.ndarray, b: np.ndarray) -> Difference | None:
    """mean(a) - mean(b) with Welch's standard error; None without two values on each side."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        return None
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se2 = va + vb
    df = se2**2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se2 > 0 else np.inf
    return Difference(float(a.mean() - b.mean()), float(np.sqrt(se2)), float(df))


def paired(differences: np.ndarray) -> Difference | None:
    """The mean of per-target differences (a one-sample t test); None below two targets."""
    d = np.asarray(differences, float)
    if len(d) < 2:
        return None
    return Difference(float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d))), len(d) - 1.0)


def combine(parts: list[Difference]) -> Difference | None:
    """The equally weighted mean of independent strata's differences (Satterthwaite's df)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    k = len(parts)
    value = sum(p.value for p in parts) / k
    variances = [p.se**2 / k**2 for p in parts]
    se2 = sum(variances)
    denominator = sum(v**2 / p.df for v, p in zip(variances, parts, strict=True) if p.df > 0)
    df = se2**2 / denominator if denominator > 0 else np.inf
    return Difference(value, float(np.sqrt(se2)), float(df))


def min_difference_p(
    top: np.ndarray, bottom: np.ndarray, seed: int = 0
) -> tuple[float, float, float]:
    """min(top) - min(bottom), the one-sided permutation p of a difference at least as large
    (values shuffled between the two bins), and the null's 99th percentile (the spread the
    difference's upper bound adds, as a t interval's half-width does for means)."""
    top, bottom = np.asarray(top, float), np.asarray(bottom, float)
    observed = float(top.min() - bottom.min())
    pooled = np.concatenate([top, bottom])
    generator = np.random.default_rng(seed)
    shuffled = np.array([generator.permutation(pooled) for _ in range(PERMUTATIONS)])
    null = shuffled[:, : len(top)].min(axis=1) - shuffled[:, len(top) :].min(axis=1)
    p = float((1 + np.sum(null >= observed - 1e-12)) / (1 + PERMUTATIONS))
    return observed, p, float(np.quantile(null, 0.99))


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and its two-sided p (nan where x or y is constant)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    rho, p = stats.spearmanr(x, y)
    return float(rho), float(p)
