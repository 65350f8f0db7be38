"""Nasr et al.'s NN attack: an inference model h(F(x), y) trained afresh on records of known
membership, then asked about the query records (docs/account.md N4).

It is the defender's h of adversarial regularization (:mod:`miarep.attacks.inference_model`)
turned into an attack: the same two branches on the log-probabilities and the one-hot label, the
same objective, but trained to convergence on the attacker's known members and non-members (the
``shadow`` part of the input: in 004's protocol a disjoint half of the target's own members and
non-members, or an adaptive attacker's shadow models). One h per experiment, all trained together
by Adam on batches drawn with replacement from each experiment's own stream; the member score is
h's output and a record is called a member when it is above 0.5.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch

from miarep.attacks.inference_model import InferenceModels, InferenceShape, attack_loss, reads
from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.core.seeding import int_seed, rng
from miarep.train.network import generators, pick_device


@dataclass(frozen=True)
class NasrAttackSettings:
    """h's shape and training (``models.nasr_attack``; defaults sized for Adult's two classes)."""

    shape: InferenceShape = field(
        default_factory=lambda: InferenceShape(prediction=(64, 32), label=(16,), combine=(32, 16))
    )
    steps: int = 600
    batch: int = 128
    learning_rate: float = 1e-3
    objective: str = "mse"

    def __post_init__(self):
        if min(self.steps, self.batch) < 1 or self.learning_rate <= 0:
            raise ValueError("nasr_attack needs steps and batch >= 1 and a positive learning_rate")

    @classmethod
    def from_mapping(cls, settings: Mapping) -> "NasrAttackSettings":
        settings = dict(settings)
        shape = settings.pop("shape", None)
        unknown = set(settings) - {"steps", "batch", "learning_rate", "objective"}
        if unknown:
            raise ValueError(f"unknown nasr_attack settings {sorted(unknown)}")
        if shape is not None:
            settings["shape"] = InferenceShape(**{k: tuple(v) for k, v in shape.items()})
        return cls(**settings)


def train_inference_attacks(
    inputs: Sequence[AttackInput],
    seeds: Sequence[int],
    settings: NasrAttackSettings,
    device: str = "auto",
) -> list[np.ndarray]:
    """h(target outputs, labels) of each experiment after training its h on its shadow part."""
    dev = pick_device(device)
    n_classes = inputs[0].target_probs.shape[1]
    pools, offset, outputs, labels = [], 0, [], []
    for one in inputs:
        member = np.asarray(one.shadow_member, bool)
        rows = offset + np.arange(len(member))
        pools.append((rows[member], rows[~member]))
        outputs.append(one.shadow_probs)
        labels.append(one.shadow_labels)
        offset += len(member)
    probs = torch.as_tensor(np.concatenate(outputs), dtype=torch.float32, device=dev)
    read = reads(probs)
    y = torch.as_tensor(np.concatenate(labels), dtype=torch.long, device=dev)
    h = InferenceModels(n_classes, len(inputs), settings.shape, generators(seeds), device=dev)
    optimizer = torch.optim.Adam(h.parameters(), lr=settings.learning_rate)
    streams = [rng(int(s), "nasr_nn batches") for s in seeds]

    def draw(side: int) -> torch.Tensor:
        rows = [s.choice(p[side], settings.batch) for s, p in zip(streams, pools, strict=True)]
        return torch.as_tensor(np.stack(rows), device=dev)

    for _ in range(settings.steps):
        members, nonmembers = draw(0), draw(1)
        loss = attack_loss(
            h(read[members], y[members]), h(read[nonmembers], y[nonmembers]), settings.objective
        ).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scores = []
    with torch.no_grad():
        for k, one in enumerate(inputs):
            target = reads(torch.as_tensor(one.target_probs, dtype=torch.float32, device=dev))
            labels_k = torch.as_tensor(one.labels, dtype=torch.long, device=dev)
            model = torch.tensor([k], device=dev)
            verdict = h(target[None], labels_k[None], model)[0]
            scores.append(verdict.double().cpu().numpy())
    return scores


class NasrNNAttack:
    """The NN attack behind the attack interface (registry name ``nasr_nn``)."""

    name: ClassVar[str] = "nasr_nn"
    needs: ClassVar[tuple[str, ...]] = ("shadow",)
    shadow_split: ClassVar[str] = "balanced"

    def __init__(self, settings: NasrAttackSettings = NasrAttackSettings(), device: str = "auto"):
        self.settings, self.device = settings, device

    @classmethod
    def from_config(
        cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None
    ) -> "NasrNNAttack":
        """h's settings from ``models.nasr_attack`` (NasrAttackSettings' defaults if absent)."""
        settings = NasrAttackSettings.from_mapping(models.get("nasr_attack", {}))
        return cls(settings, engine.get("device", "auto"))

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        if not inputs:
            return []
        seeds = [int_seed(root_seed, "attack", self.name, *one.key) for one in inputs]
        scores = train_inference_attacks(inputs, seeds, self.settings, self.device)
        return [AttackOutput(s, s > 0.5) for s in scores]
