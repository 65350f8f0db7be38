"""Penalties the training loop adds to the loss: on the weights, and on the model outputs.

Every penalty gives a value per model (added to that model's batch loss) and its gradient. A
coefficient is a number shared by the batch, or one value per model, (K,), so one batch can train a
grid of lambdas, or Algorithm 1's exp(r) per model. The loop hands penalties the working models
only: ``take(models)`` picks their coefficients.

Weight penalties act on every layer's weights (never the biases, as scikit-learn):

- ``Alpha``: scikit-learn's ``alpha``, 0.5 * alpha * sum(W^2) / batch. Its gradient alpha * W is
  added *before* the 1/batch scale, as sklearn does; the network may fold it into the product that
  forms the gradient (``decay``).
- ``L2``: l2 * sum(W^2), the paper's lambda (the Shokri reference code's ``l2_ratio``).
- ``L1``: l1 * sum(|W|).

Output penalties see each model's output probabilities (K, B, C) on its batch and return the
penalty per model and its gradient with respect to those probabilities in the engine's per-record
units: the gradient of the batch *sum*, i.e. n_k times the gradient of a penalty averaged over the
n_k records of model k's batch. The network turns it into a gradient of the logits and adds it to
the loss gradient it back-propagates, which is what Table 5's regularizers and AdvReg's gain are.
"""

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import torch

Coefficient = float | np.ndarray


class WeightPenalty(Protocol):
    """A penalty on the weights of every layer."""

    #: coefficient of W added to the raw (unscaled) gradient, or 0 (see ``Alpha``)
    decay: Coefficient

    def value(self, weights: Sequence[torch.Tensor], scale) -> torch.Tensor:
        """(K,) penalty of each model; ``scale`` is 1/batch size (a number or (K,))."""

    def add_gradient(self, grad: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``grad`` (already scaled by 1/batch) plus this penalty's gradient at ``w``."""

    def take(self, models: np.ndarray) -> "WeightPenalty":
        """The penalty of the listed models only."""


class OutputPenalty(Protocol):
    """A penalty on each model's output probabilities on its batch."""

    def value_and_gradient(
        self, probs: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(K,) penalty and (K, B, C) gradient w.r.t. ``probs`` in per-record units (module doc).

        ``targets`` (K, B, 1) holds the labels; ``mask`` (K, B, 1) marks real records (None when
        every row of the batch is one), and padding rows must get zero gradient.
        """

    def take(self, models: np.ndarray) -> "OutputPenalty":
        """The penalty of the listed models only."""


def _picked(coefficient: Coefficient, models: np.ndarray) -> Coefficient:
    return coefficient if np.isscalar(coefficient) else np.asarray(coefficient)[models]


def as_factor(coefficient: Coefficient, like: torch.Tensor):
    """A number stays a number (the bitwise-stable path); (K,) becomes a (K, 1, 1) tensor."""
    if np.isscalar(coefficient):
        return float(coefficient)
    return torch.as_tensor(np.asarray(coefficient), dtype=like.dtype, device=like.device).reshape(
        -1, 1, 1
    )


def _add_scaled(grad: torch.Tensor, term: torch.Tensor, factor) -> torch.Tensor:
    if isinstance(factor, float):
        return grad.add_(term, alpha=factor)
    return grad.addcmul_(term, factor)


def _per_model(coefficient: Coefficient, like: torch.Tensor):
    if np.isscalar(coefficient):
        return float(coefficient)
    return torch.as_tensor(np.asarray(coefficient), dtype=like.dtype, device=like.device)


def _sum_of_squares(weights: Sequence[torch.Tensor]) -> torch.Tensor:
    return sum((w * w).sum((1, 2)) for w in weights)


class Alpha:
    """scikit-learn's L2 term, 0.5 * alpha * sum(W^2) / batch size."""

    def __init__(self, alpha: Coefficient):
        self.alpha = alpha
        self.decay = alpha

    def value(self, weights, scale) -> torch.Tensor:
        return 0.5 * _per_model(self.alpha, weights[0]) * _sum_of_squares(weights) * scale

    def add_gradient(self, grad, w):
        return grad  # alpha * W went in before the 1/batch scale (``decay``)

    def take(self, models):
        return Alpha(_picked(self.alpha, models))


class L2:
    """l2 * sum(W^2) on the mean loss."""

    decay = 0.0

    def __init__(self, l2: Coefficient):
        self.l2 = l2

    def value(self, weights, scale) -> torch.Tensor:
        return _per_model(self.l2, weights[0]) * _sum_of_squares(weights)

    def add_gradient(self, grad, w):
        twice = 2.0 * self.l2 if np.isscalar(self.l2) else 2.0 * np.asarray(self.l2)
        return _add_scaled(grad, w, as_factor(twice, w))

    def take(self, models):
        return L2(_picked(self.l2, models))


class L1:
    """l1 * sum(|W|) on the mean loss."""

    decay = 0.0

    def __init__(self, l1: Coefficient):
        self.l1 = l1

    def value(self, weights, scale) -> torch.Tensor:
        return _per_model(self.l1, weights[0]) * sum(w.abs().sum((1, 2)) for w in weights)

    def add_gradient(self, grad, w):
        return _add_scaled(grad, torch.sign(w), as_factor(self.l1, w))

    def take(self, models):
        return L1(_picked(self.l1, models))


def weight_penalties(alpha: Coefficient, l2: Coefficient, l1: Coefficient) -> list:
    """The weight penalties of a TrainConfig's ``alpha``, ``l2`` and ``l1`` (zeros left out), in
    the order their gradient terms are added."""
    chosen = []
    for kind, coefficient in ((Alpha, alpha), (L2, l2), (L1, l1)):
        if np.any(np.asarray(coefficient) != 0):
            chosen.append(kind(coefficient))
    return chosen
