"""The judge's operating characteristics, measured: its leakage margin against the permuted
cross-fitted oracle, its false verdicts on null studies, its power at the spec's effects, and
fixtures on which the judge before this version gave the wrong verdict (docs/account.md C)."""

import numpy as np
import pandas as pd
import pytest

from miarep.measures.bounds import cross_fitted_oracle_scores
from miarep.report import claims as c
from miarep.report.claims import leakage

LINES = ("shokri", "shokri_stated", "metric_best")
N = 2000  # balanced evaluation records per experiment (the quick config's Figures 4-11)


def study(x, attack, oracle=None, n=N, seed=0, noise=None, **columns) -> pd.DataFrame:
    """Experiments at the given x values: every attack line reads ``attack(x)`` and the
    cross-fitted oracle ``oracle(x)`` (default: the attack's), each with binomial noise on n
    balanced records unless ``noise`` says otherwise."""
    generator = np.random.default_rng(seed)
    noise = 1 / (2 * np.sqrt(n)) if noise is None else noise
    x = np.asarray(x, float)
    frame = pd.DataFrame({"experiment": np.arange(len(x)), "sample": np.arange(len(x)), "x": x})
    oracle = oracle or attack
    for name, value in columns.items():
        frame[name] = value
    truth = np.asarray(attack(frame), float) * np.ones(len(x))
    for line in LINES:
        frame[f"{line}_mia_balanced_accuracy"] = truth + generator.normal(0, noise, len(x))
        frame[f"{line}_mia_n"] = n
        frame[f"{line}_paper_mia_member_rate"] = 0.5
        frame[f"{line}_paper_mia_accuracy"] = 0.5
    frame["oracle_cv_mia_balanced_accuracy"] = np.asarray(oracle(frame), float) + (
        generator.normal(0, noise, len(x))
    )
    frame["oracle_cv_mia_n"] = n
    return frame


def grid(values, repetitions) -> np.ndarray:
    return np.repeat(np.asarray(values, float), repetitions)


def judge(check, frame):
    return c.judge_part(check, frame, "shokri", "balanced")


def flat(frame):
    return np.full(len(frame), 0.5)


# ----------------------------------------------------------------------------- the margin
def test_the_leak_margin_bounds_the_permuted_cross_fitted_oracle():
    """The 99th percentile of the cross-fitted oracle's balanced accuracy with membership
    permuted stays within the analytic margin z_0.99 / (2 sqrt(N))."""
    generator = np.random.default_rng(7)
    n = 2000
    loss = generator.exponential(size=n)
    readings = []
    for _ in range(300):
        member = generator.permutation(np.repeat([True, False], n // 2))
        called = cross_fitted_oracle_scores(loss, member, generator) >= 0
        readings.append((called[member].mean() + (~called[~member]).mean()) / 2)
    simulated = np.quantile(np.asarray(readings) - 0.5, 0.99)
    assert simulated <= leakage.null_margin(n) * 1.1
    assert simulated >= leakage.null_margin(n) * 0.5  # the bound is not vacuous either


# ----------------------------------------------------------------------------- null and power
NULL_CASES = {
    "trend": ({"kind": "trend", "x": "x", "direction": "up", "effect": 0.05}, 5, 10),
    "trend_min": (
        {"kind": "trend", "x": "x", "direction": "down", "aggregate": "min", "effect": 0.05},
        5,
        10,
    ),
    "no_effect": ({"kind": "no_effect", "x": "x", "effect": 0.02}, 4, 3),
    "contrast": (
        {"kind": "contrast", "a": {"x": 2.0}, "b": {"x": 1.0}, "direction": "up", "effect": 0.02},
        2,
        10,
    ),
    "range": ({"kind": "range", "where": {"x": [0.0, 1.0]}, "low": 0.5, "high": 0.55}, 2, 20),
    "differs": ({"kind": "differs", "x": "x", "effect": 0.02}, 5, 5),
    "continuous_trend": ({"kind": "trend", "x": "x", "direction": "up", "effect": 0.02}, 0, 200),
}


@pytest.mark.parametrize("case", NULL_CASES)
def test_null_studies_rarely_pass(case):
    """Studies flat at chance, with binomial spread and the quick config's counts, reproduce
    or partly reproduce at most 1% of the time (200 draws: at most 2)."""
    check, values, repetitions = NULL_CASES[case]
    passed = 0
    for seed in range(200):
        x = (
            grid(np.arange(1, values + 1), repetitions)
            if values
            else np.random.default_rng(seed).uniform(0, 1, repetitions)
        )
        judged = judge(check, study(x, flat, seed=seed))
        passed += judged.verdict in (c.REPRODUCES, c.PARTLY)
    assert passed <= 2, f"{passed} of 200 null studies passed"


POWER_CASES = {
    # (check, x values, repetitions, attack as a function of the frame); the default config's
    # counts: 10 repetitions, 5,000 balanced evaluation records (10,000-record targets)
    "trend": (
        {"kind": "trend", "x": "x", "direction": "up", "effect": 0.05},
        [1, 2, 3, 4, 5],
        10,
        lambda f: 0.56 + 0.05 * (f["x"] - 1) / 4,
    ),
    "trend_min": (
        {"kind": "trend", "x": "x", "direction": "down", "aggregate": "min", "effect": 0.05},
        [10, 20, 30, 40, 50],
        10,
        lambda f: 0.62 - 0.05 * (f["x"] - 10) / 40,
    ),
    "contrast": (
        {"kind": "contrast", "a": {"x": 2.0}, "b": {"x": 1.0}, "direction": "up", "effect": 0.02},
        [1, 2],
        10,
        lambda f: 0.56 + 0.02 * (f["x"] - 1),
    ),
    "no_effect": (  # Figure 6's 14 feature counts
        {"kind": "no_effect", "x": "x", "effect": 0.02},
        list(range(1, 15)),
        10,
        lambda f: np.full(len(f), 0.57),
    ),
    "differs": (  # Figure 8's three depths; at Table 2's 5 x 5 the power is about 50%
        {"kind": "differs", "x": "x", "effect": 0.02},
        [1, 2, 3],
        10,
        lambda f: 0.56 + 0.02 * (f["x"] == 3),
    ),
}


@pytest.mark.parametrize("case", POWER_CASES)
def test_the_specs_effect_is_seen_at_the_studys_counts(case):
    """The spec's effect, injected into a leaking study, reproduces at least 80% of the time."""
    check, values, repetitions, attack = POWER_CASES[case]
    hits = sum(
        judge(check, study(grid(values, repetitions), attack, n=5000, seed=seed)).verdict
        == c.REPRODUCES
        for seed in range(100)
    )
    assert hits >= 80, f"{hits} of 100"


# ----------------------------------------------------------------------------- fixtures
# Each fixture gave the wrong verdict under the judge before this version (the closing note of
# the change lists the old verdicts: reproduces, does not reproduce, does not reproduce,
# reproduces, reproduces) and gives the right one now.
def test_a_flat_study_cannot_carry_a_no_effect_claim():
    frame = study(grid([1, 2, 3, 4], 5), flat)
    judged = judge({"kind": "no_effect", "x": "x", "effect": 0.02}, frame)
    assert judged.verdict == c.UNTESTABLE and judged.reason == c.NOTHING_LEAKS
    assert "cross-fitted loss oracle" in judged.detail


def test_a_leak_confined_to_some_rows_is_judged_there():
    """Figure 8's shape: depth raises leakage at learning rate 0.1 only. Pooled over the
    learning rates the leak is averaged away; judged per stratum it is seen."""
    depth = grid([1, 3, 5], 4)
    frame = pd.concat(
        [
            study(depth, flat, seed=1, learning_rate=0.001),
            study(
                depth,
                lambda f: 0.52 + 0.02 * (f["x"] - 1),
                seed=2,
                learning_rate=0.1,
            ),
        ],
        ignore_index=True,
    )
    frame["experiment"] = np.arange(len(frame))
    check = {"kind": "trend", "x": "x", "direction": "up", "effect": 0.02}
    judged = judge(check | {"within": ["learning_rate"]}, frame)
    assert judged.verdict == c.REPRODUCES and "0.1" in judged.detail


def test_a_one_sided_value_beyond_its_tolerance_on_the_claimed_side_holds():
    """ "AdvReg is no better than early stopping": AdvReg leaking 4.8 points more supports it."""
    table = pd.DataFrame({"dataset": ["adult"], "difference_pct": [4.82]})
    check = {"column": "difference_pct", "paper": 0.0, "tolerance": 2.0, "side": "at_least"}
    assert c.judge_value(table, check).verdict == c.REPRODUCES
    assert c.judge_value(table.assign(difference_pct=-2.5), check).verdict == c.DOES_NOT


def test_a_composite_with_one_part_failing_is_partly():
    claim = c.Claim(
        "G",
        "Long et al.",
        "precision 73.9% and recall 5.2%",
        "t",
        "s",
        {"kind": "value", "table": "t", "column": "precision_pct", "paper": 73.9, "tolerance": 10},
        also=(
            {
                "kind": "value",
                "name": "recall",
                "table": "t",
                "column": "recall_pct",
                "paper": 5.2,
                "tolerance": 2.6,
            },
        ),
    )
    table = pd.DataFrame({"precision_pct": [70.2], "recall_pct": [1.9]})
    card = c.scorecard([claim], lambda s, d: None, lambda n: table, ["adult"])
    assert card.iloc[0]["verdict"] == c.PARTLY
    assert "recall: does not reproduce" in card.iloc[0]["parts"]


def test_a_part_that_holds_whatever_the_attack_does_earns_nothing():
    """Table 3's shape: no configuration overfits (holds at chance) and the MIA spread the
    paper states is missing: not "partly" but "does not reproduce", because nothing leaks."""
    frame = study(grid([1, 2], 6), flat, hidden_layers=1)
    frame["hidden_layers"] = np.tile([1, 5], 6)
    frame["l2"] = np.repeat([0.0, 0.01], 6)
    frame["train_accuracy"], frame["test_accuracy"] = 0.81, 0.80
    configs = {"hidden_layers": [1, 5], "l2": [0.0, 0.01]}
    claim = c.Claim(
        "T3",
        "Tonni et al.",
        "words",
        "table_3",
        "s",
        {"kind": "spread", "studies": ["s"], "configs": configs, "at_least": 0.075},
        also=(
            {
                "kind": "gap",
                "name": "no overfit",
                "configs": configs,
                "at_most": 0.02,
                "earns": False,
            },
        ),
    )
    row = c.scorecard([claim], lambda s, d: frame, lambda n: None, ["adult"]).iloc[0]
    assert row["verdict"] == c.DOES_NOT and row["reason"] == c.NO_LEAK_LEVEL
    assert "no overfit: reproduces" in row["parts"]


def test_a_noisy_extreme_pair_in_a_continuous_sweep_is_not_the_effect():
    """A weak real trend (0.008 over the sweep) whose two extreme experiments happen to lie
    0.07 apart: the binned contrast calls it partly (significant, smaller than claimed)."""
    generator = np.random.default_rng(3)
    x = np.sort(generator.uniform(0, 1, 500))
    frame = study(x, lambda f: 0.56 + 0.01 * f["x"], seed=4, noise=0.004)
    frame.loc[0, "shokri_mia_balanced_accuracy"] = 0.53
    frame.loc[len(frame) - 1, "shokri_mia_balanced_accuracy"] = 0.60
    judged = judge({"kind": "trend", "x": "x", "direction": "up", "effect": 0.02}, frame)
    assert judged.verdict == c.PARTLY
    assert abs(judged.ours) < 0.015


def test_an_attack_that_sees_nothing_where_the_oracle_does_is_too_weak():
    frame = study(grid([1, 2, 3], 5), flat, oracle=lambda f: 0.5 + 0.03 * f["x"])
    judged = judge({"kind": "trend", "x": "x", "direction": "up", "effect": 0.02}, frame)
    assert judged.verdict == c.UNTESTABLE and judged.reason == c.TOO_WEAK


def test_repeated_readings_of_one_target_count_once():
    """Table 2's shape: six readings of each target. A pooled Welch test would see 60 rows;
    paired per target it sees 10 differences."""
    frame = study(
        np.zeros(60),
        lambda f: 0.56 + 0.01 * (f["shadow_model"] == "all"),
        shadow_model=np.tile(["ann", "knn", "lr", "rf", "svm", "all"], 10),
    )
    frame["sample"] = np.repeat(np.arange(10), 6)
    check = {
        "kind": "contrast",
        "a": {"shadow_model": "all"},
        "b": {"shadow_model": ["ann", "knn", "lr", "rf", "svm"]},
        "direction": "up",
        "effect": 0.05,
        "unit": ["sample"],
        "paired": True,
    }
    judged = judge(check, frame)
    assert "paired over 10 targets" in judged.detail


# ----------------------------------------------------------------------------- real-table shapes
def test_paired_comparisons_whose_target_key_holds_the_grouping_columns():
    """Table 2's unit (sample, target kind, shadow kind) overlaps its groups; seen on a quick
    run's tables, where it once raised."""
    kinds = ["ann", "knn", "lr"]
    frame = study(
        np.zeros(60),
        lambda f: 0.56 + 0.03 * (f["shadow_model"] == "lr"),
        shadow_model=np.tile(kinds, 20),
        target_model=np.repeat(["ann", "knn"], 30),
    )
    frame["sample"] = np.repeat(np.arange(20), 3)
    check = {
        "kind": "differs",
        "x": "shadow_model",
        "within": ["target_model"],
        "effect": 0.02,
        "unit": ["sample", "target_model", "shadow_model"],
        "paired": True,
    }
    judged = judge(check, frame)
    assert judged.verdict == c.REPRODUCES and judged.detail.startswith("Friedman")


def test_a_gap_claim_reads_no_attack_and_a_value_on_a_model_that_leaks_nothing_is_untestable():
    frame = study(np.zeros(4), flat)
    frame["train_accuracy"], frame["test_accuracy"] = [0.9, 0.8, 0.8, 0.8], 0.8
    gap = c.Claim(
        "G", "Tonni et al.", "w", "a", "s", {"kind": "gap", "at_most": 0.05, "studies": ["s"]}
    )
    row = c.scorecard([gap], lambda s, d: frame, lambda n: None, ["adult"]).iloc[0]
    assert row["verdict"] == c.DOES_NOT and row["ours"] == pytest.approx(0.1)
    value = c.Claim(
        "V",
        "Song and Mittal",
        "w",
        "a",
        "s",
        {
            "kind": "value",
            "table": "t",
            "column": "rmse",
            "paper": 0.0,
            "tolerance": 0.1,
            "side": "at_most",
            "leak_study": {"study": "s"},
        },
    )
    table = pd.DataFrame({"rmse": [0.02]})
    row = c.scorecard([value], lambda s, d: frame, lambda n: table, ["adult"]).iloc[0]
    assert row["verdict"] == c.UNTESTABLE and row["reason"] == c.NOTHING_LEAKS
    leaky = study(np.zeros(4), lambda f: np.full(len(f), 0.6))
    row = c.scorecard([value], lambda s, d: leaky, lambda n: table, ["adult"]).iloc[0]
    assert row["verdict"] == c.REPRODUCES


def test_two_attacks_compared_on_the_same_targets_read_the_readings_metric():
    frame = study(np.zeros(10), lambda f: np.full(len(f), 0.58))
    frame["metric_entropy_mia_balanced_accuracy"] = frame["shokri_mia_balanced_accuracy"] - 0.03
    check = {
        "kind": "columns",
        "a": "shokri",
        "b": "metric_entropy",
        "direction": "up",
        "effect": 0.01,
    }
    judged = judge(check, frame)
    assert judged.verdict == c.REPRODUCES and judged.ours == pytest.approx(0.03)


def test_a_model_sweep_pairs_its_architectures_on_their_shared_samples():
    """Figure 8's sweeps train every architecture on the same samples: the top and bottom
    bins pair per sample, and a sample's own difficulty cancels."""
    depth = grid([1, 3, 5], 4)
    generator = np.random.default_rng(5)
    offset = np.tile(generator.normal(0, 0.05, 4), 3)  # each sample's own level
    frame = study(depth, lambda f: 0.55 + 0.01 * (f["x"] - 1) + offset, noise=0.002)
    frame["sample"] = np.tile(np.arange(4), 3)
    check = {"kind": "trend", "x": "x", "direction": "up", "effect": 0.02}
    unpaired = judge(check, frame)
    paired = judge(check | {"unit": ["sample"], "paired": True}, frame)
    assert paired.verdict == c.REPRODUCES
    assert unpaired.verdict != c.REPRODUCES  # the samples' spread hides it unpaired


def test_lira_and_rmia_see_leakage_the_loss_oracle_is_blind_to():
    """Table 2's SVM: the loss oracle reads chance where RMIA reads 55%. Joined on the
    experiment, RMIA's reading opens the relation to a verdict; rows LiRA did not attack
    read NaN and do not count."""
    frame = study(grid([1, 2], 10), lambda f: 0.5 + 0.03 * (f["x"] == 2), oracle=flat)
    judged = judge(
        {"kind": "contrast", "a": {"x": 2.0}, "b": {"x": 1.0}, "direction": "up", "effect": 0.02},
        frame,
    )
    assert judged.reason == c.NOTHING_LEAKS
    lira = pd.DataFrame(
        {
            "experiment": frame["experiment"][::2],  # half of the experiments attacked
            "rmia_offline_mia_balanced_accuracy": 0.55,
            "rmia_offline_mia_n": N,
            "rmia_offline_mia_auc": 0.56,
            "n_members": N // 2,
        }
    )
    joined = c.with_instruments(frame, lira)
    assert "n_members" not in joined and joined["rmia_offline_mia_n"].isna().sum() == 10
    judged = judge(
        {"kind": "contrast", "a": {"x": 2.0}, "b": {"x": 1.0}, "direction": "up", "effect": 0.02},
        joined,
    )
    assert judged.verdict == c.REPRODUCES
    assert c.with_instruments(frame, None) is frame


def test_a_value_about_leakage_needs_a_model_that_leaks():
    """ "AdvReg is no better than early stopping" holds vacuously when both read chance."""
    verdict = pd.DataFrame(
        {
            "dataset": ["adult"],
            "protocol": ["known_half"],
            "difference_pct": [0.3],
            "advreg_pct": [50.4],
            "advreg_ci": [1.0],
            "early_stopping_pct": [50.1],
            "early_stopping_ci": [1.2],
        }
    )
    claim = c.Claim(
        "N",
        "Song and Mittal",
        "w",
        "nasr_verdict",
        "s",
        {
            "kind": "value",
            "table": "nasr_verdict",
            "column": "difference_pct",
            "paper": 0.0,
            "tolerance": 2.0,
            "side": "at_least",
            "leak_table": {
                "table": "nasr_verdict",
                "columns": ["advreg_pct", "early_stopping_pct"],
            },
        },
    )
    row = c.scorecard([claim], lambda s, d: None, lambda n: verdict, ["adult"]).iloc[0]
    assert row["verdict"] == c.UNTESTABLE and row["reason"] == c.NOTHING_LEAKS
    leaky = verdict.assign(advreg_pct=56.0, difference_pct=4.8)
    row = c.scorecard([claim], lambda s, d: None, lambda n: leaky, ["adult"]).iloc[0]
    assert row["verdict"] == c.REPRODUCES and row["ours"] == pytest.approx(4.8)
