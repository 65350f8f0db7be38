"""Shokri et al.'s shadow-model membership inference attack (2017), docs/account.md T4 and T9.

Shadow models, trained on data disjoint from the target's, label their own training records IN and
their held-out records OUT. One attack model per true class learns IN/OUT from the shadows'
probability vectors; it then scores the target's records. Attack models of many experiments are
trained together (one batched call of the model zoo).

Two attacks stand behind the interface, differing in their shadows' split and attack model:

- ``shokri``, the method as its paper and reference code describe it: shadows split half IN, half
  OUT, attack models trained until their training loss stops improving (``faithful_attack_ann``);
- ``shokri_stated``, the attack as Tonni et al. state it: shadows split like the target (75% IN)
  and the attack ANN of Table 1a read as the paper's notation (``attack_ann``).

The member score is P(IN) from the attack model of the record's class, and a record is called a
member when that is above 0.5.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.core.seeding import int_seed
from miarep.train.zoo import fit_predict


@dataclass
class AttackData:
    """What the attacker has for one experiment: probabilities and labels of IN and OUT records."""

    probs_in: np.ndarray
    labels_in: np.ndarray
    probs_out: np.ndarray
    labels_out: np.ndarray

    @classmethod
    def pooled(cls, parts: Sequence["AttackData"]) -> "AttackData":
        """The IN/OUT records of several shadows together (the paper's "All" mode, account T5)."""
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("probs_in", "labels_in", "probs_out", "labels_out")
            )
        )


def shokri_attack(
    attack_kind: str,
    settings: Mapping,
    attack_data: Sequence[AttackData],
    query_probs: Sequence[np.ndarray],
    query_labels: Sequence[np.ndarray],
    seeds: Sequence[Sequence[int]],
    n_classes: int = 2,
    device: str = "auto",
    chunk_models: int = 100,
) -> list[np.ndarray]:
    """Member scores (P(IN) from the attack model of each record's class) for every query record.

    ``seeds[e][c]`` seeds the attack model of class c in experiment e. A class without any shadow
    record gives its queries the uninformative score 0.5.
    """
    features, targets, train_sets, predict_sets, owners = [], [], [], [], []
    offset = 0
    for e, data in enumerate(attack_data):
        inputs = np.concatenate([data.probs_in, data.probs_out, query_probs[e]])
        labels = np.concatenate([data.labels_in, data.labels_out, query_labels[e]])
        member = np.concatenate(
            [
                np.ones(len(data.labels_in)),
                np.zeros(len(data.labels_out)),
                np.zeros(len(query_labels[e])),
            ]
        )
        n_train = len(data.labels_in) + len(data.labels_out)
        for c in range(n_classes):
            train_sets.append(offset + np.flatnonzero(labels[:n_train] == c))
            predict_sets.append([offset + n_train + np.flatnonzero(query_labels[e] == c)])
            owners.append((e, c))
        features.append(inputs)
        targets.append(member)
        offset += len(labels)
    x = np.concatenate(features).astype(np.float32)
    y = np.concatenate(targets)
    flat_seeds = [int(seeds[e][c]) for e, c in owners]
    outputs = fit_predict(
        attack_kind,
        settings,
        x,
        y,
        train_sets,
        predict_sets,
        flat_seeds,
        device=device,
        chunk_models=chunk_models,
    )
    scores = [np.full(len(q), np.nan) for q in query_labels]
    for (e, c), (probs,) in zip(owners, outputs, strict=True):
        scores[e][query_labels[e] == c] = probs[:, 1]
    return scores


class ShokriAttack:
    """Shokri et al.'s attack as the method describes it (registry name ``shokri``)."""

    name: ClassVar[str] = "shokri"
    needs: ClassVar[tuple[str, ...]] = ("shadow",)
    shadow_split: ClassVar[str] = "balanced"
    #: the models block's key of this attack's ANN settings
    ann_key: ClassVar[str] = "faithful_attack_ann"

    def __init__(self, kind: str, settings: Mapping, device: str = "auto", chunk_models: int = 100):
        self.kind, self.settings = kind, settings
        self.device, self.chunk_models = device, chunk_models

    @classmethod
    def from_config(
        cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None
    ) -> "ShokriAttack":
        """The attack model kind is ``models.attack``: ``models.<ann_key>`` for an ANN, else that
        kind's scikit-learn settings."""
        kind = models["attack"]
        settings = models[cls.ann_key] if kind == "ann" else models[kind]
        return cls(kind, settings, engine.get("device", "auto"), engine.get("chunk_models", 100))

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        n_classes = inputs[0].target_probs.shape[1] if inputs else 2
        scores = shokri_attack(
            self.kind,
            self.settings,
            [
                AttackData(
                    one.shadow_probs[one.shadow_member],
                    one.shadow_labels[one.shadow_member],
                    one.shadow_probs[~one.shadow_member],
                    one.shadow_labels[~one.shadow_member],
                )
                for one in inputs
            ],
            [one.target_probs for one in inputs],
            [one.labels for one in inputs],
            [
                [int_seed(root_seed, *self.seed_name(), c, *one.key) for c in range(n_classes)]
                for one in inputs
            ],
            n_classes=n_classes,
            device=self.device,
            chunk_models=self.chunk_models,
        )
        return [AttackOutput(s, s > 0.5) for s in scores]

    @classmethod
    def seed_name(cls) -> tuple[str, ...]:
        return ("attack", cls.name)


class StatedShokriAttack(ShokriAttack):
    """Shokri's attack as Tonni et al. state it (registry name ``shokri_stated``): its seeds, and
    so its numbers, are those of the project's attack before the faithful one existed."""

    name: ClassVar[str] = "shokri_stated"
    shadow_split: ClassVar[str] = "member_rate"
    ann_key: ClassVar[str] = "attack_ann"

    @classmethod
    def seed_name(cls) -> tuple[str, ...]:
        return ("attack",)
