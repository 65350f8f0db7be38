"""The inventory of the five papers' claims covers the spec, and its page is current."""

from pathlib import Path

import yaml

from miarep.report.claims import claims_of
from miarep.report.claims.inventory import entries, markdown, problems

REPO = Path(__file__).resolve().parents[1]
PAPERS = {"Tonni et al.", "Shokri et al.", "Nasr et al.", "Long et al.", "Song and Mittal"}


def load():
    inventory = yaml.safe_load((REPO / "reference" / "inventory.yaml").read_text())
    spec = claims_of(yaml.safe_load((REPO / "reference" / "claims.yaml").read_text())["claims"])
    return inventory, spec


def test_every_spec_claim_is_in_the_inventory_and_every_listed_id_in_the_spec():
    inventory, spec = load()
    assert problems(inventory, spec) == []
    assert len(spec) >= 45
    assert {p["paper"] for p in inventory["papers"]} == PAPERS
    assert {c.paper for c in spec} == PAPERS


def test_the_issue_named_claims_are_in_the_spec():
    _, spec = load()
    ids = {c.id for c in spec}
    assert {
        "T-accuracy",
        "T-one-shadow",
        "T-T2-combination",
        "T-T2-matching",
        "T-F3-overfit",
        "T-no-overfit",
        "T-magnitude-data",
        "T-F11-magnitude",
        "T-T5-fairness-default",
        "T-T5-IX-default",
        "T-T5-loss",
        "S-precision-class",
        "S-precision-data",
        "M-metric-beats-nn",
        "M-class-dependent",
        "M-mentr-vs-entr",
        "M-metric-vs-nn-adult",
    } <= ids
    strongest = next(c for c in spec if c.id == "T-F11-strongest")
    assert strongest.check["versus"] == "delta_i"


def test_a_problem_is_named():
    inventory, spec = load()
    broken = {
        "papers": [
            {
                "paper": "Tonni et al.",
                "sections": [
                    {"section": "x", "claims": [{"text": "a", "id": "NOPE"}, {"text": "b"}]}
                ],
            }
        ]
    }
    found = problems(broken, spec)
    assert any("NOPE: not in" in f for f in found)
    assert any("'b'" in f for f in found)
    assert any("T-F2: in the spec but not in the inventory" in f for f in found)
    assert len(entries(inventory)) > len(spec)


def test_the_inventory_page_is_current():
    inventory, spec = load()
    page = (REPO / "docs" / "claims-inventory.md").read_text()
    assert page == markdown(inventory, spec), "run: python scripts/claims_inventory.py"
