"""The attack interface: validated inputs and outputs, the registry, and a runner that names no
concrete attack."""

import ast
from pathlib import Path

import numpy as np
import pytest
import yaml

from miarep.attacks import registry
from miarep.attacks.interface import AttackInput, AttackOutput, run_checked
from miarep.attacks.shokri import ShokriAttack

ROOT = Path(__file__).resolve().parents[1]
ANN = {"hidden": [16], "learning_rate": 0.1, "epochs": 60, "batch_size": 20, "tol": None}


def leaky_input(n, seed, key=("toy", "k", 0)):
    """Members (the first n) get confident correct outputs, non-members uncertain ones; the shadow
    records behave alike."""
    rng = np.random.default_rng(seed)

    def probs(labels, low, high):
        conf = rng.uniform(low, high, len(labels))
        p1 = np.where(labels == 1, conf, 1 - conf)
        return np.column_stack([1 - p1, p1])

    labels = rng.integers(0, 2, 2 * n)
    shadow_labels = rng.integers(0, 2, 2 * n)
    member = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    return AttackInput(
        target_probs=np.r_[probs(labels[:n], 0.85, 1.0), probs(labels[n:], 0.5, 0.8)],
        labels=labels,
        key=key,
        shadow_probs=np.r_[probs(shadow_labels[:n], 0.85, 1.0), probs(shadow_labels[n:], 0.5, 0.8)],
        shadow_labels=shadow_labels,
        shadow_member=member,
    )


def test_registered_shokri_attack_sees_a_clear_signal_and_its_scores_order_with_decisions():
    attack = registry.build(
        "shokri",
        {"attack": "ann", "attack_ann": ANN, "faithful_attack_ann": ANN},
        {"device": "cpu", "chunk_models": 10},
    )
    assert isinstance(attack, ShokriAttack)
    (out,) = run_checked(attack, [leaky_input(150, 1)], root_seed=3)
    assert out.decisions[:150].mean() > 0.9 and out.decisions[150:].mean() < 0.1
    assert np.array_equal(out.decisions, out.scores > 0.5)
    (again,) = run_checked(attack, [leaky_input(150, 1)], root_seed=3)
    assert np.array_equal(out.scores, again.scores)  # seeded by root seed and key


def test_the_schema_lists_exactly_the_registered_attacks_a_study_can_feed():
    """A property study gives its attacks the target's and the shadows' outputs: every attack that
    needs no more is a study's to choose (the others, e.g. gmia's reference models, have their
    own rules)."""
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    listed = schema["definitions"]["study"]["properties"]["attacks"]["items"]["enum"]
    feedable = [name for name, cls in registry.ATTACKS.items() if set(cls.needs) <= {"shadow"}]
    assert sorted(listed) == sorted(feedable)
    assert set(registry.DEFAULT_ATTACKS) <= set(registry.ATTACKS)
    with pytest.raises(ValueError, match="unknown attack 'lira'.*registered"):
        registry.build("lira", {}, {})


def test_the_runner_imports_no_concrete_attack():
    concrete = {
        f"miarep.attacks.{cls.__module__.rsplit('.', 1)[1]}" for cls in registry.ATTACKS.values()
    }
    for path in (ROOT / "scripts" / "miarep" / "experiments").glob("*.py"):
        tree = ast.parse(path.read_text())
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        assert not names & concrete, (path.name, names & concrete)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(target_probs=np.full((4, 2), 0.7)), "sum to 1"),
        (dict(labels=np.array([0, 1, 2, 0])), "class indices"),
        (dict(labels=np.array([0, 1])), r"must be \(4,\)"),
        (dict(shadow_member=np.ones(4)), "bool array"),
        (dict(shadow_member=np.ones(4, bool)), "both members and non-members"),
        (dict(shadow_probs=None), "needs shadow outputs"),
        (dict(reference_probs=np.full((2, 3, 2), 0.5)), r"reference_probs must be \(R, 4, 2\)"),
    ],
)
def test_bad_inputs_are_named(change, message):
    good = dict(
        target_probs=np.full((4, 2), 0.5),
        labels=np.array([0, 1, 1, 0]),
        key=("toy", "k", 0),
        shadow_probs=np.full((4, 2), 0.5),
        shadow_labels=np.array([0, 1, 1, 0]),
        shadow_member=np.array([True, True, False, False]),
    )
    AttackInput(**good).check(("shadow",))
    with pytest.raises(ValueError, match=message):
        AttackInput(**(good | change)).check(("shadow",))


def test_outputs_must_order_with_decisions():
    AttackOutput(np.array([0.9, 0.2]), np.array([True, False])).check(2)
    with pytest.raises(ValueError, match="order with the decisions"):
        AttackOutput(np.array([0.1, 0.2]), np.array([True, False])).check(2)
    with pytest.raises(ValueError, match="2 scores"):
        AttackOutput(np.array([0.1]), np.array([True])).check(2)
