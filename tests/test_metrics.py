"""Attack metrics against values worked out by hand."""

import math

import numpy as np
import pytest

from miarep.measures import metrics as M

MEMBER = np.array([1, 1, 1, 0, 0, 0, 0, 0])
SCORES = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.1, 0.05])


def test_decision_metrics_by_hand():
    predicted = SCORES > 0.5  # calls records 0, 1, 3 members
    assert M.accuracy(MEMBER, predicted) == 6 / 8
    assert M.balanced_accuracy(MEMBER, predicted) == pytest.approx(0.5 * (2 / 3 + 4 / 5))
    assert M.precision(MEMBER, predicted) == pytest.approx(2 / 3)
    assert M.recall(MEMBER, predicted) == pytest.approx(2 / 3)
    always = np.ones(8, bool)
    assert M.balanced_accuracy(MEMBER, always) == 0.5  # "always member" is chance
    assert math.isnan(M.precision(MEMBER, np.zeros(8, bool)))
    assert math.isnan(M.balanced_accuracy(np.ones(3), np.ones(3)))


def test_auc_by_hand_with_ties():
    # member scores 0.9, 0.8, 0.3 vs non-members 0.7, 0.2, 0.1, 0.1, 0.05: 15 pairs,
    # 0.3 loses to 0.7 only -> 14/15
    assert M.roc_auc(MEMBER, SCORES) == pytest.approx(14 / 15)
    assert M.roc_auc([1, 0], [0.5, 0.5]) == 0.5
    assert M.roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0


def test_tpr_at_low_fpr_by_hand():
    # threshold above 0.7 gives FPR 0 and TPR 2/3; allowing one false positive (FPR 1/5) gives 2/3
    # until 0.3 is reached at FPR 1/5 -> TPR 1
    assert M.tpr_at_fpr(MEMBER, SCORES, 0.0) == pytest.approx(2 / 3)
    assert M.tpr_at_fpr(MEMBER, SCORES, 0.2) == pytest.approx(1.0)
    assert M.tpr_at_fpr([1, 0], [0.5, 0.5], 0.01) == 0.0  # tied scores cannot be separated


def test_mean_ci_by_hand():
    mean, half = M.mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302652729911275 * 1.0 / math.sqrt(3))
    assert math.isnan(M.mean_ci([5.0])[1])


def test_attack_metrics_keys():
    out = M.attack_metrics(MEMBER, SCORES, prefix="mia_")
    assert out["mia_n"] == 8 and out["mia_member_rate"] == 3 / 8
    assert set(out) >= {"mia_balanced_accuracy", "mia_auc", "mia_tpr_at_1pct_fpr"}


def test_the_step_roc_matches_every_threshold_counted_by_hand():
    generator = np.random.default_rng(1)
    member = generator.random(400) < 0.5
    scores = np.round(generator.normal(size=400) + member * 0.7, 1)  # many ties
    grid = np.array([0.0, 0.001, 0.01, 0.1, 0.5, 1.0])
    cuts = np.r_[np.inf, np.unique(scores)]
    tpr = np.array([(scores[member] >= t).mean() for t in cuts])
    fpr = np.array([(scores[~member] >= t).mean() for t in cuts])
    by_hand = [tpr[fpr <= f].max() for f in grid]
    np.testing.assert_allclose(M.roc_curve(member, scores, grid), by_hand)
    np.testing.assert_allclose([M.tpr_at_fpr(member, scores, f) for f in grid], by_hand)
