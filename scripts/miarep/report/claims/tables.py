"""Claims judged on built tables: a headline value, Table 4's signs, Table 5's defenses."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from miarep.report.claims.spec import (
    DOES_NOT,
    NO_DATA,
    NO_LEAK_LEVEL,
    NOT_BUILT,
    NOTHING_LEAKS,
    PARTLY,
    REPRODUCES,
    UNTESTABLE,
)
from miarep.report.claims.study import AS_STATED, Judgement, Scale, select

#: Tonni et al.'s own regularizers (Table 5); other defenses never count in their claims
PAPER_REGULARIZERS = ("L1", "L2", "delta_g", "delta_p", "delta_i", "I_X")
FAIRNESS = ("delta_g", "delta_p", "delta_i")


def judge_value(table: pd.DataFrame | None, check: Mapping, scale: Scale = AS_STATED) -> Judgement:
    """A headline number against the paper's: two-sided within the tolerance, or one-sided
    (``side: at_least`` / ``at_most``: ours no further than the tolerance on the wrong side)."""
    paper = float(check["paper"])
    if table is None:
        return Judgement(
            UNTESTABLE, paper=paper, detail="artefact not built here", reason=NOT_BUILT
        )
    part = select(table, check.get("where"))
    if part.empty or check["column"] not in part:
        return Judgement(UNTESTABLE, paper=paper, detail=NO_DATA, reason=NO_DATA)
    ours = float(part[check["column"]].astype(float).mean())
    if "minus" in check:  # a difference of two columns (e.g. metric attack minus NN attack)
        if check["minus"] not in part:
            return Judgement(UNTESTABLE, paper=paper, detail=NO_DATA, reason=NO_DATA)
        ours -= float(part[check["minus"]].astype(float).mean())
    if np.isnan(ours):
        return Judgement(UNTESTABLE, paper=paper, detail=NO_DATA, reason=NO_DATA)
    tolerance = scale.effect * check["tolerance"]
    side = check.get("side", "two_sided")
    if side == "at_least":
        held, words = ours >= paper - tolerance, f"at least {paper - tolerance:g}"
    elif side == "at_most":
        held, words = ours <= paper + tolerance, f"at most {paper + tolerance:g}"
    else:
        held = abs(ours - paper) <= tolerance
        words = f"within {tolerance:g} of {paper:g}"
    return Judgement(
        REPRODUCES if held else DOES_NOT, ours, paper=paper, detail=f"ours {ours:.3g}, {words}"
    )


def table_leaks(table: pd.DataFrame | None, gate: Mapping) -> tuple[bool | None, str]:
    """Whether the best of ``columns`` (attack accuracies in %, each with a ``_ci`` column:
    its 95% half-width over repetitions) on the gate's rows is clear of chance (50%)."""
    if table is None:
        return None, ""
    rows = select(table, gate.get("where"))
    best, name = -np.inf, ""
    for column in gate["columns"]:
        if column not in rows or rows[column].isna().all():
            continue
        value = float(rows[column].astype(float).mean())
        ci = rows.get(column.removesuffix("_pct") + "_ci")
        half = float(ci.astype(float).mean()) if ci is not None and ci.notna().any() else 0.0
        if value - 50.0 - half > best:
            best, name = (
                value - 50.0 - half,
                f"{column.removesuffix('_pct')} {value:.1f} ± {half:.1f}",
            )
    if name == "":
        return None, ""
    return best > 0, name


def judge_sign(table: pd.DataFrame, dataset: str) -> Judgement:
    """Table 4: the share of property pairs whose two coefficients have the paper's sign at
    p < 0.001 (reproduces: all of them on both; partly: most on one)."""
    part = table[table["dataset"] == dataset]
    if part.empty:
        return Judgement(UNTESTABLE, detail=NO_DATA, reason=NO_DATA)
    both, either = 0, 0
    for row in part.to_dict("records"):
        hits = [
            np.sign(row[k]) == np.sign(row[f"paper_{k}"]) and row[p] < 0.001
            for k, p in (("pearson_r", "pearson_p"), ("spearman_rho", "spearman_p"))
        ]
        both += all(hits)
        either += any(hits)
    n = len(part)
    verdict = REPRODUCES if both == n else PARTLY if either >= n / 2 else DOES_NOT
    return Judgement(verdict, both / n, detail=f"{both} of {n} pairs on both, {either} on one")


def _column(line: str, protocol: str) -> str:
    return f"{line}_{'balanced' if protocol == 'balanced' else 'paper_protocol'}_pct"


def _cells(table: pd.DataFrame, check: Mapping, dataset: str, line: str, protocol: str):
    part = table[(table["dataset"] == dataset) & (table["target"] == check["target"])]
    column = _column(line, protocol)
    if part.empty or column not in part:
        return None, column
    return part.set_index("regularizer"), column


def _noise(cells: pd.DataFrame, column: str, a: str, b: str) -> float:
    interval = column.removesuffix("_pct") + "_ci"
    if interval not in cells:
        return 0.0
    return float(np.hypot(cells.loc[a, interval], cells.loc[b, interval]))


def judge_defense(
    table: pd.DataFrame,
    check: Mapping,
    dataset: str,
    line: str,
    protocol: str,
    leaks: bool | None = None,
    scale: Scale = AS_STATED,
) -> Judgement:
    """Table 5: the best paper regularizer's drop in the attack against None beyond the two
    cells' noise (the relation) and at least the claimed effect (the level), at most the
    claimed cost in test accuracy. ``leaks``: whether None's target leaks (None: unknown)."""
    cells, column = _cells(table, check, dataset, line, protocol)
    if cells is None:
        return Judgement(UNTESTABLE, detail=NO_DATA, reason=NO_DATA)
    regularizers = cells[cells.index.isin(PAPER_REGULARIZERS)]
    best = regularizers[column].idxmin()
    none = cells.loc["None"]
    drop = float(none[column] - cells.loc[best, column])
    cost = float(none["test_pct"] - cells.loc[best, "test_pct"])
    noise = _noise(cells, column, "None", best)
    dropped = drop > noise * scale.margin
    lower = dropped and drop >= 100 * check["effect"] * scale.effect
    kept = cost <= 100 * check["utility"]
    detail = (
        f"best {best}: attack {none[column]:.2f} -> {cells.loc[best, column]:.2f} "
        f"(a drop of {drop:.2f} points against noise of {noise:.2f}), "
        f"test accuracy cost {cost:+.1f}"
    )
    if leaks is False:
        return Judgement(
            DOES_NOT,
            drop,
            paper=25.0,
            detail=f"no drop to look for where nothing leaks; {detail}",
            reason=NO_LEAK_LEVEL,
        )
    verdict = REPRODUCES if lower and kept else PARTLY if dropped and kept else DOES_NOT
    return Judgement(verdict, drop, paper=25.0, detail=detail)


def judge_defense_compare(
    table: pd.DataFrame,
    check: Mapping,
    dataset: str,
    line: str,
    protocol: str,
    leaks: bool | None = None,
    scale: Scale = AS_STATED,
) -> Judgement:
    """Table 5's comparatives: every regularizer of ``these`` beats every one of ``than`` on
    the attack (lower, beyond noise: ``better: lower``) and on test accuracy (not lower), or
    (``better: none``) changes the attack by no more than the cells' noise."""
    cells, column = _cells(table, check, dataset, line, protocol)
    if cells is None:
        return Judgement(UNTESTABLE, detail=NO_DATA, reason=NO_DATA)
    these = [r for r in check["these"] if r in cells.index]
    than = [r for r in check["than"] if r in cells.index]
    if not these or not than:
        return Judgement(UNTESTABLE, detail=NO_DATA, reason=NO_DATA)
    if leaks is False:
        return Judgement(UNTESTABLE, detail="None's target reads chance", reason=NOTHING_LEAKS)
    texts, wins, total = [], 0, 0
    for a in these:
        for b in than:
            gap = float(cells.loc[b, column] - cells.loc[a, column])
            noise = _noise(cells, column, a, b) * scale.margin
            total += 1
            if check.get("better", "lower") == "none":
                wins += abs(gap) <= noise
            else:
                wins += gap > noise and cells.loc[a, "test_pct"] >= cells.loc[b, "test_pct"]
            texts.append(f"{a} vs {b} {gap:+.2f} (noise {noise:.2f})")
    verdict = REPRODUCES if wins == total else PARTLY if wins else DOES_NOT
    return Judgement(verdict, wins / total, detail=f"{wins} of {total} hold: " + "; ".join(texts))
