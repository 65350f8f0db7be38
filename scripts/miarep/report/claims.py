"""The claims scorecard: each claim of reference/claims.yaml judged from the result tables.

A claim is judged under every reading the workflow records (the attack lines and the two
protocols, :data:`READINGS`); the primary reading gives the verdict, and a claim whose verdict
differs under another reading "depends on" it. The test of each kind is defined in the spec's
header; this module is its only implementation. Nothing here is tuned to a paper's numbers: the
thresholds are the spec's, fixed before any verdict was computed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from miarep.measures.metrics import mean_ci
from miarep.report import style

REPRODUCES, PARTLY, DOES_NOT, UNTESTABLE = (
    "reproduces",
    "partly",
    "does not reproduce",
    "cannot be tested",
)
PROTOCOLS = {"balanced": style.BALANCED, "paper": style.PAPER}
#: (attack line, protocol); the first is the primary reading
READINGS = [
    (line, protocol)
    for line in ("shokri", "shokri_stated", "metric_best")
    for protocol in PROTOCOLS
]
ALPHA = 0.01
#: An attack (or the oracle bound) "sees" leakage when its balanced accuracy's mean exceeds
#: chance by this much and its 95% CI excludes chance.
LEAK_MARGIN = 0.01
STUDY_KINDS = ("trend", "no_effect", "contrast", "range", "strongest", "differs", "overfit")


@dataclass(frozen=True)
class Claim:
    """One entry of the spec."""

    id: str
    paper: str
    claim: str
    artefact: str
    statistic: str
    check: Mapping

    @property
    def kind(self) -> str:
        return self.check["kind"]


def claims_of(entries: list[Mapping]) -> list[Claim]:
    """The spec's claims (its parsed ``claims`` list), checked for unique ids and known kinds."""
    claims = [Claim(**entry) for entry in entries]
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError("reference/claims.yaml: claim ids repeat")
    known = set(STUDY_KINDS) | {"sign", "defense", "value"}
    for claim in claims:
        if claim.kind not in known:
            raise ValueError(
                f"reference/claims.yaml: claim {claim.id} has unknown kind {claim.kind!r}"
            )
    return claims


@dataclass
class Judgement:
    """A verdict under one reading, with the numbers it rests on."""

    verdict: str
    ours: float = float("nan")
    ci: float = float("nan")
    paper: float = float("nan")
    detail: str = ""


# ----------------------------------------------------------------------------- selections
def select(frame: pd.DataFrame, where: Mapping | None) -> pd.DataFrame:
    """Rows matching ``where``: field -> value, a list of values, or for numbers [low, high]
    when the spec gives two numbers to a continuous field (``delta_mi: [0.0, 0.1]``)."""
    keep = np.ones(len(frame), bool)
    for field, wanted in (where or {}).items():
        if field == "shadow_model" and wanted == "same":
            keep &= (frame["shadow_model"] == frame["target_model"]).to_numpy()
            continue
        column = frame[field]
        if isinstance(wanted, list):
            numeric = pd.api.types.is_float_dtype(column) and field not in ("l2", "learning_rate")
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


def leaks(frame: pd.DataFrame, line: str) -> bool:
    """Whether a line's balanced accuracy is above chance over the rows (docs: LEAK_MARGIN)."""
    mean, ci = mean_ci(frame[style.column(line, style.BALANCED)].to_numpy(float))
    return bool(mean - 0.5 > LEAK_MARGIN and (np.isnan(ci) or mean - ci > 0.5))


# ----------------------------------------------------------------------------- study kinds
def _direction_ok(value: float, direction: str) -> bool:
    return value > 0 if direction == "up" else value < 0


def _trend(frame, check, y) -> Judgement:
    x = check["x"]
    if check.get("aggregate") == "min":
        points = frame.groupby(x)[y].min()
        xs, ys = points.index.to_numpy(float), points.to_numpy(float)
        change = ys[-1] - ys[0]
    else:
        xs, ys = frame[x].to_numpy(float), frame[y].to_numpy(float)
        ends = frame.groupby(x)[y].mean()
        change = float(ends.iloc[-1] - ends.iloc[0])
    ok = ~(np.isnan(xs) | np.isnan(ys))
    if ok.sum() < 3 or np.ptp(xs[ok]) == 0:
        return Judgement(UNTESTABLE, detail="fewer than 3 points or no spread in x")
    rho, p = stats.spearmanr(xs[ok], ys[ok])
    signed = _direction_ok(rho, check["direction"]) and p < ALPHA
    big = _direction_ok(change, check["direction"]) and abs(change) >= check["effect"]
    verdict = REPRODUCES if signed and big else PARTLY if signed else DOES_NOT
    return Judgement(
        verdict, float(change), detail=f"rho {rho:+.3f} (p {p:.2g}), change {change:+.3f}"
    )


def _no_effect(frame, check, y) -> Judgement:
    x = check["x"]
    if frame[x].nunique() < 2:
        return Judgement(UNTESTABLE, detail="one value of x")
    means = frame.groupby(x)[y].mean()
    span = float(means.max() - means.min())
    if pd.api.types.is_numeric_dtype(frame[x]):
        rho, p = stats.spearmanr(frame[x].to_numpy(float), frame[y].to_numpy(float))
    else:
        rho, p = 0.0, 1.0
    flat = abs(rho) < 0.1 or p >= ALPHA
    small = span < check["effect"]
    verdict = REPRODUCES if flat and small else PARTLY if flat or small else DOES_NOT
    return Judgement(verdict, span, detail=f"rho {rho:+.3f} (p {p:.2g}), span of means {span:.3f}")


def _contrast(frame, check, y) -> Judgement:
    a, b = select(frame, check["a"])[y].dropna(), select(frame, check["b"])[y].dropna()
    if len(a) < 2 or len(b) < 2:
        return Judgement(UNTESTABLE, detail=f"{len(a)} and {len(b)} rows")
    difference = float(a.mean() - b.mean())
    p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    signed = _direction_ok(difference, check["direction"]) and p < ALPHA
    big = abs(difference) >= check["effect"]
    verdict = REPRODUCES if signed and big else PARTLY if signed else DOES_NOT
    return Judgement(verdict, difference, detail=f"difference {difference:+.3f} (p {p:.2g})")


def _range(frame, check, y) -> Judgement:
    values = select(frame, check["where"])[y].to_numpy(float)
    mean, ci = mean_ci(values)
    if np.isnan(mean):
        return Judgement(UNTESTABLE, detail="no rows in the range")
    ci0 = 0.0 if np.isnan(ci) else ci
    inside = check["low"] <= mean <= check["high"]
    overlaps = mean + ci0 >= check["low"] and mean - ci0 <= check["high"]
    verdict = REPRODUCES if inside else PARTLY if overlaps else DOES_NOT
    return Judgement(verdict, mean, ci, detail=f"{len(values)} runs")


def _strongest(frame, check, y) -> Judgement:
    rhos = {}
    for x in check["x"]:
        rho, _ = stats.spearmanr(frame[x].to_numpy(float), frame[y].to_numpy(float))
        rhos[x] = float(rho)
    best = max(rhos, key=lambda k: abs(rhos[k]) if not np.isnan(rhos[k]) else -1)
    signed = _direction_ok(rhos[check["strongest"]], check["direction"])
    verdict = REPRODUCES if best == check["strongest"] and signed else DOES_NOT
    text = ", ".join(f"{k} {v:+.3f}" for k, v in rhos.items())
    return Judgement(verdict, rhos[check["strongest"]], detail=f"rho: {text}")


def _differs(frame, check, y) -> Judgement:
    groups = [g[y].dropna().to_numpy() for _, g in frame.groupby(check["x"])]
    if len(groups) < 2:
        return Judgement(UNTESTABLE, detail="one group")
    pooled = np.concatenate(groups)
    if pooled.size and np.ptp(pooled) == 0:  # Kruskal-Wallis is undefined without ranks
        return Judgement(DOES_NOT, 0.0, detail=f"every experiment reads {pooled[0]:.3f}")
    p = float(stats.kruskal(*groups).pvalue)
    means = [g.mean() for g in groups]
    span = float(max(means) - min(means))
    verdict = (
        REPRODUCES if p < ALPHA and span >= check["effect"] else PARTLY if p < ALPHA else DOES_NOT
    )
    return Judgement(verdict, span, detail=f"Kruskal-Wallis p {p:.2g}, span of means {span:.3f}")


def _overfit(frame, check, y) -> Judgement:
    chosen = select(frame, check["configs"])
    keys = list(check["configs"])
    by = chosen.groupby(keys)
    gaps = (by["train_accuracy"].mean() - by["test_accuracy"].mean()).abs()
    means = by[y].mean()
    if len(means) < 2:
        return Judgement(UNTESTABLE, detail="fewer than two configurations")
    spread = float(means.max() - means.min())
    gap = float(gaps.max())
    fits = gap <= check["gap"]
    differs = spread >= check["spread"]
    verdict = REPRODUCES if fits and differs else PARTLY if fits or differs else DOES_NOT
    return Judgement(verdict, spread, detail=f"largest gap {gap:.3f}, spread of MIA {spread:.3f}")


STUDY_TESTS: dict[str, Callable] = {
    "trend": _trend,
    "no_effect": _no_effect,
    "contrast": _contrast,
    "range": _range,
    "strongest": _strongest,
    "differs": _differs,
    "overfit": _overfit,
}


def judge_study(claim: Claim, frame: pd.DataFrame, line: str, protocol: str) -> Judgement:
    """One reading of a study claim, with the leak check before it (spec header)."""
    frame = select(frame, claim.check.get("where"))
    if frame.empty:
        return Judgement(UNTESTABLE, detail="no experiment matches the claim's rows")
    y = style.column(line, PROTOCOLS[protocol])
    test = STUDY_TESTS[claim.kind]
    judgement = test(frame, claim.check, y)
    if protocol == "paper" and judgement.verdict in (REPRODUCES, PARTLY):
        blind = test(frame.assign(_blind=style.blind_of(frame, line)), claim.check, "_blind")
        if blind.verdict in (REPRODUCES, PARTLY):
            judgement.detail += (
                "; explained by the protocol: a blind attack calling the same share 'member' "
                f"(0.25 + 0.5 r) gives {blind.verdict} too ({blind.detail})"
            )
    if judgement.verdict in (REPRODUCES, UNTESTABLE) or leaks(frame, line):
        return judgement
    if leaks(frame, "oracle"):
        return Judgement(
            UNTESTABLE,
            judgement.ours,
            detail="attack too weak: the oracle bound "
            f"sees leakage, {line} does not; {judgement.detail}",
        )
    judgement.detail = f"nothing leaks (oracle bound at chance); {judgement.detail}"
    return judgement


# ----------------------------------------------------------------------------- table kinds
def judge_sign(table: pd.DataFrame, dataset: str) -> Judgement:
    """Table 4: the share of property pairs whose two coefficients have the paper's sign at
    p < 0.001 (reproduces: all of them on both; partly: most on one)."""
    part = table[table["dataset"] == dataset]
    if part.empty:
        return Judgement(UNTESTABLE, detail="data not present")
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


def judge_defense(table: pd.DataFrame, check: Mapping, dataset: str, line: str, protocol: str):
    """Table 5: the best paper regularizer's drop in the attack against None, and its cost in
    test accuracy (points). A drop counts only beyond the noise of the two cells (their 95%
    half-widths combined as for a difference of independent means)."""
    part = table[(table["dataset"] == dataset) & (table["target"] == check["target"])]
    if part.empty:
        return Judgement(UNTESTABLE, detail="data not present")
    column = f"{line}_{'balanced' if protocol == 'balanced' else 'paper_protocol'}_pct"
    if column not in part:
        return Judgement(UNTESTABLE, detail=f"no column {column}")
    none = part[part["regularizer"] == "None"].iloc[0]
    regularizers = part[
        part["regularizer"].isin(["L1", "L2", "delta_g", "delta_p", "delta_i", "I_X"])
    ]
    best = regularizers.loc[regularizers[column].idxmin()]
    drop = float(none[column] - best[column])
    cost = float(none["test_pct"] - best["test_pct"])
    interval = column.removesuffix("_pct") + "_ci"
    noise = float(np.hypot(none[interval], best[interval])) if interval in part else 0.0
    dropped = drop > noise
    lower = dropped and drop >= 100 * check["effect"]
    kept = cost <= 100 * check["utility"]
    verdict = REPRODUCES if lower and kept else PARTLY if dropped and kept else DOES_NOT
    return Judgement(
        verdict,
        drop,
        paper=25.0,
        detail=f"best {best['regularizer']}: attack {none[column]:.2f} -> {best[column]:.2f} "
        f"(a drop of {drop:.2f} points against noise of {noise:.2f}), "
        f"test accuracy cost {cost:+.1f}",
    )


def judge_value(table: pd.DataFrame | None, check: Mapping) -> Judgement:
    """A headline number: ours (the mean of the matching rows) within the spec's tolerance."""
    if table is None:
        return Judgement(UNTESTABLE, paper=check["paper"], detail="artefact not built here")
    part = select(table, check.get("where"))
    if part.empty or check["column"] not in part:
        return Judgement(UNTESTABLE, paper=check["paper"], detail="data not present")
    ours = float(part[check["column"]].astype(float).mean())
    near = abs(ours - check["paper"]) <= check["tolerance"]
    verdict = REPRODUCES if near else DOES_NOT
    return Judgement(verdict, ours, paper=check["paper"], detail=f"tolerance {check['tolerance']}")


# ----------------------------------------------------------------------------- the scorecard
def scorecard(
    claims: list[Claim],
    study: Callable[[str, str], pd.DataFrame | None],
    table: Callable[[str], pd.DataFrame | None],
    datasets: list[str],
) -> pd.DataFrame:
    """One row per claim and dataset: the primary verdict with its numbers, every reading's
    verdict, and "depends on" naming the readings whose verdict differs."""
    rows = []
    for claim in claims:
        for dataset in _datasets_of(claim, datasets):
            readings = _readings(claim, study, table, dataset) or {
                ("-", "-"): Judgement(UNTESTABLE, detail="no attack columns")
            }
            primary = readings.get(READINGS[0], next(iter(readings.values())))
            others = {r: j.verdict for r, j in readings.items() if j.verdict != primary.verdict}
            rows.append(
                {
                    "id": claim.id,
                    "paper": claim.paper,
                    "claim": claim.claim,
                    "artefact": claim.artefact,
                    "dataset": dataset,
                    "verdict": primary.verdict,
                    "depends_on": "; ".join(f"{a}/{p}: {v}" for (a, p), v in others.items()),
                    "ours": primary.ours,
                    "ci": primary.ci,
                    "paper_value": primary.paper,
                    "detail": primary.detail,
                    "statistic": claim.statistic,
                }
                | {f"verdict_{a}_{p}": j.verdict for (a, p), j in readings.items()}
            )
    return pd.DataFrame(rows)


def _datasets_of(claim: Claim, datasets: list[str]) -> list[str]:
    if claim.kind in STUDY_KINDS or claim.kind in ("sign", "defense"):
        return datasets
    where = claim.check.get("where", {})
    return [str(where.get("dataset", "adult"))]


def _readings(claim, study, table, dataset) -> dict:
    check = claim.check
    if claim.kind == "value":
        return {("-", "-"): judge_value(table(check["table"]), check)}
    if claim.kind == "sign":
        source = table(check["table"])
        judged = judge_sign(source, dataset) if source is not None else Judgement(UNTESTABLE)
        return {("-", "-"): judged}
    if claim.kind == "defense":
        source = table("table_5")
        if source is None:
            return {("-", "-"): Judgement(UNTESTABLE, detail="table_5 not built here")}
        return {
            (line, protocol): judge_defense(source, check, dataset, line, protocol)
            for line, protocol in READINGS
        }
    frames = [study(s, dataset) for s in check["studies"]]
    if any(f is None for f in frames):
        return {("-", "-"): Judgement(UNTESTABLE, detail="data not present")}
    frame = pd.concat(frames, ignore_index=True)
    return {
        (line, protocol): judge_study(claim, frame, line, protocol)
        for line, protocol in READINGS
        if style.column(line, PROTOCOLS[protocol]) in frame
    }


def verdict_counts(card: pd.DataFrame) -> str:
    """How many claim-dataset pairs got each verdict, in the verdicts' order."""
    counts = card["verdict"].value_counts()
    order = [REPRODUCES, PARTLY, DOES_NOT, UNTESTABLE]
    return ", ".join(f"{counts.get(v, 0)} {v}" for v in order) + f" (of {len(card)})"


def markdown(card: pd.DataFrame, stamp: str) -> str:
    """The scorecard as a page: counts per verdict, then one line per claim and dataset."""
    lines = [
        "# Claims scorecard",
        "",
        stamp,
        "",
        verdict_counts(card) + ".",
        "",
        "| id | paper | claim | dataset | verdict | ours | paper | detail | depends on |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in card.to_dict("records"):
        ours = "" if pd.isna(row["ours"]) else f"{row['ours']:.3g}"
        if not pd.isna(row["ci"]):
            ours += f" ± {row['ci']:.2g}"
        paper = "" if pd.isna(row["paper_value"]) else f"{row['paper_value']:.3g}"
        cells = [
            row["id"],
            row["paper"],
            row["claim"],
            row["dataset"],
            f"**{row['verdict']}**",
            ours,
            paper,
            row["detail"],
            row["depends_on"],
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def read_table(path: str | Path) -> pd.DataFrame:
    """A result CSV, with the paper's "None" regularizer kept as text."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _plain(text) -> str:
    """Text safe inside reStructuredText and a Jinja caption template."""
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    for char, repl in (("{", "("), ("}", ")"), ("*", "x"), ("|", "/"), ("`", "'"), ("_", " ")):
        text = text.replace(char, repl)
    return text


def _number(value) -> str:
    return "" if pd.isna(value) else f"{value:.3g}"


def claim_line(row: Mapping) -> str:
    """One claim's verdict as a sentence: id, dataset, verdict, our number, the paper's."""
    numbers = f"ours {_number(row['ours'])}" if not pd.isna(row["ours"]) else ""
    if not pd.isna(row["paper_value"]):
        numbers += f", paper {_number(row['paper_value'])}"
    depends = f"; depends on {_plain(row['depends_on'])}" if row["depends_on"] else ""
    return (
        f"**{row['id']}** ({row['dataset']}): **{row['verdict']}** - {_plain(row['claim'])} "
        f"({numbers}{'; ' if numbers else ''}{_plain(row['detail'])}{depends})"
    )


def landing_rst(card: pd.DataFrame, stamp: str) -> str:
    """The report's landing page: the scorecard, one bullet per claim and dataset."""
    lines = [
        "Claims scorecard",
        "================",
        "",
        f"{_plain(stamp)} {verdict_counts(card)} claim-dataset pairs; every reading in "
        "results/claims.csv.",
        "",
    ]
    for paper, part in card.groupby("paper", sort=False):
        lines += [_plain(paper), "-" * len(_plain(paper)), ""]
        lines += [f"- {claim_line(row)}" for row in part.to_dict("records")]
        lines.append("")
    return "\n".join(lines)


def caption_with_claims(template: str, card: pd.DataFrame, artefact: str) -> str:
    """An artefact's caption template followed by the claims it carries and their verdicts."""
    rows = card[card["artefact"] == artefact].to_dict("records")
    if not rows:
        return template
    claims_text = " ".join(claim_line(row) for row in rows)
    return template.rstrip() + f"\n\nClaims and verdicts: {claims_text}\n"
