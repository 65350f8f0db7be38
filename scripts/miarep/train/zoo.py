"""The model zoo of Tonni et al. Table 1 behind one interface: fit on index sets, get probabilities.

``ann`` goes through the batched engine (many models per tensor program); ``lr``, ``svm``, ``rf``
and ``knn`` are scikit-learn's LogisticRegression (lbfgs), SVC (RBF, Platt-calibrated),
RandomForestClassifier (gini) and KNeighborsClassifier, trained one by one.
"""

import logging
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from miarep.train.config import TrainConfig, ann_columns, train_config
from miarep.train.engine import BatchedMLP, generators, pad_index_sets

log = logging.getLogger(__name__)

MODEL_KINDS = ("ann", "knn", "lr", "rf", "svm")
__all__ = [
    "MODEL_KINDS",
    "TrainConfig",
    "ann_columns",
    "fit_predict",
    "sklearn_model",
    "train_config",
]


def sklearn_model(kind: str, params: Mapping, seed: int):
    """A fresh scikit-learn classifier of the given kind."""
    params = dict(params)
    if kind == "lr":
        return LogisticRegression(solver="lbfgs", random_state=seed, **params)
    if kind == "svm":
        # Platt-scaled probabilities from cross-validation: what SVC(probability=True) did before
        # scikit-learn 1.9 deprecated it in favour of this form
        return CalibratedClassifierCV(
            SVC(kernel="rbf", random_state=seed, **params), method="sigmoid", ensemble=False
        )
    if kind == "rf":
        return RandomForestClassifier(criterion="gini", random_state=seed, n_jobs=1, **params)
    if kind == "knn":
        return KNeighborsClassifier(**params)
    raise ValueError(f"unknown model kind {kind!r} (use one of {MODEL_KINDS})")


def fit_predict(
    kind: str,
    settings: Mapping,
    x: np.ndarray,
    y: np.ndarray,
    train_sets: Sequence[np.ndarray],
    predict_sets: Sequence[Sequence[np.ndarray]],
    seeds: Sequence[int],
    feature_masks: np.ndarray | None = None,
    device: str = "auto",
    chunk_models: int = 100,
    trainer: Callable | None = None,
) -> list[list[np.ndarray]]:
    """Train model k on rows ``train_sets[k]`` and return its (n, 2) probabilities on each of
    ``predict_sets[k]``; ``feature_masks[k]`` (0/1 over columns) restricts its inputs.

    ``trainer(engine, x, y, sets, seeds, feature_masks, models)`` replaces the engine's plain fit
    for ANNs (``models``: the positions of the engine's models among all K): how a defense from a
    higher layer (:mod:`miarep.defenses.train`) trains them.
    """
    if kind == "ann":
        return _fit_predict_ann(
            train_config(settings),
            x,
            y,
            train_sets,
            predict_sets,
            seeds,
            feature_masks,
            device,
            chunk_models,
            trainer or plain_fit,
        )
    out = []
    for k, rows in enumerate(train_sets):
        columns = (
            np.flatnonzero(feature_masks[k]) if feature_masks is not None else np.arange(x.shape[1])
        )
        out.append(
            _fit_predict_sklearn(
                kind, settings, x[:, columns], y, rows, predict_sets[k], int(seeds[k])
            )
        )
    return out


def _fit_predict_sklearn(kind, settings, x, y, rows, predict_sets, seed) -> list[np.ndarray]:
    labels = y[rows]
    present = np.unique(labels)
    if len(present) < 2:  # one class only: every record gets that class with certainty
        constant = np.zeros(2)
        constant[int(present[0]) if len(present) else 0] = 1.0
        return [np.tile(constant, (len(p), 1)) for p in predict_sets]
    model = sklearn_model(kind, settings, seed).fit(x[rows], labels)
    columns = np.searchsorted(model.classes_, [0, 1])
    return [
        model.predict_proba(x[p])[:, columns] if len(p) else np.zeros((0, 2)) for p in predict_sets
    ]


def plain_fit(engine, x, y, sets, seeds, feature_masks, models) -> None:
    """The engine's own training, each model from its seed."""
    engine.fit(x, y, sets, gens=generators(seeds, engine.device))


def _fit_predict_ann(
    config, x, y, train_sets, predict_sets, seeds, feature_masks, device, chunk_models, trainer
) -> list[list[np.ndarray]]:
    x_t = torch.tensor(x)
    y_t = torch.tensor(y, dtype=torch.float64)
    out: list[list[np.ndarray]] = []
    for start in range(0, len(train_sets), chunk_models):
        stop = min(start + chunk_models, len(train_sets))
        masks = None if feature_masks is None else feature_masks[start:stop]
        engine = BatchedMLP(config, x.shape[1], stop - start, device, masks)
        empty = [len(s) == 0 for s in train_sets[start:stop]]
        sets = [s if len(s) else np.zeros(1, dtype=np.int64) for s in train_sets[start:stop]]
        trainer(engine, x_t, y_t, sets, seeds[start:stop], masks, np.arange(start, stop))
        log.info("trained ANN models %d-%d of %d", start + 1, stop, len(train_sets))
        n_sets = max(len(p) for p in predict_sets[start:stop])
        results: list[list[np.ndarray]] = [[] for _ in range(stop - start)]
        for j in range(n_sets):
            wanted = [p[j] for p in predict_sets[start:stop]]
            padded, sizes = pad_index_sets([w if len(w) else np.zeros(1, np.int64) for w in wanted])
            probabilities = engine.predict_proba(x_t, padded)
            for k in range(stop - start):
                if empty[k]:  # no training record at all: no information
                    results[k].append(np.full((len(wanted[k]), 2), 0.5))
                else:
                    results[k].append(probabilities[k, : len(wanted[k])])
        out.extend(results)
    return out
