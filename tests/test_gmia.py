"""Long et al.'s GMIA: neighbour counting, the expected-count rule, the left-tailed test and its
calibration, the paper's protocol, and a planted outlier found by real training."""

import numpy as np
import pytest

from miarep.attacks import gmia, loss_test, vulnerable
from miarep.attacks.interface import AttackInput, run_checked
from miarep.experiments import long
from miarep.report import long as report


def test_neighbours_are_counted_by_cosine_distance_below_delta():
    pool = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0]])
    queries = np.array([[2.0, 0.0], [0.0, 0.0]])
    # distances of [2, 0]: 0, 1, 1 - 1/sqrt(2) = 0.293, 2; a zero vector is at distance 1 from all
    counts = vulnerable.neighbour_counts(queries, pool, [0.1, 0.3, 1.5])
    assert counts.tolist() == [[1, 0], [2, 0], [3, 4]]


def test_the_expected_count_rule():
    counts = np.array([0, 1, 2, 3])
    # Adult: N = 10,000 of N' = 28,842, so beta = 0.1 means no neighbour at all, beta = 1 up to 2
    assert vulnerable.vulnerable(counts, 0.1, 10_000, 28_842).tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert vulnerable.vulnerable(counts, 1.0, 10_000, 28_842).tolist() == [True, True, True, False]


def test_p_values_inside_at_and_beyond_the_reference_range():
    references = np.arange(1.0, 10.0)  # k = 9: F(L_(i)) = i / 10
    p = loss_test.left_tail_p(references, np.array([1.0, 5.0, 9.0, 0.5, 0.0, -3.0, 9.5, 30.0]))
    np.testing.assert_allclose(p, [0.1, 0.5, 0.9, 0.05, 0.0, 0.0, 0.95, 1.0], atol=1e-12)
    between = loss_test.left_tail_p(references, np.linspace(1, 9, 81))
    assert np.all(np.diff(between) >= 0)  # PCHIP keeps the CDF monotone
    tied = loss_test.left_tail_p(np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(tied, [0.5, 0.75])  # tied losses take the highest rank


def test_non_members_p_values_are_calibrated():
    """Records whose target loss comes from the references' own distribution: about 1% of their
    p-values fall below 0.01 (k = 100, 4,000 records)."""
    stream = np.random.default_rng(0)
    references = stream.gamma(2.0, 0.3, size=(100, 4000))
    outsiders = stream.gamma(2.0, 0.3, size=4000)
    p = np.array(
        [loss_test.left_tail_p(references[:, j], outsiders[j : j + 1])[0] for j in range(4000)]
    )
    assert 0.005 < np.mean(p < 0.01) < 0.02
    assert abs(np.mean(p < 0.5) - 0.5) < 0.03


def test_the_attack_reads_the_reference_part_and_orders_its_scores():
    probs = np.array([[0.99, 0.01], [0.6, 0.4], [0.5, 0.5]])
    stream = np.random.default_rng(1)
    reference = np.stack([np.c_[1 - q, q] for q in stream.uniform(0.3, 0.5, size=(30, 3))])
    one = AttackInput(
        probs,
        np.zeros(3, int),
        ("gmia", 0),
        reference_probs=reference,
        reference_member=np.zeros((30, 3), bool),
    )
    (out,) = run_checked(gmia.GeneralizedMIA(0.05), [one], root_seed=0)
    assert out.decisions.tolist() == [True, False, False]  # a loss far below every reference's
    with pytest.raises(ValueError, match="cutoff"):
        gmia.GeneralizedMIA(1.5)


SMALL = long.LongStudy(
    pool=200,
    target_size=100,
    splits=10,
    references=30,
    shadows=2,
    shadow_records=20,
    attacks=("shokri", "metric_correctness"),
    sweep=((0.4, 0.1), (0.02, 2.0)),  # these records are alike: only a tight delta finds any
)


def _task(n=600, seed=0):
    stream = np.random.default_rng(seed)
    x = stream.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + 0.5 * stream.normal(size=n) > 0).astype(np.int64)
    return x, y


def test_every_pool_record_is_a_member_of_exactly_half_the_targets():
    draws = long.draw(600, SMALL, root_seed=3)
    matrix = long.membership(draws, SMALL)
    assert matrix.shape == (20, 200) and (matrix.sum(0) == SMALL.splits).all()
    assert (matrix[0::2] ^ matrix[1::2]).all()  # the two halves of a split
    assert not np.intersect1d(draws["pool"], draws["reference"]).size
    assert all(np.isin(b, draws["reference"]).all() for b in draws["bootstraps"])


def test_a_planted_outlier_is_found_in_the_targets_that_trained_on_it():
    from dataclasses import replace

    study = replace(SMALL, model=replace(SMALL.model, hidden=(32, 16), batch_size=20, epochs=150))
    x, y = _task()
    draws = long.draw(len(y), study, root_seed=3)
    outlier = draws["pool"][0]
    x[outlier], y[outlier] = [1.5, 0.0, 0.0, 0.0], 0  # clearly class 1 by the rule, labelled 0
    targets, references, _ = long.train_models(x, y, draws, study, root_seed=3, device="cpu")
    p = loss_test.p_values(targets[:, [outlier]], references[:, [outlier]], y[[outlier]])[:, 0]
    member = long.membership(draws, study)[:, 0]
    assert np.mean(p[member] < 0.05) > 0.8 and np.mean(p[~member] < 0.05) < 0.2


@pytest.fixture(scope="module")
def small_run():
    x, y = _task()
    return long.run_long(x, y, SMALL, {"device": "cpu"}, {"risk_score_bins": 5}, root_seed=3)


def test_the_study_runs_end_to_end_and_is_deterministic(small_run):
    x, y = _task()
    again = long.run_long(x, y, SMALL, {"device": "cpu"}, {"risk_score_bins": 5}, root_seed=3)
    for name, table in small_run.items():
        assert again[name].equals(table), name
    inferences = small_run["inferences"]
    assert set(inferences["target"]) == set(range(20))
    assert inferences["p_value"].between(0, 1).all()
    assert {"score_metric_correctness", "decision_metric_correctness"} <= set(inferences)
    assert len(small_run["accuracy"]) == 20 + 30


def test_precision_and_recall_count_as_the_paper_does():
    called = np.array([True, True, True, False])
    member = np.array([True, False, True, True])
    # 2 TP, 1 FP; 2 records each a member of 50 targets: recall 2 / 100
    assert report.counts(called, member, 2, 50) == {
        "precision_pct": pytest.approx(200 / 3),
        "recall_pct": 2.0,
        "tp": 2,
        "fp": 1,
    }
    assert np.isnan(report.counts(np.zeros(4, bool), member, 2, 50)["precision_pct"])


def test_the_artefacts_read_the_study(small_run, repo, tmp_path):
    from miarep.core.io import read_csv

    records, inferences = small_run["records"], small_run["inferences"]
    paper = {
        n: read_csv(repo / "reference" / "paper_tables" / f"long_table_{n}.csv")
        for n in (1, 2, 6, 7)
    }
    table_1 = report.table_1(inferences, records, 0.02, 2.0, (0.001, 0.01), 10, paper[1])
    assert table_1["paper_precision_pct"].isna().tolist() == [True, False]
    n = table_1["vulnerable_records"].iloc[0]
    assert n == records["vulnerable_0.02_2"].sum() > 0
    assert (
        table_1["tp"].iloc[1] + table_1["fp"].iloc[1]
        == (
            inferences[inferences["record"].isin(report.vulnerable_records(records, 0.02, 2.0))][
                "p_value"
            ]
            < 0.01
        ).sum()
    )
    table_2 = report.table_2(inferences, records, SMALL.sweep, 10, paper[2])
    assert table_2["paper_vulnerable_records"].iloc[0] == 13
    assert table_2["vulnerable_records"].iloc[0] == 0 and np.isnan(table_2["recall_pct"].iloc[0])
    table_6 = report.table_6(small_run["accuracy"], paper[6])
    assert table_6.set_index("model").loc["target", "paper_train_accuracy"] == 0.85
    table_7 = report.table_7(inferences, records, 0.02, 2.0, (0.6, 0.7), 0.01, 10, paper[7])
    assert table_7["attack"].tolist() == [
        "Shokri",
        "Shokri",
        "correctness",
        "oracle bound (not an attack)",
        "GMIA (direct inference)",
    ]
    curves = report.pr_curves(inferences, records, SMALL.sweep, 10)
    assert set(zip(curves["delta"], curves["beta"], strict=True)) == set(SMALL.sweep)
    report.pr_figure(curves, tmp_path / "pr.pdf", tmp_path / "pr.png", "test")
    assert (tmp_path / "pr.png").stat().st_size > 1000
