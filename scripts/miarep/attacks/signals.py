"""What the reference-model attacks read of a model's output: the probability of the true label
(GMIA's loss, LiRA's scaled confidence and RMIA's ratio all start from it)."""

import numpy as np


def true_label_probability(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """p_y of (..., n, C) outputs for (n,) or (..., n) labels."""
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.broadcast_to(np.asarray(labels, dtype=np.int64), probs.shape[:-1])
    return np.take_along_axis(probs, labels[..., None], -1)[..., 0]
