"""The claims scorecard: each claim of reference/claims.yaml judged from the result tables.

A claim has parts (a level the paper's models reach, a relation such as a direction or no
effect, and any further part it states); each part is judged under every reading the workflow
records, and the primary reading gives the verdict. A relation is judged only where something
leaks, read by the cross-fitted oracle (and LiRA and RMIA where a table has them); a level is
judged everywhere. The rules are in the spec's header and docs/account.md C; this package is
their only implementation: ``spec`` (the claims and the verdict words), ``stats`` (bins and
one-sided tests), ``leakage`` (the null margin), ``study`` and ``tables`` (the parts), ``card``
(verdicts, sensitivity) and ``render`` (pages).
"""

from miarep.report.claims.card import READINGS, judge, multiplicity_line, scorecard
from miarep.report.claims.leakage import with_instruments
from miarep.report.claims.render import (
    caption_with_claims,
    claim_line,
    landing_rst,
    markdown,
    read_table,
    verdict_counts,
)
from miarep.report.claims.spec import (
    DOES_NOT,
    NO_DATA,
    NO_LEAK_LEVEL,
    NOT_BUILT,
    NOTHING_LEAKS,
    PARTLY,
    REPRODUCES,
    TOO_WEAK,
    UNTESTABLE,
    Claim,
    claims_of,
)
from miarep.report.claims.study import Judgement, Scale, judge_part, select
from miarep.report.claims.tables import judge_defense, judge_sign, judge_value

__all__ = [
    "DOES_NOT",
    "NOTHING_LEAKS",
    "NOT_BUILT",
    "NO_DATA",
    "NO_LEAK_LEVEL",
    "PARTLY",
    "READINGS",
    "REPRODUCES",
    "TOO_WEAK",
    "UNTESTABLE",
    "Claim",
    "Judgement",
    "Scale",
    "caption_with_claims",
    "claim_line",
    "claims_of",
    "judge",
    "judge_defense",
    "judge_part",
    "judge_sign",
    "judge_value",
    "landing_rst",
    "markdown",
    "multiplicity_line",
    "read_table",
    "scorecard",
    "select",
    "verdict_counts",
    "with_instruments",
]
