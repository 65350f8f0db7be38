"""The oracle bound: what a loss threshold achieves when it is chosen on the target's own truth.

It is not an attack (no attacker knows which records are members); it bounds what any attack that
thresholds the target's loss can reach, so a figure can tell "the attack is blind" from "nothing
leaks". The in-sample version picks the threshold on the very records it is scored on (an upper
bound, optimistic by its selection); the cross-fitted one picks it on one half of the records and
scores the other half, and back (docs/account.md E5).
"""

import numpy as np

from miarep.measures.thresholds import best_threshold


def oracle_scores(loss: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Scores -loss - (-tau) with the balanced-accuracy-best tau on all records: a record is
    called a member where its score is >= 0 (its loss at most the threshold)."""
    value = -np.asarray(loss, dtype=np.float64)
    member = np.asarray(member, bool)
    tau, _ = best_threshold(value[member], value[~member])
    return value - tau


def cross_fitted_oracle_scores(
    loss: np.ndarray, member: np.ndarray, generator: np.random.Generator, folds: int = 2
) -> np.ndarray:
    """As :func:`oracle_scores`, each record scored with the threshold chosen on the other folds
    (folds drawn at random within members and within non-members)."""
    value = -np.asarray(loss, dtype=np.float64)
    member = np.asarray(member, bool)
    fold = np.empty(len(value), dtype=np.int64)
    for group in (member, ~member):
        where = np.flatnonzero(group)
        fold[generator.permutation(where)] = np.arange(len(where)) % folds
    out = np.empty(len(value))
    for k in range(folds):
        rest = fold != k
        tau, _ = best_threshold(value[rest & member], value[rest & ~member])
        out[fold == k] = value[fold == k] - tau
    return out
