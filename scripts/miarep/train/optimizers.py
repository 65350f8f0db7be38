"""Optimisers for batched parameters: scikit-learn's SGD (momentum, Nesterov) and its Adam.

Each keeps its state per parameter tensor, in the order of :attr:`Parameters.tensors`, and per
model along the first axis. ``stepping`` (K,) says which models had records in this batch: the
others keep their parameters and state (a model with a smaller training set has run out of
records). ``take`` keeps the state of the models still training.
"""

from collections.abc import Sequence

import numpy as np
import torch

from miarep.train.config import TrainConfig


def _gate(stepping: np.ndarray, like: torch.Tensor) -> torch.Tensor | None:
    """None when every model steps, else a (K, 1, 1) 0/1 tensor."""
    if stepping.all():
        return None
    return torch.as_tensor(stepping, dtype=like.dtype, device=like.device).reshape(-1, 1, 1)


class SGD:
    """sklearn's SGDOptimizer: v = m v - lr g; step v (or, with Nesterov, m v - lr g)."""

    def __init__(self, learning_rate: float, momentum: float = 0.0, nesterov: bool = False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities: list[torch.Tensor] = []

    def start(self, tensors: Sequence[torch.Tensor]) -> None:
        self.velocities = [torch.zeros_like(t) for t in tensors] if self.momentum else []

    def take(self, keep: np.ndarray) -> None:
        if self.velocities:
            index = torch.as_tensor(keep, device=self.velocities[0].device)
            self.velocities = [v.index_select(0, index) for v in self.velocities]

    def step(self, tensors, grads, stepping: np.ndarray) -> None:
        gate = _gate(stepping, tensors[0])
        lr, momentum = self.learning_rate, self.momentum
        for i, (param, grad) in enumerate(zip(tensors, grads, strict=True)):
            if momentum:
                velocity = self.velocities[i]
                new_velocity = momentum * velocity - lr * grad
                if gate is None:
                    velocity.copy_(new_velocity)
                else:
                    velocity.copy_(torch.where(gate.bool(), new_velocity, velocity))
                update = momentum * velocity - lr * grad if self.nesterov else velocity
                param.add_(update if gate is None else update * gate)
            elif gate is None:
                param.add_(grad, alpha=-lr)
            else:
                param.sub_(lr * grad * gate)


class Adam:
    """sklearn's AdamOptimizer, with its step count t per model:
    m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
    step -lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)."""

    def __init__(
        self,
        learning_rate: float,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ):
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.first: list[torch.Tensor] = []
        self.second: list[torch.Tensor] = []
        self.t = np.zeros(0, dtype=np.int64)

    def start(self, tensors: Sequence[torch.Tensor]) -> None:
        self.first = [torch.zeros_like(t) for t in tensors]
        self.second = [torch.zeros_like(t) for t in tensors]
        self.t = np.zeros(tensors[0].shape[0], dtype=np.int64)

    def take(self, keep: np.ndarray) -> None:
        index = torch.as_tensor(keep, device=self.first[0].device)
        self.first = [m.index_select(0, index) for m in self.first]
        self.second = [v.index_select(0, index) for v in self.second]
        self.t = self.t[keep]

    def step(self, tensors, grads, stepping: np.ndarray) -> None:
        self.t = self.t + stepping.astype(np.int64)
        t = np.maximum(self.t, 1)
        rates = (
            self.learning_rate * np.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        ) * stepping
        like = tensors[0]
        rate = torch.as_tensor(rates, dtype=like.dtype, device=like.device).reshape(-1, 1, 1)
        gate = _gate(stepping, like)
        b1, b2 = self.beta_1, self.beta_2
        for param, grad, m, v in zip(tensors, grads, self.first, self.second, strict=True):
            new_m = b1 * m + (1 - b1) * grad
            new_v = b2 * v + (1 - b2) * (grad * grad)
            if gate is None:
                m.copy_(new_m)
                v.copy_(new_v)
            else:
                m.copy_(torch.where(gate.bool(), new_m, m))
                v.copy_(torch.where(gate.bool(), new_v, v))
            param.sub_(rate * m / (v.sqrt() + self.epsilon))


def optimizer_for(config: TrainConfig):
    """The optimiser a TrainConfig names."""
    if config.optimizer == "adam":
        return Adam(config.learning_rate, config.beta_1, config.beta_2, config.epsilon)
    return SGD(config.learning_rate, config.momentum, config.nesterov)
