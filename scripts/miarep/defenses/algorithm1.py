"""Tonni et al.'s Algorithm 1 on the engine: a weight penalty scaled by a property of the model.

Before each of the k epochs (account R2): l times, copy the current model and fine-tune the copy
one pass over m records drawn from its training set D; measure the property r of each copy on
D's groups g0/g1; take the largest of the l values and hold it fixed (no gradient flows through
r) while one ordinary epoch of mini-batch steps runs on the loss plus lambda * exp(r) * sum |W|
(the Texas variant: lambda * r * sum W^2). Every model of the batch has its own lambda, D, copies
and r, and all l copies of all models fine-tune as one batch of their own.
"""

import dataclasses
import logging
from collections.abc import Sequence

import numpy as np
import torch

from miarep.core.seeding import int_seed, rng
from miarep.defenses.context import PropertyContext
from miarep.defenses.scheduled import ScheduledPenalty
from miarep.defenses.spec import DefenseSpec
from miarep.train.engine import BatchedMLP, History, generators, pad_index_sets
from miarep.train.penalties import weight_penalties

log = logging.getLogger(__name__)

#: fine-tuned copies per inner batch (bounds the memory of their predictions)
COPIES_PER_BATCH = 100


class InnerLoop:
    """Lines 3-9 of Algorithm 1 for a batch of models: r of each, from l fine-tuned copies."""

    def __init__(
        self,
        engine: BatchedMLP,
        spec: DefenseSpec,
        x: torch.Tensor,
        y: torch.Tensor,
        members: Sequence[np.ndarray],
        seeds: Sequence[int],
        context: PropertyContext,
        feature_masks: np.ndarray | None,
    ):
        self.engine, self.spec, self.x, self.y = engine, spec, x, y
        self.members = [np.asarray(m) for m in members]
        self.seeds = [int(s) for s in seeds]
        self.context = context
        self.masks = feature_masks
        n_inputs = engine.n_inputs
        self.columns = [
            np.arange(n_inputs) if feature_masks is None else np.flatnonzero(feature_masks[k])
            for k in range(len(self.members))
        ]
        individual = spec.measured == "delta_i"
        self.pairs = [
            context.pairs_for(len(m), s) if individual else None
            for m, s in zip(self.members, self.seeds, strict=True)
        ]
        # P[x] depends on the training set only: computed once, not every epoch
        self.record_prob = [
            context.record_probabilities(m) if individual else None for m in self.members
        ]
        cfg = engine.config
        self.copy_config = dataclasses.replace(cfg, epochs=1, tol=None)

    def measure(self, epoch: int) -> np.ndarray:
        """(K,) r in force for ``epoch``: the largest property value of each model's l copies."""
        per_block = max(1, COPIES_PER_BATCH // self.spec.copies)
        values = np.empty(len(self.members))
        for start in range(0, len(self.members), per_block):
            models = np.arange(start, min(start + per_block, len(self.members)))
            values[models] = self._measure_block(models, epoch)
        return values

    def _measure_block(self, models: np.ndarray, epoch: int) -> np.ndarray:
        copies = self.spec.copies
        owners = np.repeat(models, copies)
        masks = None if self.masks is None else self.masks[owners]
        network = BatchedMLP(
            self.copy_config, self.engine.n_inputs, len(owners), str(self.engine.device), masks
        )
        index = torch.as_tensor(owners, device=self.engine.device)
        network.weights = [w.index_select(0, index).clone() for w in self.engine.weights]
        network.biases = [b.index_select(0, index).clone() for b in self.engine.biases]
        samples, seeds = [], []
        for k in models:
            for j in range(copies):
                stream = rng(self.seeds[k], "algorithm1 sample", epoch, j)
                size = min(self.spec.records, len(self.members[k]))
                samples.append(np.sort(stream.choice(self.members[k], size, replace=False)))
                seeds.append(int_seed(self.seeds[k], "algorithm1 order", epoch, j))
        network.fit(self.x, self.y, samples, gens=generators(seeds, network.device))
        padded, _ = pad_index_sets([self.members[k] for k in owners])
        probabilities = network.predict_proba(
            self.x, padded, chunk=network.chunk_rows(), copies=copies
        )
        values = []
        for position, k in enumerate(models):
            n = len(self.members[k])
            block = probabilities[position * copies : (position + 1) * copies, :n]
            r = self.context.measure(
                self.spec.measured,
                block,
                self.members[k],
                self.columns[k],
                self.pairs[k],
                self.record_prob[k],
            )
            values.append(float(np.max(r)))
        return np.asarray(values)


def fit_algorithm1(
    engine: BatchedMLP,
    spec: DefenseSpec,
    lambdas: np.ndarray,
    x: torch.Tensor,
    y: torch.Tensor,
    members: Sequence[np.ndarray],
    seeds: Sequence[int],
    context: PropertyContext,
    feature_masks: np.ndarray | None = None,
) -> History:
    """Train the engine's models with Algorithm 1; r per epoch goes to ``context.trajectories``."""
    if spec.measured is None:
        raise ValueError(f"{spec.name} is not one of Algorithm 1's regularizers")
    gens = generators(seeds, engine.device)
    engine.init_glorot(gens)  # the draws fit would make; r of epoch 0 needs the initial model
    inner = InnerLoop(engine, spec, x, y, members, seeds, context, feature_masks)
    lambdas = np.asarray(lambdas, dtype=np.float64)
    coefficients = np.zeros(len(members))
    trajectories: list[list[float]] = [[] for _ in members]

    def use_r(epoch: int) -> None:
        r = inner.measure(epoch)
        coefficients[:] = lambdas * (np.exp(r) if spec.scale == "exp" else r)
        for k, value in enumerate(r):
            trajectories[k].append(float(value))

    def on_epoch_end(epoch, run, losses):
        if epoch + 1 < engine.config.epochs:
            run.snapshot()  # the network's own tensors now hold every model's current weights
            use_r(epoch + 1)
        log.info(
            "%s: epoch %d of %d, r max %.4f",
            spec.name,
            epoch + 1,
            engine.config.epochs,
            max(t[-1] for t in trajectories),
        )

    use_r(0)
    cfg = engine.config
    penalties = [
        *weight_penalties(cfg.alpha, cfg.l2, cfg.l1),
        ScheduledPenalty(spec.norm, coefficients),
    ]
    history = engine.fit(x, y, members, gens=gens, penalties=penalties, on_epoch_end=on_epoch_end)
    for seed, lam, trajectory in zip(seeds, lambdas, trajectories, strict=True):
        context.trajectories[engine.config, spec.name, float(lam), int(seed)] = trajectory
    return history
