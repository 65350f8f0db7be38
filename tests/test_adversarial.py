"""AdvReg's classifier penalty: its value by hand, its gradient through the engine against autograd,
and lambda = 0 training exactly as the undefended trainer."""

import numpy as np
import pytest
import torch

from miarep.attacks.inference_model import InferenceModels, InferenceShape
from miarep.defenses.adversarial import AdversarialPenalty
from miarep.train import autograd
from miarep.train.backward import loss_and_gradients
from miarep.train.config import TrainConfig
from miarep.train.engine import BatchedMLP
from miarep.train.network import BatchedNetwork, generators

SMALL = InferenceShape(prediction=(8, 4), label=(4,), combine=(4,))
K, B, D = 3, 9, 5


def _h(n_classes, seeds):
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    h = InferenceModels(n_classes, len(seeds), SMALL, gens, dtype=torch.float64)
    with torch.no_grad():  # larger weights than N(0, 0.01), so the gradient is far from zero
        for p in h.parameters():
            p.normal_(0, 0.5, generator=gens[0])
    return h


@pytest.mark.parametrize("form", ["linear", "log"])
def test_value_is_lambda_times_h_mean_verdict(form):
    h = _h(2, [1, 2, 3])
    probs = torch.softmax(torch.randn(K, B, 2, dtype=torch.float64), -1)
    targets = torch.randint(0, 2, (K, B, 1)).double()
    lam = np.array([0.5, 1.0, 3.0])
    value, _ = AdversarialPenalty(lam, h, form).value_and_gradient(probs, targets, None)
    with torch.no_grad():
        verdict = h(probs.log(), targets[..., 0])
    expected = verdict.mean(1) - 0.5 if form == "linear" else verdict.log().mean(1)
    np.testing.assert_allclose(value.numpy(), lam * expected.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "config",
    [
        dict(hidden=(4,), output="softmax", n_classes=2),
        dict(hidden=(4, 3), output="logistic"),
        dict(hidden=(4,), output="softmax", n_classes=3, activation="relu"),
    ],
)
@pytest.mark.parametrize("partial", [False, True])
def test_engine_gradient_with_the_penalty_equals_autograd(config, partial):
    config = TrainConfig(dtype="float64", **config)
    network = BatchedNetwork(config, D, K, "cpu", None)
    network.init_glorot(generators([5, 6, 7]))
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.normal(size=(40, D)))
    y = torch.as_tensor(rng.integers(0, config.n_classes, 40), dtype=torch.float64)
    rows = torch.as_tensor(rng.integers(0, 40, (K, B)))
    counts = np.array([B, 6, 2]) if partial else np.full(K, B)
    targets = y[rows].unsqueeze(-1)
    # the penalty of models 1 and 2 of a batch of 4 h's: take() keeps each model's own h
    penalty = AdversarialPenalty(np.array([9.0, 0.7, 2.0, 1.5]), _h(config.n_classes, [1, 2, 3, 4]))
    outputs = [penalty.take(np.array([1, 2, 3]))]
    params = network.parameters()
    inputs = network.training_inputs(x)[rows].clone()
    with torch.inference_mode():
        loss, grads_w, grads_b = loss_and_gradients(
            network, params, inputs, targets, counts, [], outputs
        )
        plain = loss_and_gradients(network, params, inputs, targets, counts, [], [])
    ref_loss, ref_w, ref_b = autograd.gradients(
        network, network.weights, network.biases, x[rows], targets, counts, [], outputs
    )
    np.testing.assert_allclose(loss.numpy(), ref_loss.numpy(), rtol=0, atol=1e-10)
    for hand, reference in zip(grads_w + grads_b, ref_w + ref_b, strict=True):
        np.testing.assert_allclose(hand.numpy(), reference.numpy(), rtol=0, atol=1e-10)
    moved = max(float((a - b).abs().max()) for a, b in zip(grads_w, plain[1], strict=True))
    assert moved > 1e-4  # the penalty changes the gradient: the check compares something real


def test_lambda_zero_trains_exactly_as_the_undefended_trainer():
    rng = np.random.default_rng(1)
    x = torch.as_tensor(rng.normal(size=(200, D)), dtype=torch.float32)
    y = torch.as_tensor((x[:, 0] + 0.3 * x[:, 1] > 0).numpy().astype(np.float64))
    members = [np.sort(rng.choice(200, 120, replace=False)) for _ in range(K)]
    config = TrainConfig(
        hidden=(8,), optimizer="adam", learning_rate=1e-3, epochs=3, tol=None, output="softmax"
    )

    def train(output_penalties):
        engine = BatchedMLP(config, D, K, "cpu")
        engine.fit(x, y, members, gens=generators([1, 2, 3]), output_penalties=output_penalties)
        return [w.clone() for w in engine.weights]

    h = InferenceModels(2, K, SMALL, [torch.Generator().manual_seed(s) for s in range(K)])
    defended = train([AdversarialPenalty(np.zeros(K), h)])
    for a, b in zip(defended, train([]), strict=True):
        assert torch.equal(a, b)


def test_form_is_checked():
    with pytest.raises(ValueError, match="form"):
        AdversarialPenalty(1.0, _h(2, [1]), "quadratic")
