"""Table 5's defenses on the engine: Algorithm 1, its weight-penalty baselines, the soft fairness
penalties (docs/account.md R).

Gradients are checked against autograd in float64; r against the property functions the result
tables use; lambda's effect and the batch-independence of each model on small fixtures.
"""

import numpy as np
import pytest
import torch

from miarep.core.errors import ConfigError
from miarep.defenses.algorithm1 import InnerLoop, fit_algorithm1
from miarep.defenses.context import PropertyContext
from miarep.defenses.scheduled import ScheduledPenalty
from miarep.defenses.soft_fairness import SoftFairness
from miarep.defenses.spec import DefenseSpec, defense_spec
from miarep.defenses.train import fit_defended
from miarep.measures import properties
from miarep.train import autograd
from miarep.train.backward import loss_and_gradients
from miarep.train.config import TrainConfig
from miarep.train.engine import BatchedMLP
from miarep.train.network import BatchedNetwork, generators

K, B, D = 3, 12, 5


def _check_gradients(config, penalties, outputs, bind=None, partial=True):
    rng = np.random.default_rng(1)
    network = BatchedNetwork(config, D, K, "cpu", tanh_form="sigmoid")
    network.init_glorot(generators([5, 6, 7]))
    x = torch.as_tensor(rng.normal(size=(60, D)))
    y = torch.as_tensor(rng.integers(0, config.n_classes, 60), dtype=torch.float64)
    rows = torch.as_tensor(rng.integers(0, 60, (K, B)))
    if bind is not None:
        bind(rows)
    counts = np.array([B, 7, 3]) if partial else np.full(K, B)
    targets = y[rows].unsqueeze(-1)
    params = network.parameters()
    loss, grads_w, grads_b = loss_and_gradients(
        network,
        params,
        network.training_inputs(x)[rows].clone(),
        targets,
        counts,
        penalties,
        outputs,
    )
    ref_loss, ref_w, ref_b = autograd.gradients(
        network, network.weights, network.biases, x[rows], targets, counts, penalties, outputs
    )
    np.testing.assert_allclose(loss.numpy(), ref_loss.numpy(), rtol=0, atol=1e-10)
    for hand, reference in zip(grads_w + grads_b, ref_w + ref_b, strict=True):
        np.testing.assert_allclose(hand.numpy(), reference.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_scheduled_penalty_gradient_equals_autograd_and_follows_its_coefficients(norm):
    coefficients = np.array([0.0, 0.05, 0.2])
    penalty = ScheduledPenalty(norm, coefficients)
    config = TrainConfig(hidden=(6,), dtype="float64")
    _check_gradients(config, [penalty], [])
    coefficients[:] = [0.3, 0.0, 0.01]  # what the trainer does between epochs
    _check_gradients(config, [penalty], [])
    taken = penalty.take(np.array([2, 0]))
    assert taken.current().__dict__[norm].tolist() == [0.01, 0.3]


@pytest.mark.parametrize("predictive", [False, True])
@pytest.mark.parametrize("output", ["logistic", "softmax"])
def test_soft_fairness_gradient_equals_autograd(predictive, output):
    n_classes = 2 if output == "logistic" else 3
    config = TrainConfig(hidden=(4, 3), dtype="float64", output=output, n_classes=n_classes)
    protected = torch.as_tensor(np.random.default_rng(2).random(60) < 0.4, dtype=torch.float64)
    penalty = SoftFairness(np.array([0.5, 1.0, 2.0]), predictive, protected)
    _check_gradients(config, [], [penalty], bind=penalty.bind)


def test_soft_fairness_value_is_the_property_on_probabilities():
    """With one-hot probabilities the soft delta_g and delta_p equal the hard ones (M3, M4)."""
    rng = np.random.default_rng(3)
    predictions = rng.integers(0, 2, 50)
    labels = rng.integers(0, 2, 50)
    group = rng.random(50) < 0.3
    probs = torch.as_tensor(np.eye(2)[predictions][None])
    targets = torch.as_tensor(labels, dtype=torch.float64).reshape(1, -1, 1)
    for predictive, reference in (
        (False, properties.group_fairness(predictions, group)),
        (True, properties.predictive_fairness(predictions, labels, group)),
    ):
        penalty = SoftFairness(1.0, predictive, torch.as_tensor(group, dtype=torch.float64))
        penalty.bind(torch.arange(50)[None])
        value, _ = penalty.value_and_gradient(probs, targets, None)
        assert value.item() == pytest.approx(float(reference), abs=1e-12)


@pytest.fixture(scope="module")
def fixture_data():
    """A small table whose label depends on the protected group: a model that fits it is unfair."""
    rng = np.random.default_rng(4)
    n, d = 600, D
    group = rng.random(n) < 0.4
    x = rng.normal(size=(n, d))
    x[:, 0] += 1.5 * group
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=n) > 0.7).astype(np.int64)
    codes = np.clip(np.floor((x - x.min(0)) / (x.max(0) - x.min(0) + 1e-9) * 4), 0, 3).astype(int)
    context = PropertyContext(y, group, codes, [0, 1, 2], n_pairs=2000)
    members = [np.sort(rng.choice(n, 300, replace=False)) for _ in range(4)]
    return torch.as_tensor(x), torch.as_tensor(y, dtype=torch.float64), context, members


@pytest.mark.parametrize("name", ["delta_g", "delta_p", "delta_i", "I_X"])
def test_measure_is_the_result_tables_property(fixture_data, name):
    _, y, context, members = fixture_data
    rng = np.random.default_rng(5)
    probabilities = rng.dirichlet([1, 1], size=(3, len(members[0])))
    rows = members[0]
    pairs = context.pairs_for(len(rows), 9)
    got = context.measure(name, probabilities, rows, np.arange(D), pairs)
    predictions = probabilities.argmax(-1)
    group = context.protected[rows]
    expected = {
        "delta_g": lambda: properties.group_fairness(predictions, group),
        "delta_p": lambda: properties.predictive_fairness(predictions, context.labels[rows], group),
        "delta_i": lambda: properties.individual_fairness(
            probabilities,
            properties.record_probabilities(context.codes[np.ix_(rows, [0, 1, 2])]),
            pairs,
        ),
        "I_X": lambda: properties.mutual_information_records_params(
            context.codes[rows], predictions
        ),
    }[name]()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_inner_loop_without_a_step_measures_the_model_itself(fixture_data):
    """With a learning rate too small to move the copies, r is the property of the model."""
    x, y, context, members = fixture_data
    config = TrainConfig(hidden=(8,), dtype="float64", learning_rate=1e-300, tol=None)
    engine = BatchedMLP(config, D, len(members), "cpu")
    engine.init_glorot(generators([1, 2, 3, 4]))
    spec = DefenseSpec("delta_g", 0.1, copies=3, records=100)
    r = InnerLoop(engine, spec, x, y, members, [1, 2, 3, 4], context, None).measure(0)
    from miarep.train.loop import pad_index_sets

    padded, _ = pad_index_sets(members)
    predictions = engine.predict_proba(x, padded).argmax(-1)
    expected = [
        properties.group_fairness(predictions[k], context.protected[m])
        for k, m in enumerate(members)
    ]
    np.testing.assert_allclose(r, expected, rtol=0, atol=1e-12)


def _weight_norms(engine) -> np.ndarray:
    return sum(w.abs().sum((1, 2)) for w in engine.weights).numpy()


def _train_accuracy(engine, x, y, members) -> np.ndarray:
    from miarep.train.loop import pad_index_sets

    padded, _ = pad_index_sets(members)
    predictions = engine.predict_proba(x, padded).argmax(-1)
    return np.array([np.mean(predictions[k] == y.numpy()[m]) for k, m in enumerate(members)])


@pytest.mark.parametrize("name", ["l1", "l2", "delta_g", "delta_p_squared", "soft_delta_g"])
def test_larger_lambda_gives_smaller_weights_and_no_higher_train_accuracy(fixture_data, name):
    x, y, context, members = fixture_data
    same = [members[0]] * 4
    # r scales the Texas variant's lambda down (delta_p of a few percent), not up (exp(r) >= 1)
    lambdas = {"soft_delta_g": [0.0, 0.3, 3.0, 30.0], "delta_p_squared": [0.0, 0.3, 3.0, 30.0]}
    lambdas = lambdas.get(name, [0.0, 0.003, 0.03, 0.3])
    config = TrainConfig(hidden=(10,), learning_rate=0.1, epochs=15, tol=None, dtype="float64")
    engine = BatchedMLP(config, D, 4, "cpu")
    spec = DefenseSpec(name, 0.0, copies=2, records=100)
    fit_defended(engine, spec, lambdas, x, y, same, [11] * 4, context)
    norms = _weight_norms(engine)
    accuracy = _train_accuracy(engine, x, y, same)
    if name == "soft_delta_g":  # the output penalty shrinks the group gap, not the weights
        from miarep.train.loop import pad_index_sets

        padded, _ = pad_index_sets(same)
        predictions = engine.predict_proba(x, padded).argmax(-1)
        gaps = [properties.group_fairness(p, context.protected[members[0]]) for p in predictions]
        assert gaps[-1] < gaps[0]
    else:
        assert np.all(np.diff(norms) < 0), norms
    assert accuracy[-1] <= accuracy[0], accuracy


def test_algorithm1_model_in_a_batch_is_the_model_trained_alone(fixture_data):
    x, y, context, members = fixture_data
    config = TrainConfig(hidden=(6,), learning_rate=0.05, epochs=4, tol=None, dtype="float64")
    spec = DefenseSpec("delta_g", 0.0, copies=2, records=80)
    seeds = [21, 22, 23]
    together = BatchedMLP(config, D, 3, "cpu")
    fit_algorithm1(together, spec, np.array([0.01, 0.1, 0.05]), x, y, members[:3], seeds, context)
    alone = BatchedMLP(config, D, 1, "cpu")
    fit_algorithm1(alone, spec, np.array([0.1]), x, y, members[1:2], seeds[1:2], context)
    for w_batch, w_alone in zip(together.weights, alone.weights, strict=True):
        np.testing.assert_allclose(w_batch[1].numpy(), w_alone[0].numpy(), rtol=0, atol=1e-12)
    trajectory = context.trajectories[config, "delta_g", 0.1, 22]
    assert len(trajectory) == config.epochs
    assert all(0 <= r <= 1 for r in trajectory)
    # another architecture with the same seed (one sample, two targets) keeps its own trajectory
    wider = TrainConfig(hidden=(9,), learning_rate=0.05, epochs=4, tol=None, dtype="float64")
    fit_algorithm1(
        BatchedMLP(wider, D, 1, "cpu"),
        spec,
        np.array([0.1]),
        x,
        y,
        members[1:2],
        seeds[1:2],
        context,
    )
    assert context.trajectories[config, "delta_g", 0.1, 22] == trajectory
    assert context.trajectories[wider, "delta_g", 0.1, 22] != trajectory


def test_defense_settings_are_checked():
    assert defense_spec(None).name == "none"
    assert defense_spec({"name": "l1", "lambda": 0.01}).lam == 0.01
    assert defense_spec({"name": "delta_p_squared"}).norm == "l2"
    with pytest.raises(ConfigError, match="unknown defense"):
        defense_spec({"name": "dropout"})
    with pytest.raises(ConfigError, match="unknown defense settings"):
        defense_spec({"name": "l1", "beta": 1})
    with pytest.raises(ConfigError, match="lambda must be"):
        defense_spec({"name": "l1", "lambda": -1})
