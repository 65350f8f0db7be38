"""The training loop: mini-batch epochs over each model's own rows, with per-model stopping.

Model k trains on rows ``index_sets[k]`` (sets of any size, padded and masked), in a fresh random
order of its own every epoch (its own generator) or in orders given explicitly, with the last
batch partial, as scikit-learn's ``MLPClassifier``. scikit-learn's stopping rule (stop once the
epoch loss has not improved by ``tol`` for more than ``n_iter_no_change`` epochs) applies per
model, and a model that meets it leaves the working tensors at once, so it is the model it would
be if trained alone.

What a defense needs is open: ``fit`` calls ``on_epoch_end(epoch, run, losses)`` after every
epoch (inner loops, checkpoints through ``run.snapshot()``; returning a (K,) bool array stops
those models), and ``before_step(run, batch)`` before every step (AdvReg's inference-model steps).
A loop of one's own can drive :class:`TrainingRun` directly: ``batches``, ``step``,
``end_epoch``, ``finish``.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from miarep.train.allocator import keep_freed_memory
from miarep.train.backward import loss_and_gradients
from miarep.train.network import BatchedNetwork, Parameters


@dataclass
class History:
    """Per-model training record: epoch losses, epochs run, and whether the stopping rule fired."""

    loss_curves: list[list[float]] = field(default_factory=list)
    n_iter: np.ndarray | None = None
    stopped_early: np.ndarray | None = None


@dataclass
class Batch:
    """One step's rows of every working model (Kw, B) and each model's real records in it."""

    rows: torch.Tensor
    counts: np.ndarray


def pad_index_sets(index_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(K, n_max) indices padded with 0 and the (K,) set sizes."""
    sizes = np.array([len(s) for s in index_sets], dtype=np.int64)
    padded = np.zeros((len(index_sets), int(sizes.max())), dtype=np.int64)
    for k, rows in enumerate(index_sets):
        padded[k, : len(rows)] = rows
    return padded, sizes


class TrainingRun:
    """One fit in progress: the models still training, their rows, penalties and optimiser."""

    def __init__(
        self,
        network: BatchedNetwork,
        optimizer,
        x: torch.Tensor,
        y: torch.Tensor,
        index_sets: Sequence[np.ndarray],
        gens: Sequence[torch.Generator] | None = None,
        orders: Callable[[int], np.ndarray] | None = None,
        penalties: Sequence = (),
        output_penalties: Sequence = (),
    ):
        cfg = network.config
        dtype, device = cfg.torch_dtype, network.device
        keep_freed_memory()  # no page faults in the step loop (see miarep.train.allocator)
        if gens is None and orders is None:
            raise ValueError("training needs per-model generators or explicit orders")
        if not network.weights:
            if gens is None:
                raise ValueError("training without set_weights needs generators for the init")
            network.init_glorot(gens)
        self.network = network
        self.optimizer = optimizer
        self.gens, self.orders = gens, orders
        self.x = network.training_inputs(x.to(device, dtype).contiguous())
        self.y = y.to(device, dtype).contiguous()
        padded, self.sizes = pad_index_sets(index_sets)
        self.n_max = padded.shape[1]
        self.rows = torch.as_tensor(padded, device=device)
        self.params: Parameters = network.parameters()
        self.all_penalties, self.all_output_penalties = list(penalties), list(output_penalties)
        self.penalties, self.output_penalties = self.all_penalties, self.all_output_penalties
        self.optimizer.start(self.params.tensors)
        self.epoch_rows: torch.Tensor | None = None

    @property
    def models(self) -> np.ndarray:
        """Indices of the models still training."""
        return self.params.models

    def batches(self, epoch: int) -> Iterator[Batch]:
        """The epoch's batches of every working model, in its order for this epoch."""
        alive = self.models
        sizes = self.sizes[alive]
        if self.orders is not None:
            order = torch.as_tensor(np.asarray(self.orders(epoch))[alive], device=self.rows.device)
        else:
            order = self._permutations([self.gens[k] for k in alive], sizes)
        self.epoch_rows = torch.gather(self.rows, 1, order)
        batch_size = self.network.config.batch_size
        for start in range(0, int(sizes.max()), batch_size):
            stop = min(start + batch_size, self.n_max)
            counts = np.clip(sizes - start, 0, stop - start)
            yield Batch(self.epoch_rows[:, start:stop], counts)

    def _permutations(self, gens, sizes: np.ndarray) -> torch.Tensor:
        """Each model's fresh permutation of its own rows, padded with the unused positions."""
        order = np.empty((len(gens), self.n_max), dtype=np.int64)
        for k, (generator, size) in enumerate(zip(gens, sizes, strict=True)):
            order[k, :size] = torch.randperm(int(size), generator=generator).numpy()
            order[k, size:] = np.arange(size, self.n_max)
        return torch.as_tensor(order, device=self.rows.device)

    def step(self, batch: Batch) -> torch.Tensor:
        """One optimiser step of every working model with records in the batch; its losses."""
        n_working, width = batch.rows.shape
        flat = batch.rows.reshape(-1)
        inputs = self.x.index_select(0, flat).view(n_working, width, -1)
        targets = self.y.index_select(0, flat).view(n_working, width, 1)
        loss, grads_w, grads_b = loss_and_gradients(
            self.network,
            self.params,
            inputs,
            targets,
            batch.counts,
            self.penalties,
            self.output_penalties,
        )
        self.optimizer.step(self.params.tensors, grads_w + grads_b, batch.counts > 0)
        return loss

    def train_epoch(self, epoch: int, before_step=None) -> np.ndarray:
        """Every step of one epoch; the mean loss of each working model over its records."""
        sizes = self.sizes[self.models]
        epoch_loss = torch.zeros(len(sizes), dtype=torch.float64, device=self.rows.device)
        for batch in self.batches(epoch):
            if before_step is not None:
                before_step(self, batch)
            batch_loss = self.step(batch)
            width = batch.rows.shape[1]
            if (batch.counts == width).all():
                epoch_loss.add_(batch_loss, alpha=width)
            else:
                epoch_loss += batch_loss.double() * torch.as_tensor(
                    batch.counts, device=epoch_loss.device
                )
        return epoch_loss.cpu().numpy() / sizes

    def keep_only(self, active: np.ndarray) -> None:
        """Write the stopped models back to the network and train only ``active`` (K,) ones."""
        keep = active[self.models]
        if keep.all():
            return
        self.network.write_back(self.params)
        kept = np.flatnonzero(keep)
        self.params = self.params.take(kept)
        self.optimizer.take(kept)
        self.rows = self.rows.index_select(0, torch.as_tensor(kept, device=self.rows.device))
        self.penalties = [p.take(self.models) for p in self.all_penalties]
        self.output_penalties = [p.take(self.models) for p in self.all_output_penalties]

    def snapshot(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Copies of every model's weights and biases as they are now (a checkpoint)."""
        self.network.write_back(self.params)
        return (
            [w.clone() for w in self.network.weights],
            [b.clone() for b in self.network.biases],
        )

    def finish(self) -> None:
        """Leave every model's final parameters in the network."""
        self.network.write_back(self.params)


@torch.inference_mode()
def fit(
    network: BatchedNetwork,
    optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    index_sets: Sequence[np.ndarray],
    gens: Sequence[torch.Generator] | None = None,
    orders: Callable[[int], np.ndarray] | None = None,
    penalties: Sequence = (),
    output_penalties: Sequence = (),
    progress: Callable[[int, int], None] | None = None,
    on_epoch_end: Callable | None = None,
    before_step: Callable | None = None,
) -> History:
    """Train model k of ``network`` on rows ``index_sets[k]`` of (x, y) (module docstring)."""
    cfg = network.config
    run = TrainingRun(
        network, optimizer, x, y, index_sets, gens, orders, penalties, output_penalties
    )
    n_models = network.n_models
    best = np.full(n_models, np.inf)
    no_improvement = np.zeros(n_models, dtype=np.int64)
    n_iter = np.zeros(n_models, dtype=np.int64)
    curves = np.zeros((cfg.epochs, n_models))
    active = np.ones(n_models, dtype=bool)
    for epoch in range(cfg.epochs):
        alive = run.models
        losses = run.train_epoch(epoch, before_step)
        curves[epoch, alive] = losses
        n_iter[alive] += 1
        if cfg.tol is not None:
            worse = losses > best[alive] - cfg.tol
            no_improvement[alive] = np.where(worse, no_improvement[alive] + 1, 0)
            best[alive] = np.minimum(best[alive], losses)
            active[alive] = no_improvement[alive] <= cfg.n_iter_no_change
        if on_epoch_end is not None:
            stop = on_epoch_end(epoch, run, losses)
            if stop is not None:
                active &= ~np.asarray(stop, dtype=bool)
        if progress is not None:
            progress(epoch + 1, int(active.sum()))
        if not active.any():
            break
        run.keep_only(active)
    run.finish()
    return History(
        loss_curves=[curves[: n_iter[k], k].tolist() for k in range(n_models)],
        n_iter=n_iter,
        stopped_early=n_iter < cfg.epochs,
    )
