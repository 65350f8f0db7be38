"""A weight penalty whose per-model coefficients change between epochs (Algorithm 1's exp(r)).

The training loop keeps the penalties it was given and hands the working models' share of them
to each step (``take``); the share holds a view of one coefficient array, so writing the array
between epochs changes the penalty of every model from the next step on.
"""

import numpy as np

from miarep.train.penalties import L1, L2

NORMS = {"l1": L1, "l2": L2}


class ScheduledPenalty:
    """``coefficients[k] * norm(W_k)``; the trainer rewrites ``coefficients`` in place."""

    decay = 0.0

    def __init__(self, norm: str, coefficients: np.ndarray, models: np.ndarray | None = None):
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {sorted(NORMS)}, got {norm!r}")
        self.norm = norm
        self.coefficients = coefficients
        self.models = np.arange(len(coefficients)) if models is None else np.asarray(models)

    def current(self):
        """The plain penalty with the coefficients in force now."""
        return NORMS[self.norm](np.array(self.coefficients[self.models], dtype=np.float64))

    def value(self, weights, scale):
        return self.current().value(weights, scale)

    def add_gradient(self, grad, w):
        return self.current().add_gradient(grad, w)

    def take(self, models: np.ndarray) -> "ScheduledPenalty":
        return ScheduledPenalty(self.norm, self.coefficients, self.models[np.asarray(models)])
