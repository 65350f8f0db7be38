"""scikit-learn models fitted in worker threads give the serial call's probabilities, bitwise."""

import numpy as np
import pytest

from miarep.train.parallel import fit_predict_parallel
from miarep.train.zoo import fit_predict

SETTINGS = {"svm": {"C": 1.0}, "lr": {"max_iter": 200}, "rf": {"n_estimators": 10}, "knn": {}}


@pytest.fixture(scope="module")
def data():
    generator = np.random.default_rng(7)
    x = generator.normal(size=(600, 6)).astype(np.float32)
    y = (x[:, 0] + 0.5 * generator.normal(size=600) > 0).astype(np.int64)
    train = [np.sort(generator.choice(400, 150, replace=False)) for _ in range(5)]
    predict = [[np.arange(400, 600), np.arange(0, 50)]] * 5
    masks = (generator.random((5, 6)) < 0.8).astype(np.float32)
    masks[:, 0] = 1
    return x, y, train, predict, masks


@pytest.mark.parametrize("kind", sorted(SETTINGS))
def test_parallel_equals_serial(data, kind):
    x, y, train, predict, masks = data
    seeds = [11, 12, 13, 14, 15]
    serial = fit_predict(kind, SETTINGS[kind], x, y, train, predict, seeds, masks)
    threaded = fit_predict_parallel(
        kind, SETTINGS[kind], x, y, train, predict, seeds, masks, workers=3
    )
    assert len(threaded) == len(serial)
    for a, b in zip(serial, threaded, strict=True):
        for p, q in zip(a, b, strict=True):
            np.testing.assert_array_equal(p, q)


def test_one_worker_is_the_serial_call(data):
    x, y, train, predict, _ = data
    serial = fit_predict("lr", {}, x, y, train[:2], predict[:2], [1, 2])
    same = fit_predict_parallel("lr", {}, x, y, train[:2], predict[:2], [1, 2], workers=1)
    for a, b in zip(serial, same, strict=True):
        for p, q in zip(a, b, strict=True):
            np.testing.assert_array_equal(p, q)
