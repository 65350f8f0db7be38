"""Nasr's NN attack reads a leak where there is one and chance where there is none."""

import numpy as np
import pytest

from miarep.attacks import registry
from miarep.attacks.inference_model import InferenceShape
from miarep.attacks.interface import AttackInput, run_checked
from miarep.attacks.nasr_nn import NasrAttackSettings, NasrNNAttack
from miarep.measures.metrics import accuracy

SMALL = NasrAttackSettings(
    shape=InferenceShape(prediction=(16, 8), label=(4,), combine=(8,)), steps=300, batch=64
)


def _outputs(stream, n, member_confidence):
    """Two-class outputs whose true-label probability is drawn from a Beta(a, b)."""
    labels = stream.integers(0, 2, n)
    true = stream.beta(*member_confidence, n).clip(1e-6, 1 - 1e-6)
    probs = np.empty((n, 2))
    probs[np.arange(n), labels] = true
    probs[np.arange(n), 1 - labels] = 1 - true
    return probs, labels


def _experiment(seed, leaky, n=300):
    """An experiment whose members are (or are not) more confident than its non-members."""
    stream = np.random.default_rng(seed)
    member_shape, outsider_shape = ((8, 1), (2, 2)) if leaky else ((3, 2), (3, 2))
    parts = [_outputs(stream, n, shape) for shape in (member_shape, outsider_shape) * 2]
    known = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    one = AttackInput(
        np.r_[parts[2][0], parts[3][0]],
        np.r_[parts[2][1], parts[3][1]],
        ("test", seed),
        np.r_[parts[0][0], parts[1][0]],
        np.r_[parts[0][1], parts[1][1]],
        known,
    )
    return one, known


def test_it_reads_a_leak_and_chance_where_there_is_none():
    attack = NasrNNAttack(SMALL, "cpu")
    (leaky, truth), (blind, _) = _experiment(1, True), _experiment(2, False)
    scored = run_checked(attack, [leaky, blind], root_seed=0)
    assert accuracy(truth, scored[0].decisions) > 0.75
    assert abs(accuracy(truth, scored[1].decisions) - 0.5) < 0.08


def test_one_experiment_does_not_depend_on_its_batch_mates():
    """Each experiment has its own h and stream: alone or beside another, the same scores."""
    attack = NasrNNAttack(SMALL, "cpu")
    one, _ = _experiment(1, True)
    alone = attack.run([one], root_seed=0)[0].scores
    together = attack.run([one, _experiment(3, False)[0]], root_seed=0)[0].scores
    np.testing.assert_allclose(alone, together, rtol=0, atol=1e-6)


def test_settings_come_from_the_models_block_and_reject_unknown_keys():
    built = registry.build(
        "nasr_nn",
        {"nasr_attack": {"steps": 5, "shape": {"prediction": [4], "label": [2], "combine": [2]}}},
        {"device": "cpu"},
    )
    assert built.settings.steps == 5 and built.settings.shape.prediction == (4,)
    with pytest.raises(ValueError, match="unknown nasr_attack"):
        NasrAttackSettings.from_mapping({"epochs": 3})
    with pytest.raises(ValueError, match="steps"):
        NasrAttackSettings(steps=0)


def test_it_is_not_a_default_property_study_attack():
    assert "nasr_nn" in registry.ATTACKS and "nasr_nn" not in registry.DEFAULT_ATTACKS
