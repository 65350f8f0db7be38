"""Training is bitwise reproducible at a fixed thread count, and that is what the workflow relies
on: every training job runs at the config's ``engine.threads`` whatever ``--cores`` is. Results at
different thread counts may differ in the last bits (torch's CPU sigmoid computes the end of each
thread's share by another formula; on an AMD EPYC with AVX-512 even the 1x50 fused path's output
weights differ, by 6e-11 after 2 epochs: docs/account.md T8), so no test asserts equality across
thread counts; the end-to-end test reruns at one core and checks that the tables stay identical."""

import hashlib
import os

import numpy as np
import pytest
import torch

from miarep.core.threads import set_wait_policy, wait_policy_for
from miarep.data.encoding import ENCODED_PREFIX
from miarep.train.engine import BatchedMLP, TrainConfig, generators


def train_digest(x, y, sets, config: TrainConfig, threads: int) -> str:
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        engine = BatchedMLP(config, x.shape[1], len(sets), "cpu")
        history = engine.fit(
            torch.as_tensor(x), torch.as_tensor(y), sets, gens=generators(range(len(sets)))
        )
        probs = engine.predict_proba(torch.as_tensor(x), np.stack([s[:2000] for s in sets]))
    finally:
        torch.set_num_threads(before)
    digest = hashlib.sha256()
    for tensor in engine.weights + engine.biases:
        digest.update(tensor.numpy().tobytes())
    digest.update(probs.tobytes())
    digest.update(np.asarray(history.loss_curves).tobytes())
    return digest.hexdigest()


def test_a_fixed_thread_count_gives_bitwise_equal_models(adult_table):
    """100 1x50 models on 10,000 real Adult rows, 2 epochs (the fused path), trained twice at
    the workflow's two threads, and a 2x20 network (the general path) likewise."""
    table = adult_table
    x = table[[c for c in table.columns if c.startswith(ENCODED_PREFIX)]].to_numpy(np.float32)
    y = table["label"].to_numpy(np.int64)
    rng = np.random.default_rng(0)
    sets = [rng.choice(len(x), 10_000, replace=False) for _ in range(100)]
    for config in (TrainConfig(hidden=(50,), epochs=2), TrainConfig(hidden=(20, 20), epochs=1)):
        assert train_digest(x, y, sets, config, 2) == train_digest(x, y, sets, config, 2)


def test_auto_spins_only_while_every_job_can_have_a_core_of_its_own(monkeypatch):
    """auto: OpenMP's default spin when --cores fits the machine, passive when it does not or
    is unbounded (a cluster run); the explicit policies are passed through; the env follows."""
    assert wait_policy_for("auto", 2, 2) is None
    assert wait_policy_for("auto", 1, 2) is None
    assert wait_policy_for("auto", 16, 2) == "PASSIVE"
    assert wait_policy_for("auto", None, 2) == "PASSIVE"
    assert wait_policy_for("passive", 1, 2) == "PASSIVE"
    assert wait_policy_for("active", 16, 2) == "ACTIVE"
    with pytest.raises(ValueError, match="wait_policy"):
        wait_policy_for("spin", 2, 2)
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    set_wait_policy("auto", 1)
    assert "OMP_WAIT_POLICY" not in os.environ
    set_wait_policy("auto", 10**6)
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
