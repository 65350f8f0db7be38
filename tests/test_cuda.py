"""The engine on CUDA: these run wherever torch sees a CUDA device and skip elsewhere."""

import numpy as np
import pytest
import torch

from miarep.train.engine import BatchedMLP, TrainConfig, generators

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA device here (torch.cuda.is_available() is False); run on a GPU machine",
)


def toy(n=1500, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] ** 2 + 0.3 * rng.normal(size=n) > 0.4).astype(np.float64)
    return torch.as_tensor(x), torch.as_tensor(y)


def fit(device: str, n_models: int, hidden=(50,), epochs=5):
    x, y = toy()
    rng = np.random.default_rng(1)
    sets = [np.sort(rng.choice(len(x), 600, replace=False)) for _ in range(n_models)]
    config = TrainConfig(hidden=hidden, learning_rate=0.01, epochs=epochs, batch_size=64)
    engine = BatchedMLP(config, x.shape[1], n_models, device)
    engine.fit(x, y, sets, gens=generators(range(n_models), engine.device))
    return engine.predict_proba(x)


@pytest.mark.parametrize("hidden", [(50,), (50, 50, 50)])
def test_cuda_trains_the_same_models_as_the_cpu(hidden):
    """Same seeds, same batches (CPU generators on every device): float32 rounding apart, the
    CUDA models are the CPU's."""
    on_cpu, on_cuda = fit("cpu", 8, hidden), fit("cuda", 8, hidden)
    assert on_cuda.shape == on_cpu.shape == (8, 1500, 2)
    np.testing.assert_allclose(on_cuda, on_cpu, atol=2e-4)


def test_a_thousand_models_train_in_one_cuda_batch():
    """config/gpu.yaml's batch size: every model learns (accuracy above the majority class)."""
    x, y = toy()
    probs = fit("cuda", 1000, epochs=3)
    accuracy = (probs.argmax(-1) == y.numpy()[None, :]).mean(1)
    majority = max(y.mean().item(), 1 - y.mean().item())
    assert np.isfinite(probs).all() and (accuracy > majority).mean() > 0.95
