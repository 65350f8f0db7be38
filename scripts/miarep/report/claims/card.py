"""The scorecard: every claim's parts judged under every reading, combined into one verdict
with its reason, the paper's number and a sensitivity note (docs/account.md C)."""

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from miarep.report.claims import leakage as leak
from miarep.report.claims import tables as t
from miarep.report.claims.spec import (
    ALPHA,
    DOES_NOT,
    NO_DATA,
    NOT_BUILT,
    NOTHING_LEAKS,
    PARTLY,
    REPRODUCES,
    STUDY_KINDS,
    UNTESTABLE,
    Claim,
)
from miarep.report.claims.study import (
    AS_STATED,
    PROTOCOLS,
    Judgement,
    Scale,
    is_attack,
    judge_part,
)
from miarep.report.claims.study import select as judge_select

#: (attack line, protocol); the first is the primary reading
READINGS = [
    (line, protocol)
    for line in ("shokri", "shokri_stated", "metric_best")
    for protocol in PROTOCOLS
]
NO_READING = ("-", "-")
SENSITIVITY = {
    "effect x0.5": Scale(effect=0.5),
    "effect x2": Scale(effect=2.0),
    "margin x0.5": Scale(margin=0.5),
    "margin x2": Scale(margin=2.0),
}

StudyReader = Callable[[str, str], pd.DataFrame | None]
TableReader = Callable[[str], pd.DataFrame | None]


# ----------------------------------------------------------------------------- parts
def _combine(judged: list[tuple[str, Mapping, Judgement]]) -> Judgement:
    """Every part must hold for "reproduces"; "partly" needs a part that earns (one that
    could fail where the attack sees nothing); a level missed where nothing leaks says so."""
    verdicts = [j.verdict for _, _, j in judged]
    earning = [j.verdict for _, c, j in judged if c.get("earns", True)]
    numbered = [j for _, _, j in judged if not np.isnan(j.ours)]
    main = next((j for name, _, j in judged if name == "relation" and not np.isnan(j.ours)), None)
    main = main or (numbered[0] if numbered else judged[0][2])
    if all(v == REPRODUCES for v in verdicts):
        verdict, reason = REPRODUCES, ""
    elif any(v in (REPRODUCES, PARTLY) for v in earning):
        verdict, reason = PARTLY, ""
    elif DOES_NOT in verdicts:
        failed = next(j for _, _, j in judged if j.verdict == DOES_NOT)
        verdict, reason = DOES_NOT, failed.reason
    else:
        verdict, reason = UNTESTABLE, next((j.reason for _, _, j in judged if j.reason), "")
    detail = "; ".join(
        f"{name}: {j.verdict}{f' ({j.reason})' if j.reason else ''} - {j.detail}"
        if len(judged) > 1
        else j.detail
        for name, _, j in judged
    )
    return Judgement(verdict, main.ours, main.ci, main.paper, detail, reason)


def _parts_text(judged) -> str:
    return "; ".join(
        f"{name}: {j.verdict}{f' ({j.reason})' if j.reason else ''}" for name, _, j in judged
    )


def _panels(check: Mapping, default_studies: list[str]) -> list[tuple[str, list, Mapping]]:
    """(label, studies, check) per panel: a claim judged on several of a figure's panels."""
    if "panels" not in check:
        return [("", list(check.get("studies", default_studies)), check)]
    out = []
    for panel in check["panels"]:
        merged = {k: v for k, v in check.items() if k != "panels"} | {
            "within": panel.get("within", [])
        }
        out.append((panel["studies"][0], list(panel["studies"]), merged))
    return out


def _consistently(per_panel: list[tuple[str, Judgement]]) -> Judgement:
    """Panels combined: reproduces on every testable panel, partly on some, the reasons kept."""
    tested = [(p, j) for p, j in per_panel if j.verdict != UNTESTABLE]
    text = "; ".join(f"[{p}] {j.verdict}: {j.detail}" for p, j in per_panel)
    if not tested:
        first = per_panel[0][1]
        return Judgement(UNTESTABLE, first.ours, detail=text, reason=first.reason)
    verdicts = [j.verdict for _, j in tested]
    ours = tested[0][1].ours
    if all(v == REPRODUCES for v in verdicts):
        return Judgement(REPRODUCES, ours, detail=text)
    if any(v in (REPRODUCES, PARTLY) for v in verdicts):
        return Judgement(PARTLY, ours, detail=text)
    return Judgement(DOES_NOT, ours, detail=text)


def _study_part(check, studies, study, dataset, line, protocol, scale) -> Judgement:
    results = []
    for label, names, panel_check in _panels(check, studies):
        frames = [study(name, dataset) for name in names]
        if any(f is None for f in frames):
            results.append((label, Judgement(UNTESTABLE, detail=NO_DATA, reason=NO_DATA)))
            continue
        frame = pd.concat(frames, ignore_index=True)
        results.append((label, judge_part(panel_check, frame, line, protocol, scale)))
    return results[0][1] if len(results) == 1 else _consistently(results)


def _table5_leaks(study: StudyReader, dataset: str, target: str) -> bool | None:
    """Whether Table 5's undefended target leaks (its study's full-length, undefended rows)."""
    frame = study("table_5", dataset)
    match = re.match(r"(\d+)x(\d+), lr ([\d.e-]+)", target)
    if frame is None or match is None:
        return None
    layers, units, rate = int(match[1]), int(match[2]), float(match[3])
    rows = frame[
        (frame["hidden_layers"] == layers)
        & (frame["hidden_units"] == units)
        & np.isclose(frame["learning_rate"].astype(float), rate)
    ]
    if "defense" in rows:
        rows = rows[rows["defense"].fillna("none").isin(["none", ""])]
    if "epochs" in rows:
        rows = rows[rows["epochs"].isna() | (rows["epochs"] == rows["epochs"].max())]
    return leak.leakage(rows, []).any if len(rows) else None


def _part(claim, check, study, table, dataset, reading, scale) -> Judgement:
    line, protocol = reading
    kind = check["kind"]
    if kind == "not_built":
        return Judgement(UNTESTABLE, detail=check.get("why", NOT_BUILT), reason=NOT_BUILT)
    if kind in STUDY_KINDS:
        studies = list(claim.check.get("studies", []))
        return _study_part(check, studies, study, dataset, line, protocol, scale)
    if kind == "value":
        judged = t.judge_value(table(check["table"]), check, scale)
        if "leak_table" in check and judged.verdict != UNTESTABLE:
            gate = check["leak_table"]
            leaks, best = t.table_leaks(table(gate["table"]), gate)
            if leaks is False:
                return Judgement(
                    UNTESTABLE,
                    judged.ours,
                    paper=judged.paper,
                    reason=NOTHING_LEAKS,
                    detail=f"no attack's 95% interval clears 50% where it is measured "
                    f"(best {best}); {judged.detail}",
                )
        gate = check.get("leak_study")
        frame = study(gate["study"], dataset) if gate else None
        if gate and judged.verdict != UNTESTABLE and frame is not None:
            rows = judge_select(frame, gate.get("where"))
            if not leak.leakage(rows, [], scale.margin).any:
                return Judgement(
                    UNTESTABLE,
                    judged.ours,
                    paper=judged.paper,
                    reason=NOTHING_LEAKS,
                    detail=f"the model it is measured on leaks nothing ({gate['study']}: "
                    "the cross-fitted oracle reads chance); " + judged.detail,
                )
        return judged
    if kind == "sign":
        source = table(check["table"])
        if source is None:
            return Judgement(UNTESTABLE, detail=NOT_BUILT, reason=NOT_BUILT)
        return t.judge_sign(source, dataset)
    source = table("table_5")
    if source is None:
        return Judgement(UNTESTABLE, detail="table_5 not built here", reason=NOT_BUILT)
    leaks = _table5_leaks(study, dataset, check["target"])
    judge = t.judge_defense if kind == "defense" else t.judge_defense_compare
    return judge(source, check, dataset, line, protocol, leaks, scale)


def _reads_attack(claim: Claim) -> bool:
    return any(
        c["kind"] in ("defense", "defense_compare") or (c["kind"] in STUDY_KINDS and is_attack(c))
        for _, c in claim.parts()
    )


def judge(claim, study, table, dataset, reading, scale: Scale = AS_STATED):
    """A claim under one reading: (combined judgement, the parts with theirs)."""
    judged = [
        (name, check, _part(claim, check, study, table, dataset, reading, scale))
        for name, check in claim.parts()
    ]
    return _combine(judged), judged


# ----------------------------------------------------------------------------- the card
def scorecard(
    claims: list[Claim], study: StudyReader, table: TableReader, datasets: list[str]
) -> pd.DataFrame:
    """One row per claim and dataset: the primary reading's verdict, reason, parts and numbers,
    the paper's number, a sensitivity note, and every other reading's verdict."""
    rows = []
    for claim in claims:
        readings = READINGS if _reads_attack(claim) else [NO_READING]
        for dataset in _datasets_of(claim, datasets):
            judged = {r: judge(claim, study, table, dataset, r) for r in readings}
            primary, parts = judged[readings[0]]
            others = {r: j.verdict for r, (j, _) in judged.items() if j.verdict != primary.verdict}
            sensitivity = {
                name: judge(claim, study, table, dataset, readings[0], scale)[0].verdict
                for name, scale in SENSITIVITY.items()
            }
            paper = claim.paper_value if claim.paper_value is not None else primary.paper
            rows.append(
                {
                    "id": claim.id,
                    "paper": claim.paper,
                    "section": claim.section,
                    "claim": claim.claim,
                    "artefact": claim.artefact,
                    "dataset": dataset,
                    "verdict": primary.verdict,
                    "reason": primary.reason,
                    "parts": _parts_text(parts),
                    "depends_on": "; ".join(f"{a}/{p}: {v}" for (a, p), v in others.items()),
                    "ours": primary.ours,
                    "ci": primary.ci,
                    "paper_value": paper,
                    "detail": primary.detail,
                    "sensitivity": _sensitivity_text(primary.verdict, sensitivity),
                    "beyond": claim.beyond,
                    "statistic": claim.statistic,
                }
                | {
                    f"verdict_{a}_{p}": j.verdict
                    for (a, p), (j, _) in judged.items()
                    if (a, p) != NO_READING
                }
            )
    return pd.DataFrame(rows)


def _sensitivity_text(verdict: str, moved: Mapping[str, str]) -> str:
    changed = {k: v for k, v in moved.items() if v != verdict}
    if not changed:
        return "same at half and double the effect and the margin"
    return "; ".join(f"{k}: {v}" for k, v in changed.items())


def _datasets_of(claim: Claim, datasets: list[str]) -> list[str]:
    kinds = {c["kind"] for _, c in claim.parts()}
    if kinds & (set(STUDY_KINDS) | {"sign", "defense", "defense_compare"}):
        return datasets
    where = claim.check.get("where", {})
    return [str(where.get("dataset", "adult"))]


def tests_run(card: pd.DataFrame) -> int:
    """How many verdicts the card computed (every reading of every claim and dataset)."""
    readings = [c for c in card if c.startswith("verdict_")]
    return (
        int(sum(max(1, row.notna().sum()) for _, row in card[readings].iterrows()))
        if (readings)
        else len(card)
    )


def multiplicity_line(card: pd.DataFrame) -> str:
    """One line: how many tests the card runs and what p < 0.01 means for them."""
    n = tests_run(card)
    return (
        f"The card runs {n} tests (claims x datasets x readings) at p < {ALPHA}: with no "
        f"effect anywhere about {ALPHA * n:.1f} of them would pass their significance step "
        "by chance; the primary reading's verdicts are the card's, the others say only whether "
        "a verdict depends on the reading."
    )
