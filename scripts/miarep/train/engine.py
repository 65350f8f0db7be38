"""Many small MLP classifiers trained at once, as one batched tensor program.

The engine puts together, as scikit-learn separates them, the batched network
(:mod:`miarep.train.network`, forward; :mod:`miarep.train.backward`, the hand-written backward
pass and the fused fast path), an optimiser (:mod:`miarep.train.optimizers`), the penalties
(:mod:`miarep.train.penalties`) and the training loop (:mod:`miarep.train.loop`). Each model has its
own initialisation, training set and batch order, all from its own seed, so a model trained in a
batch of 100 is the same model it would be alone.

With a TrainConfig's defaults the training rule is scikit-learn's ``MLPClassifier(solver="sgd")``
step for step: Glorot-uniform initialisation, binary log-loss (or cross-entropy over a softmax),
mini-batches in a fresh random order every epoch (the last one partial), gradients averaged over
the batch, ``alpha`` as L2 on the weights scaled by 1/batch size, momentum and Nesterov momentum
as in sklearn's SGDOptimizer (or its Adam), and its stopping rule applied per model. In float64,
with the same initial weights and batch order, it reproduces scikit-learn's weights to about 1e-14
(tests/test_engine.py). Two penalties beyond sklearn's: ``l2`` adds l2 * sum(W^2) and ``l1`` adds
l1 * sum(|W|) to the mean loss (the paper's lambda, as the Shokri reference code's ``l2_ratio``).
"""

from collections.abc import Callable, Sequence

import numpy as np
import torch

from miarep.train.config import TrainConfig
from miarep.train.loop import History, fit, pad_index_sets
from miarep.train.network import BatchedNetwork, generators, pick_device
from miarep.train.optimizers import optimizer_for
from miarep.train.penalties import weight_penalties

__all__ = [
    "BatchedMLP",
    "History",
    "TrainConfig",
    "generators",
    "pad_index_sets",
    "pick_device",
]


class BatchedMLP(BatchedNetwork):
    """K MLPs with identical architecture, trained with their config's optimiser and penalties."""

    def fit(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        index_sets: Sequence[np.ndarray],
        gens: Sequence[torch.Generator] | None = None,
        orders: Callable[[int], np.ndarray] | None = None,
        progress: Callable[[int, int], None] | None = None,
        output_penalties: Sequence = (),
        on_epoch_end: Callable | None = None,
        before_step: Callable | None = None,
        penalties: Sequence | None = None,
    ) -> History:
        """Train model k on rows ``index_sets[k]`` of (x, y).

        Batch orders come from each model's generator (a fresh permutation of its own rows every
        epoch) unless ``orders(epoch)`` gives the (K, n_max) positions explicitly. ``penalties``
        replaces the config's weight penalties (alpha, l2, l1), e.g. by ones with a coefficient
        per model; ``output_penalties``, ``on_epoch_end`` and ``before_step`` are the loop's
        (:func:`miarep.train.loop.fit`).
        """
        cfg = self.config
        if penalties is None:
            penalties = weight_penalties(cfg.alpha, cfg.l2, cfg.l1)
        return fit(
            self,
            optimizer_for(cfg),
            x,
            y,
            index_sets,
            gens=gens,
            orders=orders,
            penalties=penalties,
            output_penalties=output_penalties,
            progress=progress,
            on_epoch_end=on_epoch_end,
            before_step=before_step,
        )
