"""Gradient check: the hand-written backward pass against autograd, in float64, to 1e-10.

Every layer kind (hidden layers, the last hidden layer in sigmoid form, the fused first layer),
activation, output and penalty (weight penalties with shared and per-model coefficients, an output
penalty), with feature masks and partial batches.
"""

import numpy as np
import pytest
import torch

from miarep.train import autograd
from miarep.train.backward import loss_and_gradients
from miarep.train.config import TrainConfig
from miarep.train.network import BatchedNetwork, generators
from miarep.train.penalties import L1, L2, Alpha, weight_penalties


class NegativeEntropy:
    """beta * mean over records of sum_c p_c log p_c: an output penalty (a confidence penalty's
    sign flipped, so its gradient is not trivially zero), per-model beta allowed."""

    def __init__(self, beta):
        self.beta = beta

    def value_and_gradient(self, probs, targets, mask):
        beta = torch.as_tensor(np.asarray(self.beta), dtype=probs.dtype).reshape(-1)
        per_record = (probs * probs.log()).sum(2, keepdim=True)
        grad = probs.log() + 1.0
        if mask is None:
            value = per_record.mean((1, 2))
        else:
            value = (per_record * mask).sum((1, 2)) / mask.sum((1, 2)).clamp(min=1)
            grad = grad * mask
        return beta * value, grad * beta.reshape(-1, 1, 1)

    def take(self, models):
        return self if np.isscalar(self.beta) else NegativeEntropy(np.asarray(self.beta)[models])


K, B, D = 3, 9, 5
PER_MODEL = np.array([0.0, 0.05, 0.3])
CASES = {
    "tanh literal, logistic": dict(hidden=(4,), form="literal"),
    "fused layer, all penalties, masks": dict(
        hidden=(6,), form="sigmoid", penalties="all", outputs=0.1, masks=True, partial=True
    ),
    "fused layer, per-model penalties": dict(
        hidden=(6,), form="sigmoid", penalties="per-model", outputs=PER_MODEL, partial=True
    ),
    "sigmoid-form last layer, depth 3": dict(
        hidden=(5, 4, 3), form="sigmoid", penalties="all", masks=True
    ),
    "relu, depth 3, per-model penalties": dict(
        hidden=(4, 3, 2), activation="relu", penalties="per-model", outputs=0.2, partial=True
    ),
    "tanh softmax": dict(
        hidden=(4, 3), output="softmax", n_classes=3, penalties="all", outputs=0.1, masks=True
    ),
    "relu softmax, per-model": dict(
        hidden=(5,),
        activation="relu",
        output="softmax",
        n_classes=4,
        penalties="per-model",
        outputs=PER_MODEL,
        partial=True,
    ),
}


def penalties_of(kind):
    if kind == "all":
        return weight_penalties(alpha=0.3, l2=0.02, l1=0.01)
    if kind == "per-model":
        return [Alpha(PER_MODEL), L2(PER_MODEL / 10), L1(PER_MODEL / 30)]
    return []


@pytest.mark.parametrize("name", list(CASES))
def test_hand_written_backward_equals_autograd(name):
    case = dict(CASES[name])
    form = case.pop("form", "auto")
    penalties = penalties_of(case.pop("penalties", None))
    beta = case.pop("outputs", None)
    outputs = [] if beta is None else [NegativeEntropy(beta)]
    masks = case.pop("masks", False)
    partial = case.pop("partial", False)
    config = TrainConfig(dtype="float64", **case)
    rng = np.random.default_rng(0)
    feature_masks = (rng.random((K, D)) < 0.7).astype(float) if masks else None
    if feature_masks is not None:
        feature_masks[:, 0] = 1
    network = BatchedNetwork(config, D, K, "cpu", feature_masks, tanh_form=form)
    network.init_glorot(generators([5, 6, 7]))
    x = torch.as_tensor(rng.normal(size=(40, D)))
    y = torch.as_tensor(rng.integers(0, config.n_classes, 40), dtype=torch.float64)
    rows = torch.as_tensor(rng.integers(0, 40, (K, B)))
    counts = np.array([B, 6, 2]) if partial else np.full(K, B)
    targets = y[rows].unsqueeze(-1)

    params = network.parameters()
    hand_inputs = network.training_inputs(x)[rows].clone()
    loss, grads_w, grads_b = loss_and_gradients(
        network, params, hand_inputs, targets, counts, penalties, outputs
    )
    ref_loss, ref_w, ref_b = autograd.gradients(
        network, network.weights, network.biases, x[rows], targets, counts, penalties, outputs
    )
    assert network.fused == (name.startswith("fused"))
    np.testing.assert_allclose(loss.numpy(), ref_loss.numpy(), rtol=0, atol=1e-10)
    for hand, reference in zip(grads_w + grads_b, ref_w + ref_b, strict=True):
        assert hand.shape == reference.shape
        np.testing.assert_allclose(hand.numpy(), reference.numpy(), rtol=0, atol=1e-10)
    assert any(g.abs().max() > 1e-3 for g in grads_w)  # the check compares something real
