"""Many small MLP classifiers trained at once, as one batched tensor program.

K independent binary MLPs share one set of kernels: weights are (K, in, out) tensors, every layer is
one ``torch.baddbmm``, and the backward pass is written by hand (faster than autograd here, see
DESIGN.md section 5). Each model has its own initialisation, training set (of any size, padded and
masked) and batch order, all from its own seed, so a model trained in a batch of 100 is the same
model it would be alone.

The training rule is scikit-learn's ``MLPClassifier(solver="sgd")``, step for step: Glorot-uniform
initialisation, one logistic output unit with binary log-loss, mini-batches in a fresh random order
every epoch (the last one partial), gradients averaged over the batch, ``alpha`` as L2 on the
weights scaled by 1/batch size, momentum and Nesterov momentum as in sklearn's SGDOptimizer, and its
stopping rule (stop once the epoch loss has not improved by ``tol`` for more than
``n_iter_no_change`` epochs) applied per model. In float64, with the same initial weights and
batch order, it reproduces scikit-learn's weights to about 1e-14 (tests/test_engine.py).

Two penalties beyond sklearn's: ``l2`` adds l2 * sum(W^2) and ``l1`` adds l1 * sum(|W|) to the mean
loss (the paper's lambda, as in the Shokri reference code's ``l2_ratio``).
"""

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

log = logging.getLogger(__name__)

ACTIVATIONS = ("tanh", "relu")


@dataclass(frozen=True)
class TrainConfig:
    """Architecture and optimiser of one MLP (every model of a batch shares it)."""

    hidden: tuple[int, ...] = (50,)
    activation: str = "tanh"
    learning_rate: float = 0.001
    momentum: float = 0.0
    nesterov: bool = False
    alpha: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    epochs: int = 200
    batch_size: int = 100
    tol: float | None = 1e-4
    n_iter_no_change: int = 10
    dtype: str = "float32"

    def __post_init__(self):
        if not 1 <= len(self.hidden) <= 10 or min(self.hidden) < 1:
            raise ValueError(f"hidden layers must be 1-10 positive widths, got {self.hidden}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.learning_rate <= 0 or self.epochs < 1 or self.batch_size < 1:
            raise ValueError("learning_rate, epochs and batch_size must be positive")
        if min(self.alpha, self.l2, self.l1, self.momentum) < 0:
            raise ValueError("penalties and momentum must be non-negative")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype!r}")

    @property
    def torch_dtype(self) -> torch.dtype:
        return torch.float64 if self.dtype == "float64" else torch.float32


@dataclass
class History:
    """Per-model training record: epoch losses, epochs run, and whether the stopping rule fired."""

    loss_curves: list[list[float]] = field(default_factory=list)
    n_iter: np.ndarray | None = None
    stopped_early: np.ndarray | None = None


def pick_device(device: str = "auto") -> torch.device:
    """``auto`` means CUDA when available, else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def generators(seeds: Sequence[int], device: torch.device) -> list[torch.Generator]:
    """One torch generator per model (CPU generators: the same streams on every device)."""
    out = []
    for seed in seeds:
        generator = torch.Generator(device="cpu")
        generator.manual_seed(int(seed))
        out.append(generator)
    return out


def pad_index_sets(index_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(K, n_max) indices padded with 0 and the (K,) set sizes."""
    sizes = np.array([len(s) for s in index_sets], dtype=np.int64)
    padded = np.zeros((len(index_sets), int(sizes.max())), dtype=np.int64)
    for k, rows in enumerate(index_sets):
        padded[k, : len(rows)] = rows
    return padded, sizes


class BatchedMLP:
    """K binary MLPs with identical architecture, trained and evaluated together."""

    def __init__(self, config: TrainConfig, n_inputs: int, n_models: int, device: str = "auto"):
        self.config = config
        self.n_inputs = n_inputs
        self.n_models = n_models
        self.device = pick_device(device)
        self.widths = [n_inputs, *config.hidden, 1]
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []

    # ---- initialisation -------------------------------------------------------------------
    def init_glorot(self, gens: Sequence[torch.Generator]) -> None:
        """sklearn's init: U(-b, b), b = sqrt(6 / (fan_in + fan_out)), per model and layer."""
        dtype = self.config.torch_dtype
        self.weights, self.biases = [], []
        for fan_in, fan_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            w = torch.stack([_uniform((fan_in, fan_out), bound, g, dtype) for g in gens])
            b = torch.stack([_uniform((1, fan_out), bound, g, dtype) for g in gens])
            self.weights.append(w.to(self.device))
            self.biases.append(b.to(self.device))

    def set_weights(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Start from given (K, in, out) weights and (K, out) biases (to compare with sklearn)."""
        dtype = self.config.torch_dtype
        self.weights = [
            torch.as_tensor(np.asarray(w), dtype=dtype, device=self.device).clone() for w in weights
        ]
        self.biases = [
            torch.as_tensor(np.asarray(b), dtype=dtype, device=self.device)
            .reshape(self.n_models, 1, -1)
            .clone()
            for b in biases
        ]

    # ---- forward ---------------------------------------------------------------------------
    def _forward(self, inputs: torch.Tensor) -> list[torch.Tensor]:
        """Activations of every layer for inputs (K, B, d); the last is P(label 1), (K, B, 1)."""
        activations = [inputs]
        hidden = torch.tanh if self.config.activation == "tanh" else torch.relu
        last = len(self.weights) - 1
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = torch.baddbmm(b, activations[-1], w)
            activations.append(torch.sigmoid(z) if layer == last else hidden(z))
        return activations

    @torch.inference_mode()
    def predict_proba(
        self, x: torch.Tensor, index: np.ndarray | None = None, chunk: int = 8192
    ) -> np.ndarray:
        """Probability vectors (K, M, 2) of every model on its own records.

        ``x`` is the (N, d) data; ``index`` (K, M) picks each model's records (all models see all N
        rows when it is None).
        """
        x = x.to(self.device, self.config.torch_dtype)
        if index is None:
            index = np.broadcast_to(np.arange(x.shape[0]), (self.n_models, x.shape[0]))
        index_t = torch.as_tensor(np.array(index, dtype=np.int64), device=self.device)
        parts = []
        for start in range(0, index_t.shape[1], chunk):
            batch = x[index_t[:, start : start + chunk]]
            parts.append(self._forward(batch)[-1][..., 0])
        p1 = torch.cat(parts, dim=1).double().cpu().numpy()
        return np.stack([1.0 - p1, p1], axis=-1)

    # ---- training --------------------------------------------------------------------------
    @torch.inference_mode()
    def fit(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        index_sets: Sequence[np.ndarray],
        gens: Sequence[torch.Generator] | None = None,
        orders: Callable[[int], np.ndarray] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> History:
        """Train model k on rows ``index_sets[k]`` of (x, y) with sklearn's SGD rule.

        Batch orders come from each model's generator (a fresh permutation of its own rows every
        epoch) unless ``orders(epoch)`` gives the (K, n_max) positions explicitly.
        """
        cfg = self.config
        dtype, device = cfg.torch_dtype, self.device
        if gens is None and orders is None:
            raise ValueError("fit needs per-model generators or explicit orders")
        if not self.weights:
            if gens is None:
                raise ValueError("fit without set_weights needs generators for the init")
            self.init_glorot(gens)
        x = x.to(device, dtype)
        y = y.to(device, dtype)
        padded, sizes = pad_index_sets(index_sets)
        n_models, n_max = padded.shape
        rows = torch.as_tensor(padded, device=device)
        sizes_t = torch.as_tensor(sizes, device=device)
        positions = torch.arange(n_max, device=device)
        velocity_w = [torch.zeros_like(w) for w in self.weights]
        velocity_b = [torch.zeros_like(b) for b in self.biases]
        active = torch.ones(n_models, dtype=torch.bool, device=device)
        best = torch.full((n_models,), math.inf, dtype=torch.float64, device=device)
        no_improvement = torch.zeros(n_models, dtype=torch.int64, device=device)
        n_iter = torch.zeros(n_models, dtype=torch.int64, device=device)
        curves = torch.zeros((cfg.epochs, n_models), dtype=torch.float64, device=device)
        batch_size = cfg.batch_size
        for epoch in range(cfg.epochs):
            order = (
                torch.as_tensor(orders(epoch), device=device)
                if orders is not None
                else self._permutations(gens, sizes, n_max)
            )
            epoch_rows = torch.gather(rows, 1, order)
            epoch_loss = torch.zeros(n_models, dtype=torch.float64, device=device)
            for start in range(0, n_max, batch_size):
                stop = min(start + batch_size, n_max)
                mask = (positions[start:stop][None, :] < sizes_t[:, None]).to(dtype)
                count = mask.sum(1)
                step = active & (count > 0)
                batch_loss = self._step(
                    x, y, epoch_rows[:, start:stop], mask, count, step, velocity_w, velocity_b
                )
                epoch_loss += batch_loss.double() * count.double()
            epoch_loss /= sizes_t.double()
            curves[epoch] = epoch_loss
            n_iter += active.long()
            if cfg.tol is not None:
                worse = epoch_loss > best - cfg.tol
                no_improvement = torch.where(
                    active & worse, no_improvement + 1, torch.where(active, 0, no_improvement)
                )
                best = torch.where(active, torch.minimum(best, epoch_loss), best)
                active = active & ~(no_improvement > cfg.n_iter_no_change)
            if progress is not None:
                progress(epoch + 1, int(active.sum()))
            if not bool(active.any()):
                break
        n_iter_np = n_iter.cpu().numpy()
        curves_np = curves.cpu().numpy()
        return History(
            loss_curves=[curves_np[: n_iter_np[k], k].tolist() for k in range(n_models)],
            n_iter=n_iter_np,
            stopped_early=n_iter_np < cfg.epochs,
        )

    def _permutations(self, gens, sizes: np.ndarray, n_max: int) -> torch.Tensor:
        """Each model's fresh permutation of its own rows, padded with the unused positions."""
        order = np.empty((len(gens), n_max), dtype=np.int64)
        for k, (generator, size) in enumerate(zip(gens, sizes, strict=True)):
            order[k, :size] = torch.randperm(int(size), generator=generator).numpy()
            order[k, size:] = np.arange(size, n_max)
        return torch.as_tensor(order, device=self.device)

    def _step(self, x, y, batch_rows, mask, count, step, velocity_w, velocity_b) -> torch.Tensor:
        """One SGD step for every model whose ``step`` flag is set; returns each batch loss."""
        cfg = self.config
        inputs = x[batch_rows]
        targets = y[batch_rows].unsqueeze(-1)
        acts = self._forward(inputs)
        prob = acts[-1]
        mask3 = mask.unsqueeze(-1)
        denom = count.clamp(min=1)
        eps = torch.finfo(prob.dtype).eps
        clipped = prob.clamp(eps, 1 - eps)
        log_loss = -(targets * torch.log(clipped) + (1 - targets) * torch.log1p(-clipped))
        loss = (log_loss * mask3).sum((1, 2)) / denom
        squares = sum((w * w).sum((1, 2)) for w in self.weights)
        loss = loss + 0.5 * cfg.alpha * squares / denom
        if cfg.l2:
            loss = loss + cfg.l2 * squares
        if cfg.l1:
            loss = loss + cfg.l1 * sum(w.abs().sum((1, 2)) for w in self.weights)
        delta = (prob - targets) * mask3
        scale = (1.0 / denom).reshape(-1, 1, 1)
        grads_w, grads_b = [None] * len(self.weights), [None] * len(self.weights)
        for layer in range(len(self.weights) - 1, -1, -1):
            w = self.weights[layer]
            grad_w = torch.bmm(acts[layer].transpose(1, 2), delta)
            if cfg.alpha:
                grad_w = grad_w + cfg.alpha * w
            grad_w = grad_w * scale
            if cfg.l2:
                grad_w = grad_w + 2.0 * cfg.l2 * w
            if cfg.l1:
                grad_w = grad_w + cfg.l1 * torch.sign(w)
            grads_w[layer] = grad_w
            grads_b[layer] = delta.sum(1, keepdim=True) * scale
            if layer:
                delta = torch.bmm(delta, w.transpose(1, 2))
                hidden = acts[layer]
                delta = (
                    delta * (1 - hidden * hidden)
                    if cfg.activation == "tanh"
                    else (delta * (hidden > 0))
                )
        gate = step.to(prob.dtype).reshape(-1, 1, 1)
        for params, velocities, grads in (
            (self.weights, velocity_w, grads_w),
            (self.biases, velocity_b, grads_b),
        ):
            for param, velocity, grad in zip(params, velocities, grads, strict=True):
                if cfg.momentum:
                    new_velocity = cfg.momentum * velocity - cfg.learning_rate * grad
                    velocity.copy_(torch.where(gate.bool(), new_velocity, velocity))
                    update = (
                        cfg.momentum * velocity - cfg.learning_rate * grad
                        if cfg.nesterov
                        else velocity
                    )
                    param.add_(update * gate)
                else:
                    param.sub_(cfg.learning_rate * grad * gate)
        return loss


def _uniform(shape, bound, generator, dtype) -> torch.Tensor:
    return (
        (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1).mul_(bound).to(dtype)
    )
