"""Long et al.'s vulnerable-record selection (docs/account.md G2), offline: no target is queried.

A record's feature vector is the concatenation of the k reference models' logits on it; two records
are neighbours when their cosine distance is below delta; a record is vulnerable when its expected
number of neighbours in a training set of the target's size, N'_n * N / N', is below beta (N'_n
its neighbours among the N' reference records).
"""

from collections.abc import Sequence

import numpy as np


def features(reference_logits: np.ndarray) -> np.ndarray:
    """(n, k * C) selection features: the k references' (k, n, C) raw logits side by side."""
    logits = np.asarray(reference_logits, dtype=np.float64)
    return np.transpose(logits, (1, 0, 2)).reshape(logits.shape[1], -1)


def neighbour_counts(
    queries: np.ndarray, pool: np.ndarray, deltas: Sequence[float], chunk: int = 2048
) -> np.ndarray:
    """(len(deltas), n) counts of pool rows within cosine distance < delta of each query row."""
    pool_unit = _unit(pool).astype(np.float32)
    counts = np.zeros((len(deltas), len(queries)), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        block = _unit(queries[start : start + chunk]).astype(np.float32)
        distance = 1.0 - block @ pool_unit.T
        for i, delta in enumerate(deltas):
            counts[i, start : start + len(block)] = (distance < delta).sum(1)
    return counts


def vulnerable(counts: np.ndarray, beta: float, target_size: int, n_reference: int) -> np.ndarray:
    """Long's rule: expected neighbours in a training set, counts * N / N', below beta."""
    return counts * (target_size / n_reference) < beta


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)
