"""The network's forward pass and loss as plain autograd code: the reference the hand-written
backward pass is checked against (tests/test_gradients.py), and the way small parts outside the
fast path (e.g. AdvReg's inference model) may train.

It computes the same function as :mod:`miarep.train.network` and :mod:`miarep.train.backward` in
the literal form (torch.tanh, no folded affine maps), with the same loss, clipping and penalties.
"""

from collections.abc import Sequence

import numpy as np
import torch

from miarep.train.network import BatchedNetwork


def forward(network: BatchedNetwork, inputs: torch.Tensor, weights, biases) -> torch.Tensor:
    """Output probabilities (K, B, 1) for a logistic output, (K, B, C) for a softmax."""
    activation = torch.tanh if network.config.activation == "tanh" else torch.relu
    a = inputs
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        a = activation(torch.baddbmm(b, a, w))
    z = torch.baddbmm(biases[-1], a, weights[-1])
    return torch.sigmoid(z) if network.logistic else torch.softmax(z, -1)


def loss(
    network: BatchedNetwork,
    weights: Sequence[torch.Tensor],
    biases: Sequence[torch.Tensor],
    inputs: torch.Tensor,
    targets: torch.Tensor,
    counts: np.ndarray,
    penalties: Sequence = (),
    output_penalties: Sequence = (),
) -> torch.Tensor:
    """(K,) batch loss of each model: mean log-loss over its ``counts[k]`` first rows, plus the
    output and weight penalties (their values, differentiated here by autograd)."""
    if network.feature_mask is not None:
        inputs = inputs * network.feature_mask
    probs = forward(network, inputs, weights, biases)
    width = probs.shape[1]
    eps = torch.finfo(probs.dtype).eps
    count_t = torch.as_tensor(counts, dtype=probs.dtype, device=probs.device)
    mask = (torch.arange(width, device=probs.device)[None, :] < count_t[:, None]).to(probs.dtype)
    if network.logistic:
        p = probs.clamp(eps, 1 - eps)
        per_record = -(targets * p.log() + (1 - targets) * (1 - p).log())[..., 0]
        class_probs = torch.cat((1.0 - probs, probs), 2)
    else:
        picked = probs.gather(2, targets.long()).clamp(eps, 1 - eps)
        per_record = -picked.log()[..., 0]
        class_probs = probs
    denom = count_t.clamp(min=1)
    total = (per_record * mask).sum(1) / denom
    full = bool((np.asarray(counts) == width).all())
    mask3 = None if full else mask.unsqueeze(-1)
    for penalty in output_penalties:
        total = total + penalty.value_and_gradient(class_probs, targets, mask3)[0]
    scale = 1.0 / width if full else 1.0 / denom
    for penalty in penalties:
        total = total + penalty.value(weights, scale)
    return total


def gradients(network, weights, biases, inputs, targets, counts, penalties=(), outputs=()):
    """The loss (K,) and d(loss)/d(weights), d(loss)/d(biases) by autograd (models are
    independent, so the gradient of the sum is each model's own)."""
    with torch.inference_mode(False), torch.enable_grad():
        leaves = [t.detach().clone().requires_grad_(True) for t in (*weights, *biases)]
        ws, bs = leaves[: len(weights)], leaves[len(weights) :]
        value = loss(network, ws, bs, inputs, targets, counts, penalties, outputs)
        grads = torch.autograd.grad(value.sum(), leaves)
    return value.detach(), list(grads[: len(weights)]), list(grads[len(weights) :])
