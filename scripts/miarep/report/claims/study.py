"""One part of a claim judged on a study's experiments under one reading (docs/account.md C).

A relation part (a direction, no effect, a difference, a range that holds chance) is judged
only on the strata where something leaks; where nothing does it "cannot be tested: nothing
leaks". A level part (a value the paper's models reach) is judged everywhere; not reached where
nothing leaks, it does not reproduce because "the paper's models do not leak here".
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from miarep.measures.metrics import mean_ci
from miarep.report import style
from miarep.report.claims import leakage as leak
from miarep.report.claims import stats as s
from miarep.report.claims.spec import (
    ALPHA,
    DOES_NOT,
    NO_LEAK_LEVEL,
    NOTHING_LEAKS,
    PARTLY,
    REPRODUCES,
    TOO_WEAK,
    UNTESTABLE,
    part_name,
)

PROTOCOLS = {"balanced": style.BALANCED, "paper": style.PAPER}


@dataclass
class Judgement:
    """A verdict with the numbers it rests on, and the reason when it cannot be tested."""

    verdict: str
    ours: float = float("nan")
    ci: float = float("nan")
    paper: float = float("nan")
    detail: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Scale:
    """The sensitivity note's multipliers of the spec's effects and the leakage margin."""

    effect: float = 1.0
    margin: float = 1.0


#: The spec's effects and margin as written
AS_STATED = Scale()


# ----------------------------------------------------------------------------- selections
def select(frame: pd.DataFrame, where: Mapping | None) -> pd.DataFrame:
    """Rows matching ``where``: field -> value, a list of values, or for numbers [low, high]
    when the spec gives two numbers to a continuous field (``delta_mi: [0.0, 0.1]``)."""
    keep = np.ones(len(frame), bool)
    for name, wanted in (where or {}).items():
        if name == "shadow_model" and wanted == "same":
            keep &= (frame["shadow_model"] == frame["target_model"]).to_numpy()
            continue
        column = frame[name]
        if isinstance(wanted, list):
            numeric = pd.api.types.is_float_dtype(column) and name not in ("l2", "learning_rate")
            if numeric and len(wanted) == 2:
                keep &= column.between(wanted[0], wanted[1]).to_numpy()
            elif pd.api.types.is_numeric_dtype(column):
                keep &= np.isin(column.to_numpy(float), np.asarray(wanted, float))
            else:
                keep &= column.isin(wanted).to_numpy()
        elif pd.api.types.is_numeric_dtype(column):
            keep &= np.isclose(column.to_numpy(float), float(wanted))
        else:
            keep &= (column == wanted).to_numpy()
    return frame[keep]


def y_of(check: Mapping, line: str, protocol: str) -> str:
    """The column a part reads: its own ``y`` (a model property) or the reading's attack."""
    if check["kind"] == "gap":
        return "train_accuracy"  # the gap reads train and test accuracy, no attack
    return check.get("y") or style.column(line, PROTOCOLS[protocol])


def is_attack(check: Mapping) -> bool:
    """Whether a part reads an attack (so leakage gates it) rather than a model property."""
    return "y" not in check and check["kind"] != "gap"


def _sign(direction: str) -> float:
    return 1.0 if direction == "up" else -1.0


def _units(check: Mapping) -> list[str]:
    return list(check.get("unit", ["experiment"]))


def _with_bins(frame: pd.DataFrame, check: Mapping) -> pd.DataFrame:
    return frame.assign(_bin=s.bins_of(frame[check["x"]], check.get("bins")))


def _strata(frame: pd.DataFrame, within: list[str]):
    return frame.groupby(within, dropna=False) if within else [("all", frame)]


def _label(key) -> str:
    if isinstance(key, tuple):
        return ", ".join(str(k) for k in key) if key else "all"
    return str(key)


def _one_sided(difference: s.Difference, check: Mapping, scale: Scale) -> tuple[str, float]:
    """The verdict of a difference in the claimed direction (spec rule 4), and its p."""
    direction = _sign(check["direction"])
    p = difference.p_above() if direction > 0 else 1 - difference.p_above()
    shown = difference.value * direction > 0 and p < ALPHA
    big = difference.reaches(direction, scale.effect * check["effect"], ALPHA)
    return (REPRODUCES if shown and big else PARTLY if shown else DOES_NOT), p


# ----------------------------------------------------------------------------- relations
def _trend(frame, check, y, scale, gate):
    """Top bin against bottom bin of x (binned means, or minima), per leaking stratum."""
    direction = _sign(check["direction"])
    frame = _with_bins(frame, check)
    within = list(check.get("within", []))
    units = s.per_unit(frame, y, within + ["_bin"], _units(check))
    parts, minima, used, pairs = [], [], [], []
    for key, stratum in _strata(units, within):
        if not gate(key):
            continue
        top, bottom = stratum["_bin"].max(), stratum["_bin"].min()
        if top == bottom:
            continue
        a = stratum.loc[stratum["_bin"] == top, y].to_numpy()
        b = stratum.loc[stratum["_bin"] == bottom, y].to_numpy()
        used.append(_label(key))
        if check.get("paired"):  # the same samples at every x (a model sweep): differences
            unit = [u for u in _units(check) if u in stratum] or ["_row"]
            wide = stratum.pivot_table(index=unit, columns="_bin", values=y)
            pairs.append((wide[top] - wide[bottom]).dropna().to_numpy())
        elif check.get("aggregate") == "min":
            d, p, spread = s.min_difference_p(a, b) if direction > 0 else s.min_difference_p(b, a)
            minima.append((d * direction, p, spread))  # min(top) - min(bottom), p, spread
        else:
            parts.append(s.welch(a, b))
    if not used:
        return None
    rho, _ = s.spearman(units["_bin"], units[y])
    if check.get("aggregate") == "min":
        change = float(np.mean([m for m, _, _ in minima]))
        p = float(np.max([q for _, q, _ in minima]))
        shown = change * direction > 0 and p < ALPHA
        big = change * direction + float(np.mean([w for _, _, w in minima])) >= (
            scale.effect * check["effect"]
        )
        verdict = REPRODUCES if shown and big else PARTLY if shown else DOES_NOT
        text = f"top minus bottom bin's minimum {change:+.3f} (permutation p {p:.2g})"
    else:
        difference = s.paired(np.concatenate(pairs)) if pairs else s.combine(parts)
        if difference is None:
            return Judgement(UNTESTABLE, detail="fewer than two targets in a bin")
        change = difference.value
        verdict, p = _one_sided(difference, check, scale)
        text = f"top minus bottom bin {change:+.3f} (one-sided p {p:.2g})"
    strata = f" in {', '.join(used)}" if check.get("within") else ""
    return Judgement(verdict, change, detail=f"{text}{strata}; Spearman rho {rho:+.3f}")


def _no_effect(frame, check, y, scale, gate):
    """Equivalence: the spread of binned means stays below the effect at the 99% bound."""
    frame = _with_bins(frame, check)
    within = list(check.get("within", []))
    units = s.per_unit(frame, y, within + ["_bin"], _units(check))
    worst, used = None, []
    for key, stratum in _strata(units, within):
        if not gate(key):
            continue
        means = stratum.groupby("_bin")[y].mean()
        if len(means) < 2:
            continue
        high, low = means.idxmax(), means.idxmin()
        diff = s.welch(
            stratum.loc[stratum["_bin"] == high, y], stratum.loc[stratum["_bin"] == low, y]
        )
        if diff is None:
            continue
        used.append(_label(key))
        if worst is None or diff.upper(ALPHA) > worst.upper(ALPHA):
            worst = diff
    if not used:
        return None
    if worst is None:
        return Judgement(UNTESTABLE, detail="fewer than two targets in a bin")
    effect = scale.effect * check["effect"]
    bound = worst.upper(ALPHA)
    if bound < effect:
        verdict, why = REPRODUCES, "within the effect"
    elif worst.lower(ALPHA) > 0:
        verdict, why = DOES_NOT, "an effect is seen"
    else:
        verdict, why = DOES_NOT, "the data cannot rule out an effect of that size"
    return Judgement(
        verdict,
        worst.value,
        detail=f"spread of binned means {worst.value:.3f}, 99% upper bound {bound:.3f} "
        f"against {effect:.3f}: {why}",
    )


def _contrast(frame, check, y, scale, gate):
    """Rows ``a`` minus rows ``b`` (paired per target where both hold it), one-sided."""
    a, b = select(frame, check["a"]), select(frame, check["b"])
    if not gate("a") and not gate("b"):
        return None
    unit = _units(check)
    ua = s.per_unit(a, y, [], unit).set_index([u for u in unit if u in a] or ["_row"])[y]
    ub = s.per_unit(b, y, [], unit).set_index([u for u in unit if u in b] or ["_row"])[y]
    shared = ua.index.intersection(ub.index)
    if check.get("paired") and len(shared) >= 2:
        difference = s.paired((ua.loc[shared] - ub.loc[shared]).to_numpy())
        how = f"paired over {len(shared)} targets"
    else:
        difference = s.welch(ua.to_numpy(), ub.to_numpy())
        how = f"{len(ua)} against {len(ub)} targets"
    if difference is None:
        return Judgement(UNTESTABLE, detail=f"{len(ua)} and {len(ub)} targets")
    verdict, p = _one_sided(difference, check, scale)
    return Judgement(
        verdict,
        difference.value,
        detail=f"difference {difference.value:+.3f} ({how}, one-sided p {p:.2g})",
    )


def _range(frame, check, y, scale, gate):
    """The rows' mean (one value per target) inside [low, high], with its 99% interval."""
    if is_attack(check) and part_name(check) == "relation" and not gate("all"):
        return None
    values = s.per_unit(frame, y, [], _units(check))[y].to_numpy()
    mean, half = mean_ci(values, 1 - ALPHA)
    if np.isnan(mean):
        return Judgement(UNTESTABLE, detail="no rows in the range")
    half0 = 0.0 if np.isnan(half) else half
    low, high = check["low"], check["high"]
    inside = low <= mean - half0 and mean + half0 <= high
    verdict = REPRODUCES if inside else PARTLY if low <= mean <= high else DOES_NOT
    return Judgement(verdict, mean, half, detail=f"{len(values)} targets, range [{low}, {high}]")


def _strongest(frame, check, y, scale, gate):
    """The named x's rank correlation beats the other's, by a bootstrap over targets."""
    named, other = check["strongest"], check["versus"]
    framed = frame.assign(_bin=s.bins_of(frame[named], check.get("bins")))
    if not gate("all"):
        return None
    unit = [u for u in _units(check) if u in framed] or ["_row"]
    data = framed.assign(_row=np.arange(len(framed)))
    data = data.groupby(unit)[[named, other, y]].mean().dropna()
    if len(data) < 5:
        return Judgement(UNTESTABLE, detail="fewer than 5 targets")
    direction = _sign(check["direction"])
    rho_named, p_named = s.spearman(data[named], data[y])
    rho_other, _ = s.spearman(data[other], data[y])
    generator = np.random.default_rng(0)
    ranks = data.rank().to_numpy()
    idx = generator.integers(0, len(data), size=(1000, len(data)))
    boot = []
    for rows in idx:
        sample = ranks[rows]
        r = np.corrcoef(sample.T)
        boot.append(direction * (r[0, 2] - r[1, 2]))
    boot = np.nan_to_num(np.asarray(boot), nan=0.0)
    p_stronger = float((1 + np.sum(boot <= 0)) / (1 + len(boot)))
    trend = direction * rho_named > 0 and p_named / 2 < ALPHA
    stronger = p_stronger < ALPHA
    verdict = REPRODUCES if trend and stronger else PARTLY if trend else DOES_NOT
    return Judgement(
        verdict,
        direction * (rho_named - rho_other),
        detail=f"rho {named} {rho_named:+.3f} (p {p_named:.2g}), {other} {rho_other:+.3f}; "
        f"bootstrap p of the first being stronger {p_stronger:.2g}",
    )


def _differs(frame, check, y, scale, gate):
    """Kruskal-Wallis across the values of x (one value per target), on leaking strata."""
    within = list(check.get("within", []))
    units = s.per_unit(frame, y, within + [check["x"]], _units(check))
    worst = None
    for key, stratum in _strata(units, within):
        kept = stratum[[gate(key if within else v) for v in stratum[check["x"]]]]
        if check.get("paired"):
            skip = {check["x"], *within}
            unit = [u for u in _units(check) if u in kept and u not in skip] or ["_row"]
            wide = kept.pivot_table(index=unit, columns=check["x"], values=y).dropna()
            groups = [wide[c].to_numpy() for c in wide]
        else:
            groups = [g[y].to_numpy() for _, g in kept.groupby(check["x"])]
        groups = [g for g in groups if len(g)]
        if len(groups) < 2:
            continue
        pooled = np.concatenate(groups)
        means = [g.mean() for g in groups]
        span = float(max(means) - min(means))
        extremes = s.welch(groups[int(np.argmax(means))], groups[int(np.argmin(means))])
        if np.ptp(pooled) == 0 or min(len(g) for g in groups) < 2:
            p = 1.0
        elif check.get("paired") and len(groups) > 2:
            p = float(stats.friedmanchisquare(*groups).pvalue)
        elif check.get("paired"):
            p = float(stats.ttest_rel(groups[0], groups[1]).pvalue)
        else:
            p = float(stats.kruskal(*groups).pvalue)
        reach = span if extremes is None else extremes.upper(ALPHA)
        if worst is None or p < worst[0]:
            worst = (p, span, _label(key), reach)
    if worst is None:
        return None
    p, span, where, reach = worst
    shown = p < ALPHA
    big = reach >= scale.effect * check["effect"]  # consistent with a span that large
    verdict = REPRODUCES if shown and big else PARTLY if shown else DOES_NOT
    at = f" ({where})" if within else ""
    test_name = "Friedman" if check.get("paired") else "Kruskal-Wallis"
    return Judgement(
        verdict,
        span,
        detail=f"{test_name} p {p:.2g}, span of means {span:.3f}{at}",
    )


def _beats_matching(frame, check, y, scale, gate):
    """Some target kind is attacked better by another shadow kind than by its own (paired per
    target, Bonferroni over target kinds)."""
    unit = _units(check)
    kinds = sorted(frame["target_model"].unique())
    found, texts = [], []
    for kind in kinds:
        if not gate(kind):
            continue
        part = frame[frame["target_model"] == kind]
        table = s.per_unit(part, y, ["shadow_model"], unit)
        wide = table.pivot_table(
            index=[u for u in unit if u in table] or ["_row"], columns="shadow_model", values=y
        )
        if kind not in wide:
            continue
        others = wide.drop(columns=[kind, "all"], errors="ignore")
        if others.empty:
            continue
        best = others.mean().idxmax()
        difference = s.paired((wide[best] - wide[kind]).dropna().to_numpy())
        if difference is None:
            continue
        p = difference.p_above() * len(kinds)
        texts.append(f"{kind}: {best} {difference.value:+.3f} (p {min(p, 1):.2g})")
        if difference.value > 0 and p < ALPHA:
            found.append(kind)
    if not texts:
        return None
    verdict = REPRODUCES if found else DOES_NOT
    return Judgement(verdict, float(len(found)), detail="; ".join(texts))


def _columns(frame, check, y, scale, gate):
    """One attack's column minus another's on the same targets (paired), on leaking strata."""
    metric = next((m for m in PROTOCOLS.values() if y.endswith(m)), None)
    a, b = f"{check['a']}_{metric}", f"{check['b']}_{metric}"
    if a not in frame or b not in frame:
        return Judgement(UNTESTABLE, detail=f"no columns {a}, {b}")
    by = list(check.get("within", []))
    keep = (
        np.array([gate(k) for k in zip(*[frame[c] for c in by], strict=True)])
        if by
        else np.full(len(frame), gate("all"))
    )
    if not keep.any():
        return None
    rows = frame[keep]
    unit = [u for u in _units(check) if u in rows] or ["_row"]
    data = rows.assign(_row=np.arange(len(rows))).groupby(unit)[[a, b]].mean().dropna()
    difference = s.paired((data[a] - data[b]).to_numpy())
    if difference is None:
        return Judgement(UNTESTABLE, detail="fewer than two targets")
    verdict, p = _one_sided(difference, check, scale)
    return Judgement(
        verdict,
        difference.value,
        detail=f"{check['a']} minus {check['b']} {difference.value:+.4f} over {len(data)} "
        f"targets where something leaks (one-sided p {p:.2g})",
    )


# ----------------------------------------------------------------------------- levels
def _reach(frame, check, y, scale, gate):
    """A bin's mean (or minimum) reaches the paper's stated level; without x, the highest
    mean of the groups of ``by`` (the largest MIA anywhere in the studies)."""
    if "x" not in check:
        by = list(check["by"])
        units = s.per_unit(frame, y, by, _units(check))
        value = float(units.groupby(by, dropna=False)[y].mean().max())
        words = f"at least {check['at_least']}"
        return Judgement(
            REPRODUCES if value >= check["at_least"] else DOES_NOT,
            value,
            detail=f"largest mean over {', '.join(by)} {value:.3f}, the paper's level {words}",
        )
    framed = _with_bins(frame, check)
    units = s.per_unit(framed, y, ["_bin"], _units(check))
    chosen = units["_bin"].max() if check.get("bin", "top") == "top" else units["_bin"].min()
    values = units.loc[units["_bin"] == chosen, y]
    value = float(values.min() if check.get("aggregate") == "min" else values.mean())
    if "at_least" in check:
        reached, words = value >= check["at_least"], f"at least {check['at_least']}"
    else:
        reached, words = value <= check["at_most"], f"at most {check['at_most']}"
    which = "minimum" if check.get("aggregate") == "min" else "mean"
    return Judgement(
        REPRODUCES if reached else DOES_NOT,
        value,
        detail=f"{check.get('bin', 'top')} bin's {which} {value:.3f}, the paper's level {words}",
    )


def _spread(frame, check, y, scale, gate):
    """The span of the configurations' means reaches the paper's stated spread."""
    if "x" in check:
        chosen, keys = _with_bins(frame, check), ["_bin"]
    else:
        keys = list(check["configs"])
        chosen = select(frame, check["configs"])
    means = s.per_unit(chosen, y, keys, _units(check)).groupby(keys)[y].mean()
    if len(means) < 2:
        return Judgement(UNTESTABLE, detail="fewer than two configurations")
    spread = float(means.max() - means.min())
    reached = spread >= check["at_least"]
    return Judgement(
        REPRODUCES if reached else DOES_NOT,
        spread,
        detail=f"spread of means {spread:.3f}, the paper's at least {check['at_least']}",
    )


def _gap(frame, check, y, scale, gate):
    """No configuration overfits: its mean train-test gap stays within the bound."""
    keys = list(check.get("configs", {}))
    chosen = select(frame, check.get("configs"))
    by = (
        chosen.groupby(keys) if keys else chosen.assign(_row=np.arange(len(chosen))).groupby("_row")
    )
    gaps = [abs(g["train_accuracy"].mean() - g["test_accuracy"].mean()) for _, g in by]
    gap = float(max(gaps))
    verdict = REPRODUCES if gap <= check["at_most"] else DOES_NOT
    return Judgement(verdict, gap, detail=f"largest train-test gap {gap:.3f}")


TESTS = {
    "trend": _trend,
    "no_effect": _no_effect,
    "contrast": _contrast,
    "range": _range,
    "strongest": _strongest,
    "differs": _differs,
    "beats_matching": _beats_matching,
    "columns": _columns,
    "reach": _reach,
    "spread": _spread,
    "gap": _gap,
}


def gate_groups(frame: pd.DataFrame, check: Mapping) -> tuple[pd.DataFrame, list[str], callable]:
    """The frame with a grouping column for the leak check, and the key of a stratum."""
    kind, within = check["kind"], list(check.get("within", []))
    if kind in ("trend", "no_effect"):
        return _with_bins(frame, check), within + ["_bin"], len(within)
    if kind == "contrast":
        a, b = select(frame, check["a"]), select(frame, check["b"])
        return pd.concat([a.assign(_side="a"), b.assign(_side="b")]), ["_side"], 1
    if kind == "differs":
        return frame, within + [check["x"]], len(within) if within else 1
    if kind == "beats_matching":
        return frame, ["target_model"], 1
    if kind == "columns":
        return frame, within, len(within)
    return frame, [], 0


def judge_part(
    check: Mapping, frame: pd.DataFrame, line: str, protocol: str, scale: Scale = AS_STATED
) -> Judgement:
    """One part of a claim under one reading, with the leakage gate (module docstring)."""
    frame = select(frame, check.get("where"))
    if frame.empty:
        return Judgement(UNTESTABLE, detail="no experiment matches the claim's rows", reason="")
    y = y_of(check, line, protocol)
    if y not in frame:
        return Judgement(UNTESTABLE, detail=f"no column {y}")
    test = TESTS[check["kind"]]
    relation = part_name(check) == "relation" and is_attack(check)
    gated, groups, depth = gate_groups(frame, check)
    report = leak.leakage(gated, groups, scale.margin)
    if relation:

        def gate(key) -> bool:
            if depth == 0:
                return report.any
            for label, seen in report.groups.items():
                label = label if isinstance(label, tuple) else (label,)
                key_t = key if isinstance(key, tuple) else (key,)
                if seen and tuple(label[:depth]) == tuple(key_t[:depth]):
                    return True
            return False
    else:

        def gate(key) -> bool:
            return True

    judged = test(frame, check, y, scale, gate)
    if judged is None:
        return Judgement(
            UNTESTABLE,
            detail=f"{report.words()} read chance in every group (the largest mean "
            f"{report.largest:+.3f} above chance, within the null's 99th percentile)",
            reason=NOTHING_LEAKS,
        )
    if not relation:
        if judged.verdict == DOES_NOT and is_attack(check) and not report.any:
            judged.reason = NO_LEAK_LEVEL
            judged.detail += f"; {report.words()} read chance"
        return judged
    if protocol == "paper" and judged.verdict in (REPRODUCES, PARTLY):
        blind = frame.assign(_blind=style.blind_of(frame, line))
        again = test(blind, check, "_blind", scale, gate)
        if again is not None and again.verdict in (REPRODUCES, PARTLY):
            judged.detail += (
                "; explained by the protocol: a blind attack calling the same share 'member' "
                f"(0.25 + 0.5 r) gives {again.verdict} too"
            )
    if judged.verdict != REPRODUCES and not leak.attack_sees(
        gated, style.column(line, style.BALANCED), f"{line}_mia_n", groups, scale.margin
    ):
        return Judgement(
            UNTESTABLE,
            judged.ours,
            detail=f"{report.words()} read leakage, {line} reads chance; {judged.detail}",
            reason=TOO_WEAK,
        )
    return judged
