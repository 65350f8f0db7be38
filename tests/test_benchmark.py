"""The benchmark's ratios are taken within a round and summarised over rounds."""

import pytest

from miarep.experiments.benchmark import _ratios


def measurement(round_, method, seconds, accuracy=0.8):
    return {
        "round": round_,
        "method": method,
        "hidden": [50],
        "seconds_per_model": seconds,
        "test_accuracy_mean": accuracy,
    }


def test_ratios_pair_measurements_of_the_same_round():
    # round 1 runs on a machine half as fast: both timings double, the ratio stays
    rows = []
    for round_, slow in ((0, 1.0), (1, 2.0), (2, 1.0)):
        rows += [
            measurement(round_, "sklearn", 1.0 * slow),
            measurement(round_, "torch_one_by_one", 1.2 * slow),
            measurement(round_, "batched_k100", (0.1 if round_ != 2 else 0.08) * slow, 0.79),
        ]
    (ratio,) = _ratios(rows, [100])
    assert ratio["speedup_vs_sklearn_by_round"] == pytest.approx([10.0, 10.0, 12.5])
    assert ratio["speedup_vs_sklearn"] == pytest.approx(10.0)
    assert (ratio["speedup_vs_sklearn_min"], ratio["speedup_vs_sklearn_max"]) == pytest.approx(
        (10.0, 12.5)
    )
    assert ratio["speedup_vs_torch_one_by_one"] == pytest.approx(12.0)
    assert ratio["accuracy_difference_points"] == pytest.approx(-1.0)
