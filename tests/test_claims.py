"""The claims scorecard (report/claims.py) on synthetic result tables with known answers."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from miarep.report import claims as c

REPO = Path(__file__).resolve().parents[1]
LINES = ("shokri", "shokri_stated", "metric_best", "oracle_cv")


def study(slope: float, oracle_slope: float | None = None, n: int = 200, seed: int = 0):
    """A study over x in 1..5: every line's balanced accuracy 0.5 + slope * x (+ noise); the
    paper-protocol accuracy as a blind attack's 0.25 + 0.5 r with r rising in x."""
    generator = np.random.default_rng(seed)
    x = np.repeat(np.arange(1, 6), n // 5).astype(float)
    frame = pd.DataFrame({"experiment": np.arange(n), "x": x})
    for line in LINES:
        s = oracle_slope if line == "oracle_cv" and oracle_slope is not None else slope
        frame[f"{line}_mia_balanced_accuracy"] = 0.5 + s * x + generator.normal(0, 0.005, n)
        frame[f"{line}_mia_n"] = 2000
        rate = 0.1 * x
        frame[f"{line}_paper_mia_member_rate"] = rate
        frame[f"{line}_paper_mia_accuracy"] = 0.25 + 0.5 * rate
    return frame


def claim(kind: str, **check) -> c.Claim:
    return c.Claim("X1", "Test", "words", "figure_x", "statistic", {"kind": kind, **check})


def card(claims, frame):
    return c.scorecard(claims, lambda s, d: frame if s == "s" else None, lambda n: None, ["adult"])


def test_a_rising_line_reproduces_and_the_paper_protocol_is_explained_by_the_blind_score():
    row = card([claim("trend", studies=["s"], x="x", direction="up", effect=0.05)], study(0.02))
    row = row.iloc[0]
    assert row["verdict"] == c.REPRODUCES and row["ours"] == pytest.approx(0.08, abs=0.01)
    paper = c.judge_part(
        claim("trend", studies=["s"], x="x", direction="up", effect=0.05).check,
        study(0.02),
        "shokri",
        "paper",
    )
    assert "explained by the protocol" in paper.detail


def test_a_flat_line_says_whether_nothing_leaks_or_the_attack_is_too_weak():
    rising = claim("trend", studies=["s"], x="x", direction="up", effect=0.05)
    flat = c.judge_part(rising.check, study(0.0), "shokri", "balanced")
    assert flat.verdict == c.UNTESTABLE and flat.reason == c.NOTHING_LEAKS
    weak = c.judge_part(rising.check, study(0.0, oracle_slope=0.03), "shokri", "balanced")
    assert weak.verdict == c.UNTESTABLE and weak.reason == c.TOO_WEAK


def test_no_effect_contrast_and_range():
    flat, leaky = (
        study(0.0),
        study(0.0).assign(
            **{
                f"{line}_mia_balanced_accuracy": lambda f, line=line: (
                    f[f"{line}_mia_balanced_accuracy"] + 0.1
                )
                for line in LINES
            }
        ),
    )
    no_effect = claim("no_effect", x="x", effect=0.02)
    judged = c.judge_part(no_effect.check, flat, "shokri", "balanced")
    assert judged.verdict == c.UNTESTABLE and judged.reason == c.NOTHING_LEAKS
    assert c.judge_part(no_effect.check, leaky, "shokri", "balanced").verdict == c.REPRODUCES
    assert c.judge_part(no_effect.check, study(0.02), "shokri", "balanced").verdict == c.DOES_NOT
    up = claim("contrast", a={"x": 5}, b={"x": 1}, direction="up", effect=0.05)
    assert c.judge_part(up.check, study(0.02), "shokri", "balanced").verdict == c.REPRODUCES
    down = claim("contrast", a={"x": 5}, b={"x": 1}, direction="down", effect=0.05)
    assert c.judge_part(down.check, study(0.02), "shokri", "balanced").verdict == c.DOES_NOT
    inside = claim("range", where={"x": [1.0, 2.0]}, low=0.5, high=0.6)
    judged = c.judge_part(inside.check, study(0.03), "shokri", "balanced")
    assert judged.verdict == c.REPRODUCES and judged.ours == pytest.approx(0.545, abs=0.005)
    chance = c.judge_part(inside.check, study(0.0), "shokri", "balanced")
    assert chance.verdict == c.UNTESTABLE  # a range holding chance is a relation


def test_a_verdict_that_differs_between_readings_depends_on_them():
    frame = study(0.02)
    frame["metric_best_mia_balanced_accuracy"] = 0.5 + np.random.default_rng(1).normal(
        0, 0.005, len(frame)
    )
    row = card([claim("trend", studies=["s"], x="x", direction="up", effect=0.05)], frame).iloc[0]
    assert row["verdict"] == c.REPRODUCES
    assert "metric_best/balanced: cannot be tested" in row["depends_on"]
    assert row["verdict_metric_best_balanced"] == c.UNTESTABLE  # the oracle sees leakage


def test_missing_data_and_headline_values():
    row = card([claim("trend", studies=["absent"], x="x", direction="up", effect=0.05)], study(0.0))
    assert row.iloc[0]["verdict"] == c.UNTESTABLE and row.iloc[0]["reason"] == c.NO_DATA
    table = pd.DataFrame({"cutoff": [0.001, 0.01], "precision_pct": [np.nan, 70.2]})
    check = {
        "where": {"cutoff": 0.01},
        "column": "precision_pct",
        "paper": 73.91,
        "tolerance": 10.0,
    }
    assert c.judge_value(table, check).verdict == c.REPRODUCES
    assert c.judge_value(table, check | {"tolerance": 1.0}).verdict == c.DOES_NOT
    assert c.judge_value(None, check).verdict == c.UNTESTABLE


def test_table_4_signs():
    table = pd.DataFrame(
        {
            "dataset": "adult",
            "pearson_r": [-0.9, 0.3],
            "pearson_p": [1e-9, 1e-9],
            "spearman_rho": [-0.9, -0.1],
            "spearman_p": [1e-9, 0.2],
            "paper_pearson_r": [-0.96, 0.1],
            "paper_spearman_rho": [-0.96, 0.05],
        }
    )
    judged = c.judge_sign(table, "adult")
    assert judged.verdict == c.PARTLY and judged.ours == 0.5
    assert c.judge_sign(table, "texas").verdict == c.UNTESTABLE


def test_the_spec_names_known_kinds_studies_and_tables():
    spec = c.claims_of(yaml.safe_load((REPO / "reference" / "claims.yaml").read_text())["claims"])
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    common = (REPO / "workflow" / "rules" / "common.smk").read_text()
    tables = set(
        re.findall(r'^    "([\w/]+)": ', common.split("CLAIM_TABLES = {")[1].split("}")[0], re.M)
    )
    assert len(spec) >= 45
    for entry in spec:
        for name in entry.check.get("studies", []):
            assert name in config["studies"], (entry.id, name)
        if "table" in entry.check:
            assert entry.check["table"] in tables, (entry.id, entry.check["table"])
    papers = {entry.paper for entry in spec}
    assert {
        "Tonni et al.",
        "Shokri et al.",
        "Nasr et al.",
        "Long et al.",
        "Song and Mittal",
    } <= papers


def test_the_landing_page_and_captions_render_with_every_claim():
    import jinja2
    from docutils.core import publish_string

    claims = [
        claim("trend", studies=["s"], x="x", direction="up", effect=0.05),
        c.Claim(
            "X2",
            "Other",
            "a {brace} and *star*",
            "figure_x",
            "s",
            {"kind": "value", "table": "t", "paper": 1.0, "column": "v", "tolerance": 1.0},
        ),
    ]
    frame = card(claims, study(0.02))
    page = c.landing_rst(frame, "Commit abc, config def.")
    html = publish_string(page, writer="html", settings_overrides={"report_level": 2}).decode()
    assert "<strong>X1</strong>" in html and "<strong>X2</strong>" in html
    assert "System Message" not in html
    template = "Figure x of {{ snakemake.config['n'] }} runs."
    text = c.caption_with_claims(template, frame, "figure_x")
    rendered = jinja2.Template(text).render(snakemake={"config": {"n": 3}})
    assert (
        rendered.startswith("Figure x of 3 runs.") and "**X1** (adult): **reproduces**" in rendered
    )
    assert c.caption_with_claims(template, frame, "figure_y") == template


def test_the_readme_list_is_generated_from_a_snapshot_and_a_dirty_run_is_refused(tmp_path):
    import subprocess
    import sys

    from miarep.report import what_reproduces as w

    claims = [
        claim("trend", studies=["s"], x="x", direction="up", effect=0.05),
        claim("trend", studies=["s"], x="x", direction="down", effect=0.05),
    ]
    frame = card(claims, study(0.02))
    results = tmp_path / "results"
    results.mkdir()
    frame.to_csv(results / "claims.csv", index=False)
    (results / "claims.md").write_text(c.markdown(frame, "Commit abc123, config def456."))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(f"# R\n\n{w.START}\nold\n{w.END}\n\n## Next\n")
    script = REPO / "scripts" / "snapshot_claims.py"
    args = [sys.executable, str(script), "--results", str(results), "--repo", str(repo)]
    subprocess.run(args, check=True, capture_output=True)
    readme = (repo / "README.md").read_text()
    assert readme.startswith("# R\n\n") and readme.endswith("\n\n## Next\n")
    block = w.generated_block(readme)
    assert block == w.from_snapshot(repo / "snapshot") and "old" not in block
    assert "Commit abc123, config def456. 2 claim-dataset pairs" in block
    assert "- **X1** (adult), **reproduces**: words (ours " in block
    assert "**does not reproduce**" in block
    # a run of uncommitted code is not a snapshot
    (results / "claims.md").write_text(c.markdown(frame, "Commit abc123-dirty, config def456."))
    refused = subprocess.run(args, capture_output=True, text=True)
    assert refused.returncode != 0 and "not of a clean commit" in refused.stderr
    with pytest.raises(ValueError, match="markers"):
        w.replace_section("no markers", block)
    with pytest.raises(ValueError, match="stamp"):
        w.stamp_of("# Claims scorecard\n")


def test_differs_on_identical_values_is_a_plain_no_without_scipy_warnings():
    import warnings

    frame = pd.DataFrame({"kind": ["a", "a", "b", "b"], "y": [0.75] * 4})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        judged = c.judge_part(
            {"kind": "differs", "x": "kind", "effect": 0.02, "y": "y"}, frame, "-", "-"
        )
    assert judged.verdict == c.DOES_NOT and judged.detail.startswith("Kruskal-Wallis p 1,")


@pytest.mark.parametrize(
    ("none", "best", "verdict"),
    [
        ((51.1, 1.0), (50.3, 0.4), c.DOES_NOT),  # a drop within the two cells' noise
        ((60.0, 0.5), (55.0, 0.5), c.PARTLY),  # a real drop, smaller than the claimed effect
        ((70.0, 0.5), (55.0, 0.5), c.REPRODUCES),
    ],
)
def test_a_defense_counts_only_a_drop_beyond_noise(none, best, verdict):
    table = pd.DataFrame(
        {
            "dataset": "adult",
            "target": "t",
            "regularizer": ["None", "L1", "L2"],
            "test_pct": [80.0, 80.0, 79.0],
            "shokri_balanced_pct": [none[0], best[0], none[0]],
            "shokri_balanced_ci": [none[1], best[1], none[1]],
        }
    )
    check = {"target": "t", "effect": 0.10, "utility": 0.01}
    judged = c.judge_defense(table, check, "adult", "shokri", "balanced")
    assert judged.verdict == verdict
    assert judged.ours == pytest.approx(none[0] - best[0])
