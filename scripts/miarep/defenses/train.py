"""Train a batch of ANNs under one defense: the entry point the model zoo calls.

Every defense is the engine's own loop with something added: a per-model weight penalty (L1, L2),
Algorithm 1's scheduled penalty and inner loop, or an output penalty bound to each batch's
protected groups. Each model has its own lambda (``lambdas``), so a grid of lambdas trains as one
batch.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from miarep.defenses.algorithm1 import fit_algorithm1
from miarep.defenses.context import PropertyContext
from miarep.defenses.soft_fairness import SoftFairness
from miarep.defenses.spec import DefenseSpec
from miarep.train.engine import BatchedMLP, History, generators
from miarep.train.penalties import weight_penalties


def fit_defended(
    engine: BatchedMLP,
    spec: DefenseSpec,
    lambdas: Sequence[float],
    x: torch.Tensor,
    y: torch.Tensor,
    members: Sequence[np.ndarray],
    seeds: Sequence[int],
    context: PropertyContext | None,
    feature_masks: np.ndarray | None = None,
) -> History:
    """Train model k on rows ``members[k]`` with defense ``spec`` at lambda ``lambdas[k]``."""
    lambdas = np.asarray(lambdas, dtype=np.float64)
    cfg = engine.config
    if spec.name == "none":
        return engine.fit(x, y, members, gens=generators(seeds, engine.device))
    if spec.name in ("l1", "l2"):
        l1 = cfg.l1 + (lambdas if spec.name == "l1" else 0.0)
        l2 = cfg.l2 + (lambdas if spec.name == "l2" else 0.0)
        return engine.fit(
            x,
            y,
            members,
            gens=generators(seeds, engine.device),
            penalties=weight_penalties(cfg.alpha, l2, l1),
        )
    if context is None:
        raise ValueError(f"defense {spec.name} needs the records' groups (a PropertyContext)")
    if spec.measured is not None:
        return fit_algorithm1(engine, spec, lambdas, x, y, members, seeds, context, feature_masks)
    protected = torch.as_tensor(
        np.asarray(context.protected, dtype=np.float64), device=engine.device
    )
    penalty = SoftFairness(lambdas, spec.name == "soft_delta_p", protected)

    def bind(run, batch):
        for output_penalty in run.output_penalties:
            output_penalty.bind(batch.rows)

    return engine.fit(
        x,
        y,
        members,
        gens=generators(seeds, engine.device),
        output_penalties=[penalty],
        before_step=bind,
    )


@dataclass(frozen=True)
class DefendedTrainer:
    """The model zoo's ``trainer`` for a batch of ANNs under one defense, lambda per model."""

    spec: DefenseSpec
    lambdas: np.ndarray
    context: PropertyContext | None

    def __call__(self, engine, x, y, members, seeds, feature_masks, models) -> History:
        lambdas = np.asarray(self.lambdas, dtype=np.float64)[np.asarray(models)]
        return fit_defended(
            engine, self.spec, lambdas, x, y, members, seeds, self.context, feature_masks
        )
