"""Zarifzadeh et al.'s RMIA (2024) behind the attack interface (docs/account.md L2).

RMIA compares a query record x with population records z the target never trained on, through the
likelihood ratio LR(x, z) = (p(x | target) / p(x)) / (p(z | target) / p(z)), where p(. | target)
is the target's probability of the record's true label and p(.) its average over reference models
(the reference part of the input on the query records; ``population_reference_probs`` on the
population records). The score is the share of population records with LR(x, z) > gamma; a record
is called a member when that share is above one half.

- online: p(x) is the mean over all references, those that trained on x and those that did not;
- offline (references that never trained on x): p(x) = ((1 + a) p_out(x) + (1 - a)) / 2, the
  paper's linear approximation of the IN and OUT average from the OUT mean alone; ``a`` is a
  tuned constant (0.3 by default, recorded in the account).
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.attacks.signals import true_label_probability


def rmia_scores(
    target_x: np.ndarray,
    reference_x: np.ndarray,
    reference_member: np.ndarray,
    target_z: np.ndarray,
    reference_z: np.ndarray,
    online: bool,
    gamma: float = 1.0,
    offline_a: float = 0.3,
) -> np.ndarray:
    """RMIA's score per query record from true-label probabilities: the target's on the queries
    (n,) and population records (p,), the references' on them (R, n) and (R, p)."""
    member = np.asarray(reference_member, bool)
    if online:
        prior_x = reference_x.mean(0)
    else:
        out = ~member
        if (out.sum(0) < 1).any():
            raise ValueError("offline RMIA needs a reference that did not train on each record")
        p_out = np.where(out, reference_x, 0.0).sum(0) / out.sum(0)
        prior_x = ((1 + offline_a) * p_out + (1 - offline_a)) / 2
    tiny = np.finfo(np.float64).tiny
    ratio_x = target_x / np.clip(prior_x, tiny, None)
    ratio_z = np.sort(target_z / np.clip(reference_z.mean(0), tiny, None))
    # share of z with ratio_x / ratio_z > gamma, i.e. ratio_z < ratio_x / gamma
    return np.searchsorted(ratio_z, ratio_x / gamma, side="left") / len(ratio_z)


class RMIAOnline:
    """RMIA with references that did and did not train on each record (``rmia_online``)."""

    name: ClassVar[str] = "rmia_online"
    needs: ClassVar[tuple[str, ...]] = ("reference", "population")
    shadow_split: ClassVar[str] = "balanced"
    online: ClassVar[bool] = True

    def __init__(self, gamma: float = 1.0, offline_a: float = 0.3):
        if gamma <= 0 or not 0 <= offline_a <= 1:
            raise ValueError("RMIA needs gamma > 0 and offline_a in [0, 1]")
        self.gamma, self.offline_a = gamma, offline_a

    @classmethod
    def from_config(cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None):
        return cls()

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        outputs = []
        for one in inputs:
            if one.population_reference_probs is None:
                raise ValueError("RMIA needs the references' outputs on the population records")
            score = rmia_scores(
                true_label_probability(one.target_probs, one.labels),
                true_label_probability(one.reference_probs, one.labels),
                one.reference_member,
                true_label_probability(one.population_probs, one.population_labels),
                true_label_probability(one.population_reference_probs, one.population_labels),
                self.online,
                self.gamma,
                self.offline_a,
            )
            outputs.append(AttackOutput(score, score > 0.5))
        return outputs


class RMIAOffline(RMIAOnline):
    """RMIA from references that never trained on the record (``rmia_offline``)."""

    name: ClassVar[str] = "rmia_offline"
    online: ClassVar[bool] = False
