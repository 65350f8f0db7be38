"""The spec's claims (reference/claims.yaml) as typed values, and the verdict vocabulary."""

from collections.abc import Mapping
from dataclasses import dataclass, field

REPRODUCES, PARTLY, DOES_NOT, UNTESTABLE = (
    "reproduces",
    "partly",
    "does not reproduce",
    "cannot be tested",
)
VERDICTS = (REPRODUCES, PARTLY, DOES_NOT, UNTESTABLE)
#: Why a claim cannot be tested (the card's ``reason``), or why a level is not reached
NOTHING_LEAKS = "nothing leaks"
TOO_WEAK = "attack too weak"
NO_DATA = "data not present"
NOT_BUILT = "artefact not built"
NO_LEAK_LEVEL = "the paper's models do not leak here"
ALPHA = 0.01

#: Test kinds on a study's experiments (a relation unless it is a level, spec header)
STUDY_KINDS = (
    "trend",
    "no_effect",
    "contrast",
    "range",
    "strongest",
    "differs",
    "reach",
    "spread",
    "gap",
    "beats_matching",
    "columns",
)
#: Test kinds on a built table
TABLE_KINDS = ("sign", "defense", "value", "defense_compare", "not_built")


@dataclass(frozen=True)
class Claim:
    """One entry of the spec: the claim's words, where it is tested, and its parts."""

    id: str
    paper: str
    claim: str
    artefact: str
    statistic: str
    check: Mapping
    section: str = ""
    level: Mapping | None = None
    also: tuple = field(default_factory=tuple)
    paper_value: float | None = None
    beyond: str = ""

    @property
    def kind(self) -> str:
        return self.check["kind"]

    def parts(self) -> list[tuple[str, Mapping]]:
        """(name, check) of every part: the level first, then the relation, then the rest."""
        named = [("level", self.level)] if self.level else []
        named.append((part_name(self.check), self.check))
        named += [(c.get("name", part_name(c)), c) for c in self.also]
        return named


def part_name(check: Mapping) -> str:
    """A part is a level when it states a value to reach, a relation otherwise."""
    if check["kind"] in ("reach", "spread"):
        return "level"
    if check["kind"] == "range" and not check["low"] <= 0.5 <= check["high"]:
        return "level"
    return "relation"


def claims_of(entries: list[Mapping]) -> list[Claim]:
    """The spec's claims (its parsed ``claims`` list), checked for unique ids and known kinds."""
    claims = []
    for entry in entries:
        entry = dict(entry)
        entry["also"] = tuple(entry.get("also") or ())
        claims.append(Claim(**entry))
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError("reference/claims.yaml: claim ids repeat")
    known = set(STUDY_KINDS) | set(TABLE_KINDS)
    for claim in claims:
        for _, check in claim.parts():
            if check["kind"] not in known:
                raise ValueError(
                    f"reference/claims.yaml: claim {claim.id} has unknown kind {check['kind']!r}"
                )
    return claims
