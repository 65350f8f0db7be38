"""Adversarial regularization (Nasr et al.) on the engine: the min-max game as the released code
plays it (account N3).

The classifier trains on the engine's own loop; its member batches carry the output penalty
lambda * h's verdict (:mod:`miarep.defenses.adversarial`). Each model of the batch has its own
inference model h (:mod:`miarep.attacks.inference_model`), trained by autograd:

- epoch 0 is a plain epoch of the classifier (the penalty's lambda is 0), after which h trains
  ``warmup_passes`` passes over the members against as many reference records;
- from epoch 1 on, before every ``classifier_steps``-th classifier step, h takes ``attack_steps``
  Adam steps, each on a fresh batch of members and one of the defender's reference records (disjoint
  from the members), drawn from the model's own stream.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from miarep.attacks.inference_model import InferenceModels, InferenceShape, attack_loss, reads
from miarep.core.seeding import rng
from miarep.defenses.adversarial import AdversarialPenalty
from miarep.train.backward import class_probabilities
from miarep.train.engine import BatchedMLP, History, generators


@dataclass(frozen=True)
class AdvRegSettings:
    """The game's constants (the released Purchase code's, account N3)."""

    attack_steps: int = 52
    classifier_steps: int = 2
    warmup_passes: int = 5
    attack_batch: int = 128
    attack_learning_rate: float = 1e-4
    objective: str = "mse"
    form: str = "linear"
    shape: InferenceShape = field(default_factory=InferenceShape)

    def __post_init__(self):
        if min(self.attack_steps, self.classifier_steps, self.attack_batch) < 1:
            raise ValueError("attack_steps, classifier_steps and attack_batch must be >= 1")
        if self.warmup_passes < 0 or self.attack_learning_rate <= 0:
            raise ValueError("warmup_passes must be >= 0 and attack_learning_rate positive")


class _Game:
    """The inference models, their optimiser and record streams, for one batch of classifiers."""

    def __init__(self, engine, x, y, members, references, seeds, settings):
        self.engine, self.x, self.y, self.settings = engine, x, y, settings
        self.members = [np.asarray(m) for m in members]
        self.references = [np.asarray(r) for r in references]
        n_classes = engine.config.n_classes if engine.config.output == "softmax" else 2
        gens = generators([int(s) for s in seeds])
        self.h = InferenceModels(n_classes, len(seeds), settings.shape, gens, device=engine.device)
        self.optimizer = torch.optim.Adam(self.h.parameters(), lr=settings.attack_learning_rate)
        self.streams = [rng(int(s), "advreg attack batches") for s in seeds]

    def _draw(self, pools: list[np.ndarray]) -> torch.Tensor:
        size = self.settings.attack_batch
        rows = [
            stream.choice(pool, size, replace=len(pool) < size)
            for stream, pool in zip(self.streams, pools, strict=True)
        ]
        return torch.as_tensor(np.stack(rows), device=self.engine.device)

    def _h_inputs(self, rows: torch.Tensor) -> torch.Tensor:
        network = self.engine
        return reads(
            class_probabilities(network, network.forward(network.inputs_of(self.x, rows))[-1])
        )

    def attack_steps(self, run, n_steps: int) -> None:
        """n_steps Adam steps of every model's h against the classifiers as they are now."""
        if run is not None:
            run.network.write_back(run.params)
        for _ in range(n_steps):
            members, references = self._draw(self.members), self._draw(self.references)
            with torch.no_grad():
                inputs = [self._h_inputs(rows) for rows in (members, references)]
            labels = [self.y[rows].long() for rows in (members, references)]
            with torch.inference_mode(False), torch.enable_grad():
                h_in = self.h(inputs[0].clone(), labels[0].clone())
                h_out = self.h(inputs[1].clone(), labels[1].clone())
                loss = attack_loss(h_in, h_out, self.settings.objective).sum()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()


def fit_advreg(
    engine: BatchedMLP,
    lambdas: np.ndarray,
    x: torch.Tensor,
    y: torch.Tensor,
    members: Sequence[np.ndarray],
    references: Sequence[np.ndarray],
    seeds: Sequence[int],
    settings: AdvRegSettings = AdvRegSettings(),
    on_epoch_end: Callable | None = None,
) -> tuple[History, InferenceModels]:
    """Train model k on ``members[k]`` against its own h, which sees ``references[k]`` as
    non-members; lambda per model. ``on_epoch_end(epoch, run, losses)`` is the caller's own
    hook (checkpoints, curves), called after the game's. Returns the history and the h's."""
    for m, r in zip(members, references, strict=True):
        if np.intersect1d(m, r).size:
            raise ValueError("the defender's reference records must be disjoint from the members")
    x = x.to(engine.device, engine.config.torch_dtype)
    y = y.to(engine.device)
    game = _Game(engine, x, y, members, references, seeds, settings)
    lam = np.zeros(len(seeds))  # epoch 0 is a plain epoch
    penalty = AdversarialPenalty(lam, game.h, settings.form)
    classifier_steps = 0
    warmed_up = False  # h plays from epoch 1 on, whatever the lambdas (all zero included)

    def before_step(run, batch):
        nonlocal classifier_steps
        if warmed_up and classifier_steps % settings.classifier_steps == 0:
            game.attack_steps(run, settings.attack_steps)
        classifier_steps += 1

    def end_epoch(epoch, run, losses):
        nonlocal warmed_up
        if epoch == 0:
            largest = max(len(m) for m in members)
            passes = settings.warmup_passes * -(-largest // settings.attack_batch)
            game.attack_steps(run, passes)
            lam[:] = np.asarray(lambdas, dtype=np.float64)
            warmed_up = True
        if on_epoch_end is not None:
            return on_epoch_end(epoch, run, losses)
        return None

    history = engine.fit(
        x,
        y.double(),
        members,
        gens=generators(seeds, engine.device),
        output_penalties=[penalty],
        before_step=before_step,
        on_epoch_end=end_epoch,
    )
    return history, game.h
