"""A learning rate per model: each model of the batch is the model trained at its own rate."""

import numpy as np
import pytest
import torch

from miarep.train.config import TrainConfig
from miarep.train.engine import BatchedMLP, generators
from miarep.train.loop import fit
from miarep.train.rates import PerModelSGD


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_a_batch_of_rates_gives_each_models_own_training(momentum):
    stream = np.random.default_rng(3)
    x = torch.tensor(stream.normal(size=(500, 6)).astype(np.float32))
    y = torch.tensor((stream.random(500) < 0.4).astype(np.float64))
    sets = [stream.choice(500, 80 + 80 * k, replace=False) for k in range(3)]  # idle models
    rates = [0.001, 0.05, 0.5]
    alone = []
    for rate, rows, seed in zip(rates, sets, [1, 2, 3], strict=True):
        config = TrainConfig(hidden=(8, 8), learning_rate=rate, momentum=momentum, epochs=6)
        engine = BatchedMLP(config, 6, 1, "cpu")
        engine.fit(x, y, [rows], gens=generators([seed]))
        alone.append([w[0].clone() for w in engine.weights])
    config = TrainConfig(hidden=(8, 8), momentum=momentum, epochs=6)
    batch = BatchedMLP(config, 6, 3, "cpu")
    fit(batch, PerModelSGD(np.array(rates), momentum), x, y, sets, gens=generators([1, 2, 3]))
    for k in range(3):
        for ours, theirs in zip(batch.weights, alone[k], strict=True):
            torch.testing.assert_close(ours[k], theirs, rtol=1e-4, atol=1e-6)
    assert not torch.allclose(batch.weights[0][0], batch.weights[0][1])
