"""The left-tailed test of GMIA's direct inference (docs/account.md G3): a target's log loss on a
record against the losses of reference models that never trained on it."""

import numpy as np
from scipy.interpolate import PchipInterpolator

from miarep.attacks.signals import true_label_probability


def log_loss(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """-log p(true label) of (..., n, C) outputs, floored at the smallest positive double."""
    true = true_label_probability(probs, labels)
    return -np.log(np.clip(true, np.finfo(np.float64).tiny, None))


def left_tail_p(reference_losses: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """p = F(loss) under the references' smoothed empirical CDF, per loss of one record.

    F passes through (L_(i), i / (k + 1)) for the sorted reference losses (tied losses keep the
    highest rank), monotone between them by PCHIP; below the smallest loss it continues the line
    through the first two points down to 0, above the largest the line through the last two up
    to 1 (account G3)."""
    points, ranks = _cdf_points(np.asarray(reference_losses, dtype=np.float64))
    losses = np.asarray(losses, dtype=np.float64)
    if len(points) == 1:
        return np.where(losses < points[0], 0.0, np.where(losses > points[0], 1.0, ranks[0]))
    p = PchipInterpolator(points, ranks, extrapolate=False)(losses)
    low = losses < points[0]
    high = losses > points[-1]
    slope_low = (ranks[1] - ranks[0]) / (points[1] - points[0])
    slope_high = (ranks[-1] - ranks[-2]) / (points[-1] - points[-2])
    p[low] = ranks[0] + slope_low * (losses[low] - points[0])
    p[high] = ranks[-1] + slope_high * (losses[high] - points[-1])
    return np.clip(p, 0.0, 1.0)


def p_values(
    target_probs: np.ndarray, reference_probs: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """(T, n) p-values of n records under T targets, from the references' (k, n, C) outputs."""
    reference = log_loss(reference_probs, labels)  # (k, n)
    target = log_loss(target_probs, labels)  # (T, n)
    if target.shape[1] == 0:
        return np.zeros(target.shape)
    return np.stack(
        [left_tail_p(reference[:, j], target[:, j]) for j in range(reference.shape[1])], axis=1
    )


def _cdf_points(losses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ordered = np.sort(losses)
    ranks = np.arange(1, len(ordered) + 1) / (len(ordered) + 1)
    unique, last = np.unique(ordered[::-1], return_index=True)  # last occurrence of each value
    return unique, ranks[::-1][last]
