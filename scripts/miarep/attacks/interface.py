"""What every membership inference attack takes and gives, whatever its method.

One :class:`AttackInput` per experiment holds all an attacker may use: the target model's output
probabilities on the query records with their labels; shadow models' outputs on records whose
membership in the shadow's training set is known; reference models' outputs on the query records
with a membership matrix (which reference trained on which record); and population records. An
attack uses the parts it needs and says which (``needs``); inputs are checked before it runs.

One :class:`AttackOutput` per experiment: a member score per query record and the attack's
decisions. The score orders the records the way the attack decides (a record called a member
never scores below one called a non-member by the same rule), e.g. v - tau_y for per-class
thresholds tau_y, so one ROC curve over all classes is meaningful.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np

PARTS = ("shadow", "reference", "population")


@dataclass
class AttackInput:
    """Everything an attacker has for one experiment (module docstring); arrays by record."""

    target_probs: np.ndarray  # (n, C) the target's outputs on the query records
    labels: np.ndarray  # (n,) their true labels
    key: tuple  # the experiment's identity, for seeds: (dataset, request key, repetition)
    shadow_probs: np.ndarray | None = None  # (m, C) shadow models' outputs
    shadow_labels: np.ndarray | None = None  # (m,)
    shadow_member: np.ndarray | None = None  # (m,) bool: in its shadow's training set
    reference_probs: np.ndarray | None = None  # (R, n, C) reference outputs on the query records
    reference_member: np.ndarray | None = None  # (R, n) bool: record in reference r's training set
    population_probs: np.ndarray | None = None  # (p, C) the target's outputs on population records
    population_labels: np.ndarray | None = None  # (p,)
    #: (R, p, C) the reference models' outputs on the population records (RMIA)
    population_reference_probs: np.ndarray | None = None

    def check(self, needs: Sequence[str] = ()) -> None:
        """Raise ValueError naming the first inconsistency (shapes, labels, probabilities)."""
        n, n_classes = _probabilities("target_probs", self.target_probs)
        _labels("labels", self.labels, n, n_classes)
        for part in needs:
            if part not in PARTS:
                raise ValueError(f"unknown attack input part {part!r} (known: {PARTS})")
            if getattr(self, f"{part}_probs") is None:
                raise ValueError(f"this attack needs {part} outputs, and the input has none")
        if self.shadow_probs is not None:
            m, c = _probabilities("shadow_probs", self.shadow_probs)
            _same_classes("shadow_probs", c, n_classes)
            _labels("shadow_labels", self.shadow_labels, m, n_classes)
            member = _flags("shadow_member", self.shadow_member, (m,))
            if "shadow" in needs and (member.all() or not member.any()):
                raise ValueError("shadow_member needs both members and non-members")
        if self.reference_probs is not None:
            probs = np.asarray(self.reference_probs)
            if probs.ndim != 3 or probs.shape[1:] != (n, n_classes):
                raise ValueError(
                    f"reference_probs must be (R, {n}, {n_classes}), got {probs.shape}"
                )
            _probabilities("reference_probs", probs.reshape(-1, n_classes))
            _flags("reference_member", self.reference_member, probs.shape[:2])
        if self.population_probs is not None:
            p, c = _probabilities("population_probs", self.population_probs)
            _same_classes("population_probs", c, n_classes)
            _labels("population_labels", self.population_labels, p, n_classes)
            if self.population_reference_probs is not None:
                probs = np.asarray(self.population_reference_probs)
                if probs.ndim != 3 or probs.shape[1:] != (p, n_classes):
                    raise ValueError(
                        f"population_reference_probs must be (R, {p}, {n_classes}), "
                        f"got {probs.shape}"
                    )
                _probabilities("population_reference_probs", probs.reshape(-1, n_classes))


@dataclass
class AttackOutput:
    """Member scores and membership decisions for the query records of one experiment."""

    scores: np.ndarray  # (n,) float, higher = more likely a member
    decisions: np.ndarray  # (n,) bool, True = called a member
    #: per-experiment facts worth a result column (e.g. which metric metric_best chose)
    info: dict = field(default_factory=dict)

    def check(self, n: int) -> None:
        scores, decisions = np.asarray(self.scores), np.asarray(self.decisions)
        if scores.shape != (n,) or decisions.shape != (n,):
            raise ValueError(f"an attack must give {n} scores and decisions, got {scores.shape}")
        if decisions.dtype != bool or not np.isfinite(scores).all():
            raise ValueError("attack decisions must be bool and scores finite")
        called, rest = scores[decisions], scores[~decisions]
        if called.size and rest.size and called.min() < rest.max():
            raise ValueError("attack scores must order with the decisions (see AttackOutput)")


class Attack(Protocol):
    """A membership inference attack: many experiments in one call (they train together)."""

    name: ClassVar[str]
    needs: ClassVar[tuple[str, ...]]
    #: which shadow split it trains on: "balanced" (half IN, half OUT, Shokri's method) or
    #: "member_rate" (split like the target, the paper-stated attack)
    shadow_split: ClassVar[str]

    @classmethod
    def from_config(
        cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None
    ) -> "Attack":
        """The attack as the config's ``models``, ``engine`` and ``evaluation`` blocks set it up."""

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        """Scores and decisions for every experiment, seeded from ``root_seed`` and each key."""


def run_checked(attack: Attack, inputs: Sequence[AttackInput], root_seed: int):
    """``attack.run`` with its inputs and outputs checked against the interface."""
    for one in inputs:
        one.check(attack.needs)
    outputs = attack.run(inputs, root_seed)
    if len(outputs) != len(inputs):
        raise ValueError(f"attack {attack.name} gave {len(outputs)} outputs for {len(inputs)}")
    for one, out in zip(inputs, outputs, strict=True):
        out.check(len(one.labels))
    return outputs


def _probabilities(name: str, probs) -> tuple[int, int]:
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(f"{name} must be (records, classes >= 2), got shape {probs.shape}")
    if not np.isfinite(probs).all() or probs.min() < 0 or probs.max() > 1:
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    if probs.size and np.abs(probs.sum(1) - 1).max() > 1e-4:
        raise ValueError(f"{name}: each row must sum to 1")
    return probs.shape


def _labels(name: str, labels, n: int, n_classes: int) -> None:
    labels = None if labels is None else np.asarray(labels)
    if labels is None or labels.shape != (n,):
        raise ValueError(f"{name} must be ({n},), got {None if labels is None else labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{name} must be class indices 0-{n_classes - 1}")


def _flags(name: str, flags, shape: tuple) -> np.ndarray:
    flags = None if flags is None else np.asarray(flags)
    if flags is None or flags.shape != tuple(shape) or flags.dtype != bool:
        raise ValueError(f"{name} must be a bool array of shape {tuple(shape)}")
    return flags


def _same_classes(name: str, c: int, n_classes: int) -> None:
    if c != n_classes:
        raise ValueError(f"{name} has {c} classes, the target's outputs {n_classes}")
