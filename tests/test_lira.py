"""LiRA and RMIA: their statistics against closed forms and direct computations, and LiRA's edge
at low false-positive rates on records that differ in difficulty."""

import numpy as np
import pytest
from scipy import stats

from miarep.attacks import registry
from miarep.attacks.interface import AttackInput, run_checked
from miarep.attacks.lira import gaussian_fit, lira_scores, scaled_confidence
from miarep.attacks.rmia import rmia_scores
from miarep.measures.metrics import tpr_at_fpr


def _probs(signal):
    """Two-class outputs whose true label (0) has logit-scaled confidence ``signal``."""
    p = 1 / (1 + np.exp(-np.asarray(signal, dtype=np.float64)))
    return np.stack([p, 1 - p], -1)


def test_the_signal_is_the_logit_of_the_true_label():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    np.testing.assert_allclose(
        scaled_confidence(probs, np.array([0, 0, 1])), [np.log(9), np.log(0.25), 0.0]
    )
    three = np.array([[0.5, 0.3, 0.2]])
    np.testing.assert_allclose(scaled_confidence(three, np.array([1])), [np.log(0.3 / 0.7)])


def test_online_lira_is_the_gaussian_likelihood_ratio():
    """Many references: the statistic tends to the closed-form ratio of the true Gaussians; any
    number of them: it is the ratio of the fitted ones."""
    stream = np.random.default_rng(0)
    n, r = 5, 200_000
    member = np.zeros((r, n), bool)
    member[: r // 2] = True
    signals = np.where(member, stream.normal(2.0, 0.5, (r, n)), stream.normal(0.0, 1.0, (r, n)))
    target = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])
    score = lira_scores(target, signals, member, online=True, fixed_variance=False)
    closed = stats.norm.logpdf(target, 2.0, 0.5) - stats.norm.logpdf(target, 0.0, 1.0)
    np.testing.assert_allclose(score, closed, atol=0.06)  # 100,000 a side
    small = signals[::20000]  # 10 references, 5 IN
    fitted = lira_scores(target, small, member[::20000], online=True, fixed_variance=False)
    direct = [
        stats.norm.logpdf(t, col[m].mean(), col[m].std(ddof=1))
        - stats.norm.logpdf(t, col[~m].mean(), col[~m].std(ddof=1))
        for t, col, m in zip(target, small.T, member[::20000].T, strict=True)
    ]
    np.testing.assert_allclose(fitted, direct, rtol=1e-10)


def test_offline_lira_and_the_fixed_variance_equal_a_direct_computation():
    stream = np.random.default_rng(1)
    signals = stream.normal(size=(8, 4)) * np.array([0.5, 1.0, 2.0, 3.0])
    out = np.zeros((8, 4), bool)
    target = np.array([0.3, -0.2, 1.5, 4.0])
    score = lira_scores(target, signals, out, online=False, fixed_variance=False)
    direct = stats.norm.logcdf((target - signals.mean(0)) / signals.std(0, ddof=1))
    np.testing.assert_allclose(score, direct, rtol=1e-12)
    _, pooled = gaussian_fit(signals, ~out, fixed_variance=True)
    expected = np.sqrt(((signals - signals.mean(0)) ** 2).sum() / (8 * 4 - 4))
    np.testing.assert_allclose(pooled, expected)


def _difficulty_fixture(seed=2, n=4000, r=16):
    """Records whose typical confidence differs widely; membership adds +1.5 to the signal."""
    stream = np.random.default_rng(seed)
    base = stream.normal(0.0, 3.0, n)  # easy and hard records
    ref_member = np.zeros((r, n), bool)
    ref_member[: r // 2] = True
    for j in range(n):
        stream.shuffle(ref_member[:, j])
    refs = base + 1.5 * ref_member + stream.normal(0, 0.4, (r, n))
    member = np.arange(n) < n // 2
    target = base + 1.5 * member + stream.normal(0, 0.4, n)
    return target, refs, ref_member, member


def test_lira_beats_the_metric_attacks_at_low_fpr_when_records_differ_in_difficulty():
    target, refs, ref_member, member = _difficulty_fixture()
    labels = np.zeros(len(target), int)
    one = AttackInput(
        _probs(target),
        labels,
        ("lira", 0),
        shadow_probs=_probs(refs[0]),
        shadow_labels=labels,
        shadow_member=ref_member[0],
        reference_probs=np.stack([_probs(row) for row in refs]),
        reference_member=ref_member,
    )
    tpr = {}
    for name in ("lira_online", "lira_offline", "metric_confidence", "metric_modified_entropy"):
        attack = registry.build(name, {}, {}, {})
        (out,) = run_checked(attack, [one], root_seed=0)
        tpr[name] = tpr_at_fpr(member, out.scores, 0.01)
    assert tpr["lira_online"] > 3 * max(tpr["metric_confidence"], tpr["metric_modified_entropy"])
    assert tpr["lira_offline"] > 2 * max(tpr["metric_confidence"], tpr["metric_modified_entropy"])


def test_rmia_equals_its_definition_computed_record_by_record():
    stream = np.random.default_rng(3)
    n, p, r = 6, 50, 4
    target_x, target_z = stream.uniform(0.05, 1, n), stream.uniform(0.05, 1, p)
    reference_x, reference_z = stream.uniform(0.05, 1, (r, n)), stream.uniform(0.05, 1, (r, p))
    member = np.zeros((r, n), bool)
    member[:2] = True
    for online, gamma in ((True, 1.0), (False, 1.0), (True, 2.0)):
        score = rmia_scores(target_x, reference_x, member, target_z, reference_z, online, gamma)
        for j in range(n):
            if online:
                prior = reference_x[:, j].mean()
            else:
                prior = ((1.3) * reference_x[~member[:, j], j].mean() + 0.7) / 2
            ratios = (target_x[j] / prior) / (target_z / reference_z.mean(0))
            assert score[j] == pytest.approx(np.mean(ratios > gamma))


def test_rmia_through_the_interface_needs_the_references_on_the_population():
    target, refs, ref_member, member = _difficulty_fixture(n=400)
    labels = np.zeros(400, int)
    population = np.random.default_rng(4).normal(0.0, 3.0, 300)
    one = AttackInput(
        _probs(target),
        labels,
        ("rmia", 0),
        reference_probs=np.stack([_probs(row) for row in refs]),
        reference_member=ref_member,
        population_probs=_probs(population),
        population_labels=np.zeros(300, int),
        population_reference_probs=np.stack([_probs(population)] * len(refs)),
    )
    (out,) = run_checked(registry.build("rmia_online", {}, {}, {}), [one], root_seed=0)
    assert out.decisions[member].mean() > out.decisions[~member].mean()
    one.population_reference_probs = np.stack([_probs(population[:10])] * len(refs))
    with pytest.raises(ValueError, match="population_reference_probs"):
        run_checked(registry.build("rmia_offline", {}, {}, {}), [one], root_seed=0)
