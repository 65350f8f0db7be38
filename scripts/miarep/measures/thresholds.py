"""Threshold rules shared by the metric attacks and the oracle bound.

A threshold rule calls a record a member when its value v is at least tau. The best tau on a set
of members and non-members maximises their balanced accuracy, 0.5 * (share of members with
v >= tau + share of non-members with v < tau), over the values observed in the set (Song and
Mittal's rule, docs/account.md T10); of several equally good values the smallest wins.
"""

import numpy as np

from miarep.measures.metrics import balanced_accuracy


def best_threshold(values_in: np.ndarray, values_out: np.ndarray) -> tuple[float, float]:
    """(tau, balanced accuracy at tau) over the observed values; (nan, nan) if a side is empty."""
    values_in = np.asarray(values_in, dtype=np.float64)
    values_out = np.asarray(values_out, dtype=np.float64)
    if values_in.size == 0 or values_out.size == 0:
        return float("nan"), float("nan")
    candidates = np.unique(np.concatenate([values_in, values_out]))
    tpr = 1.0 - np.searchsorted(np.sort(values_in), candidates, side="left") / values_in.size
    tnr = np.searchsorted(np.sort(values_out), candidates, side="left") / values_out.size
    accuracy = 0.5 * (tpr + tnr)
    best = int(np.argmax(accuracy))  # the first maximum: the smallest such value
    return float(candidates[best]), float(accuracy[best])


def class_thresholds(
    values: np.ndarray, labels: np.ndarray, member: np.ndarray, n_classes: int, per_class: bool
) -> tuple[np.ndarray, float]:
    """One tau per class (or one for all, ``per_class=False``) from labelled IN/OUT values, and
    the balanced accuracy of those taus on the same records. A class without both IN and OUT
    records gets the class-independent tau."""
    values, labels = np.asarray(values, np.float64), np.asarray(labels)
    member = np.asarray(member, bool)
    overall, _ = best_threshold(values[member], values[~member])
    taus = np.full(n_classes, overall)
    if per_class:
        for c in range(n_classes):
            of_class = labels == c
            tau, _ = best_threshold(values[of_class & member], values[of_class & ~member])
            if not np.isnan(tau):
                taus[c] = tau
    return taus, balanced_accuracy(member, values >= taus[labels])
