"""Song and Mittal's metric attacks (2021, Section 3.1): a threshold on one number per record.

Each attack computes a value v from the target's output on a record and its label, higher meaning
"more likely a member": correctness (1 if the prediction is right), confidence p_y, negated
entropy -H(p) and negated modified entropy -Mentr(p, y), with

    Mentr(p, y) = -(1 - p_y) log p_y - sum_{i != y} p_i log(1 - p_i)

(log 0 read as log 1e-30, as in the authors' code). Correctness calls a record a member when it
is classified right; the others when v >= tau_y, one threshold per class chosen on the shadows'
IN/OUT values (:func:`miarep.measures.thresholds.class_thresholds`), or one for all classes in
the class-independent variants (``*_global``). ``metric_best`` takes, per experiment, the metric
attack whose thresholds score best on the shadow data, never on the target's truth.

Member scores are v - tau_y, so they order the records as the decisions do. No training: these
attacks cost a few array passes per experiment (docs/account.md T10).
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.measures.metrics import balanced_accuracy
from miarep.measures.thresholds import class_thresholds

#: log(0) in the modified entropy, as the authors' code has it
LOG_ZERO = float(np.log(1e-30))


def modified_entropy(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mentr(p, y) per row: 0 for a right answer at probability 1, large for a confident error."""
    probs = np.asarray(probs, dtype=np.float64)
    rows = np.arange(len(labels))
    true = probs[rows, labels]
    with np.errstate(divide="ignore"):
        log_p = np.where(probs > 0, np.log(np.where(probs > 0, probs, 1.0)), LOG_ZERO)
        log_not_p = np.where(probs < 1, np.log(np.where(probs < 1, 1.0 - probs, 1.0)), LOG_ZERO)
    others = -(probs * log_not_p)
    others[rows, labels] = 0.0
    return -(1.0 - true) * log_p[rows, labels] + others.sum(axis=1)


def entropy(probs: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) of each row, 0 log 0 = 0."""
    probs = np.asarray(probs, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * np.log(np.where(probs > 0, probs, 1.0)), 0.0)
    return -terms.sum(axis=1)


def metric_values(metric: str, probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """v for every record (higher = more likely a member)."""
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    if metric == "correctness":
        return (probs.argmax(axis=1) == labels).astype(np.float64)
    if metric == "confidence":
        return probs[np.arange(len(labels)), labels]
    if metric == "entropy":
        return -entropy(probs)
    if metric == "modified_entropy":
        return -modified_entropy(probs, labels)
    raise ValueError(f"unknown metric {metric!r}")


def metric_attack(metric: str, per_class: bool, one: AttackInput) -> tuple[AttackOutput, float]:
    """One experiment's scores and decisions, and the rule's balanced accuracy on the shadows."""
    n_classes = one.target_probs.shape[1]
    shadow = metric_values(metric, one.shadow_probs, one.shadow_labels)
    target = metric_values(metric, one.target_probs, one.labels)
    member = np.asarray(one.shadow_member, bool)
    if metric == "correctness":
        return AttackOutput(target, target >= 1.0), balanced_accuracy(member, shadow >= 1.0)
    taus, accuracy = class_thresholds(shadow, one.shadow_labels, member, n_classes, per_class)
    score = target - taus[one.labels]
    return AttackOutput(score, score >= 0), accuracy


class MetricAttack:
    """A metric attack behind the attack interface; subclasses name the metric."""

    name: ClassVar[str]
    metric: ClassVar[str]
    per_class: ClassVar[bool] = True
    needs: ClassVar[tuple[str, ...]] = ("shadow",)
    shadow_split: ClassVar[str] = "balanced"

    @classmethod
    def from_config(
        cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None
    ) -> "MetricAttack":
        return cls()

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        return [metric_attack(self.metric, self.per_class, one)[0] for one in inputs]


class CorrectnessAttack(MetricAttack):
    name, metric = "metric_correctness", "correctness"


class ConfidenceAttack(MetricAttack):
    name, metric = "metric_confidence", "confidence"


class EntropyAttack(MetricAttack):
    name, metric = "metric_entropy", "entropy"


class ModifiedEntropyAttack(MetricAttack):
    name, metric = "metric_modified_entropy", "modified_entropy"


class GlobalConfidenceAttack(MetricAttack):
    name, metric, per_class = "metric_confidence_global", "confidence", False


class GlobalEntropyAttack(MetricAttack):
    name, metric, per_class = "metric_entropy_global", "entropy", False


class GlobalModifiedEntropyAttack(MetricAttack):
    name, metric, per_class = "metric_modified_entropy_global", "modified_entropy", False


METRIC_ATTACKS = (
    CorrectnessAttack,
    ConfidenceAttack,
    EntropyAttack,
    ModifiedEntropyAttack,
    GlobalConfidenceAttack,
    GlobalEntropyAttack,
    GlobalModifiedEntropyAttack,
)


class BestMetricAttack(MetricAttack):
    """Per experiment, the metric attack with the best balanced accuracy on the shadow data
    (ties: the first of :data:`METRIC_ATTACKS`); ``info`` names it."""

    name = "metric_best"

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        outputs = []
        for one in inputs:
            candidates = [
                (metric_attack(a.metric, a.per_class, one), a.name) for a in METRIC_ATTACKS
            ]
            best = int(np.argmax([accuracy for (_, accuracy), _ in candidates]))
            (output, accuracy), chosen = candidates[best]
            output.info = {"choice": chosen, "shadow_accuracy": accuracy}
            outputs.append(output)
        return outputs
