"""Long et al.'s generalized membership inference (GMIA), direct inference, behind the attack
interface (docs/account.md G1-G3; registry name ``gmia``).

It reads the reference part of an input (the k reference models' outputs on the query records,
none of which trained on them; :mod:`miarep.attacks.loss_test`), scores 1 - p and decides
p < ``cutoff``. The vulnerable records it is meant for are chosen offline
(:mod:`miarep.attacks.vulnerable`).
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.attacks.loss_test import left_tail_p, log_loss


class GeneralizedMIA:
    """Long et al.'s direct inference behind the attack interface (registry name ``gmia``)."""

    name: ClassVar[str] = "gmia"
    needs: ClassVar[tuple[str, ...]] = ("reference",)
    shadow_split: ClassVar[str] = "balanced"

    def __init__(self, cutoff: float = 0.01):
        if not 0 < cutoff < 1:
            raise ValueError(f"gmia's cutoff must lie in (0, 1), got {cutoff}")
        self.cutoff = cutoff

    @classmethod
    def from_config(
        cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None
    ) -> "GeneralizedMIA":
        """At the paper's headline cutoff, 0.01 (rule long reads every cutoff of ``long.cutoffs``
        from the p-values themselves)."""
        return cls()

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        outputs = []
        for one in inputs:
            reference = np.asarray(one.reference_probs)
            out = ~np.asarray(one.reference_member, bool)
            losses = log_loss(reference, one.labels)
            target = log_loss(one.target_probs, one.labels)
            p = np.array(
                [
                    left_tail_p(losses[out[:, j], j], target[j : j + 1])[0]
                    for j in range(len(target))
                ]
            )
            outputs.append(AttackOutput(1.0 - p, p < self.cutoff))
        return outputs
