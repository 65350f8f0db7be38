"""scikit-learn models fitted side by side on a job's cores, with the serial results.

The engine batches ANNs into one tensor program; scikit-learn's SVC, logistic regression,
random forest and kNN fit one model at a time on one core. Where a job holds more cores and
many such models (LiRA's reference models of Table 2: 85 RBF SVMs), they fit in ``workers``
threads: libsvm's training and prediction, the forest's tree building and kNN's distance
kernels run without the GIL. Threads, not processes: no copy of the data per worker, and no
re-run of a Snakemake script's top level, which spawned processes would import as their main
module. Each model is fitted from its own seed on its own rows exactly as
:func:`miarep.train.zoo.fit_predict` fits it, so the probabilities are those of the serial call,
bit for bit (tests/test_parallel_fit.py).
"""

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from miarep.train.zoo import fit_predict


def fit_predict_parallel(
    kind: str,
    settings: Mapping,
    x: np.ndarray,
    y: np.ndarray,
    train_sets: Sequence[np.ndarray],
    predict_sets: Sequence[Sequence[np.ndarray]],
    seeds: Sequence[int],
    feature_masks: np.ndarray | None = None,
    workers: int = 1,
    **engine_options,
) -> list[list[np.ndarray]]:
    """:func:`~miarep.train.zoo.fit_predict` with scikit-learn models spread over ``workers``
    threads (ANNs, or one worker, go straight to it; ``engine_options`` are its device,
    chunk_models and trainer)."""
    n = len(train_sets)
    if kind == "ann" or workers <= 1 or n <= 1:
        return fit_predict(
            kind, settings, x, y, train_sets, predict_sets, seeds, feature_masks, **engine_options
        )
    masks = None if feature_masks is None else np.asarray(feature_masks)

    def one(k: int) -> list[np.ndarray]:
        mask = None if masks is None else masks[k : k + 1]
        return fit_predict(
            kind, settings, x, y, [train_sets[k]], [predict_sets[k]], [seeds[k]], mask
        )[0]

    with ThreadPoolExecutor(min(workers, n)) as pool:
        return list(pool.map(one, range(n)))
