"""SGD with a learning rate per model, so a learning-rate sweep trains as one batch.

A deep network's batch costs about the same with 5 models as with 40 (the per-step work, not
the model count, dominates on a CPU), so the references of Figure 8's learning-rate sweep train
one batch per architecture instead of one per learning rate. The rule is
:class:`~miarep.train.optimizers.SGD`'s, whose arithmetic broadcasts a (K, 1, 1) rate; only its
scalar fast path (``add_`` with ``alpha``) needs a number, so the plain step is written here. A
model gets what it would get alone up to float32 rounding (tests/test_rates.py); the studies
keep the scalar path, bit for bit.
"""

import numpy as np
import torch

from miarep.train.optimizers import SGD


class PerModelSGD(SGD):
    """scikit-learn's SGD step with model k's learning rate ``rates[k]``."""

    def __init__(self, rates: np.ndarray, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(0.0, momentum, nesterov)
        self.rates = np.asarray(rates, dtype=np.float64)

    def take(self, keep: np.ndarray) -> None:
        super().take(keep)
        self.rates = self.rates[keep]

    def step(self, tensors, grads, stepping: np.ndarray) -> None:
        like = tensors[0]
        self.learning_rate = torch.as_tensor(
            self.rates, dtype=like.dtype, device=like.device
        ).reshape(-1, 1, 1)
        if self.momentum or not stepping.all():
            super().step(tensors, grads, stepping)
            return
        for param, grad in zip(tensors, grads, strict=True):
            param.sub_(self.learning_rate * grad)
