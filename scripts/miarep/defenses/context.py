"""What Algorithm 1 needs to measure r on a model's training set, and where r's trajectory goes.

r is measured with the very functions the result tables use (:mod:`miarep.measures.properties`)
on the model's own training records: g1 and g0 are the protected groups of account M6, delta_i
pairs records on their top-5 combination frequency (M5) with one seeded sample of pairs per model,
I_X pairs each discretised feature with the predicted label (M1).
"""

from dataclasses import dataclass, field

import numpy as np

from miarep.core.seeding import rng
from miarep.measures import properties


@dataclass
class PropertyContext:
    """Per-record data of the whole table: labels, protected group, discretised codes."""

    labels: np.ndarray
    protected: np.ndarray
    codes: np.ndarray
    top_features: list[int]
    n_pairs: int = 100_000
    #: r in force in each epoch of each defended model, by (TrainConfig, defense, lambda, seed),
    #: filled in by the trainer (models of one sample share seeds across architectures)
    trajectories: dict[tuple, list[float]] = field(default_factory=dict)

    def measure(
        self,
        name: str,
        probabilities: np.ndarray,
        members: np.ndarray,
        columns: np.ndarray,
        pairs: tuple[np.ndarray, np.ndarray] | None = None,
        record_prob: np.ndarray | None = None,
    ) -> np.ndarray:
        """(L,) values of property ``name`` of L models' probabilities (L, n, C) on ``members``.

        ``columns`` are the features the models see (for I_X); ``pairs`` the record pairs of
        delta_i (:meth:`pairs_for`) and ``record_prob`` its P[x] of ``members``
        (:meth:`record_probabilities`, computed here when left out).
        """
        predictions = probabilities.argmax(-1)
        group = self.protected[members]
        if name == "delta_g":
            return np.atleast_1d(properties.group_fairness(predictions, group))
        if name == "delta_p":
            return np.atleast_1d(
                properties.predictive_fairness(predictions, self.labels[members], group)
            )
        if name == "delta_i":
            if pairs is None:
                raise ValueError("delta_i needs record pairs (PropertyContext.pairs_for)")
            if record_prob is None:
                record_prob = self.record_probabilities(members)
            return np.atleast_1d(properties.individual_fairness(probabilities, record_prob, pairs))
        if name == "I_X":
            return np.atleast_1d(
                properties.mutual_information_records_params(
                    self.codes[np.ix_(members, columns)], predictions
                )
            )
        raise ValueError(f"unknown property {name!r}")

    def record_probabilities(self, members: np.ndarray) -> np.ndarray:
        """P[x] of each member: the frequency of its top-5 combination among ``members`` (M5)."""
        return properties.record_probabilities(self.codes[np.ix_(members, self.top_features)])

    def pairs_for(self, n_members: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """One model's sample of record pairs for delta_i, the same in every epoch."""
        return properties.sample_pairs(n_members, self.n_pairs, rng(seed, "delta_i pairs"))
