"""Song and Mittal's privacy risk score (2021, Section 4): P(member | the target's output).

By Bayes with equal priors, r(z) = P(v | in) / (P(v | in) + P(v | out)) for the record's modified
entropy v = Mentr(F(x), y), the two distributions estimated per class from the shadows' IN and OUT
records as histograms over ``bins`` log-spaced bins between that class's smallest and largest
shadow value (values at most 1e-10 count as 1e-10), each normalised by its count. A target value
outside the range falls in the first or last bin; a bin empty on both sides takes the score of the
nearest bin that is not, searching outward, the lower side first (the authors' code). A class
without both IN and OUT shadow records, or whose shadow records all have one value, scores 0.5.

Behind the attack interface it is ``risk_score``: the score is r(z), and a record is called a
member when r(z) >= 0.5 (docs/account.md T11). No training.
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.attacks.metric import modified_entropy

SMALLEST = 1e-10


def histograms(values_in: np.ndarray, values_out: np.ndarray, bins: int):
    """(edges, share of IN per bin, share of OUT per bin) on log-spaced bins over both sets
    (positive values, not all equal)."""
    both = np.concatenate([values_in, values_out])
    edges = np.logspace(np.log10(both.min()), np.log10(both.max()), bins + 1)
    edges[[0, -1]] = both.min(), both.max()  # exactly, so that no shadow value falls outside
    share_in = np.histogram(values_in, edges)[0] / len(values_in)
    share_out = np.histogram(values_out, edges)[0] / len(values_out)
    return edges, share_in, share_out


def bin_scores(share_in: np.ndarray, share_out: np.ndarray) -> np.ndarray:
    """r per bin; an empty bin takes the nearest non-empty one's (outward, lower side first)."""
    total = share_in + share_out
    scores = np.full(len(total), 0.5)
    for b in range(len(total)):
        if total[b] > 0:
            scores[b] = share_in[b] / total[b]
            continue
        for step in range(1, len(total)):
            near = [k for k in (b - step, b + step) if 0 <= k < len(total) and total[k] > 0]
            if near:
                scores[b] = share_in[near[0]] / total[near[0]]
                break
    return scores


def bin_of(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The bin of each value: the last edge at or below it, clipped to the first and last bin."""
    index = np.searchsorted(edges, values, side="right") - 1
    return np.clip(index, 0, len(edges) - 2)


def risk_scores(one: AttackInput, bins: int = 5) -> np.ndarray:
    """r(z) for every query record of one experiment."""
    shadow = np.maximum(modified_entropy(one.shadow_probs, one.shadow_labels), SMALLEST)
    target = np.maximum(modified_entropy(one.target_probs, one.labels), SMALLEST)
    member = np.asarray(one.shadow_member, bool)
    out = np.full(len(target), 0.5)
    for c in range(one.target_probs.shape[1]):
        of_class = one.shadow_labels == c
        values_in, values_out = shadow[of_class & member], shadow[of_class & ~member]
        query = one.labels == c
        if values_in.size == 0 or values_out.size == 0 or not query.any():
            continue
        if np.ptp(np.r_[values_in, values_out]) == 0:
            continue  # one value for every shadow record: nothing tells IN from OUT
        edges, share_in, share_out = histograms(values_in, values_out, bins)
        out[query] = bin_scores(share_in, share_out)[bin_of(edges, target[query])]
    return out


class RiskScoreAttack:
    """The privacy risk score behind the attack interface (registry name ``risk_score``)."""

    name: ClassVar[str] = "risk_score"
    needs: ClassVar[tuple[str, ...]] = ("shadow",)
    shadow_split: ClassVar[str] = "balanced"

    def __init__(self, bins: int = 5):
        if bins < 1:
            raise ValueError(f"the risk score needs at least one bin, got {bins}")
        self.bins = bins

    @classmethod
    def from_config(
        cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None
    ) -> "RiskScoreAttack":
        """Bins from ``evaluation.risk_score_bins`` (5, the authors' default)."""
        return cls(int((evaluation or {}).get("risk_score_bins", 5)))

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        outputs = []
        for one in inputs:
            score = risk_scores(one, self.bins)
            outputs.append(AttackOutput(score, score >= 0.5))
        return outputs
