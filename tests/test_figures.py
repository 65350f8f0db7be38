"""Figure rendering from result tables (no training involved)."""

import numpy as np
import pandas as pd
import pytest

from miarep.figures import FIGURES, binned, render, summarise


def fake_results(x, values, n=5, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for value in values:
        for _ in range(n):
            rows.append(
                {
                    x: value,
                    "mia_balanced_accuracy": 0.5 + 0.01 * rng.normal(),
                    "paper_mia_accuracy": 0.75 + 0.01 * rng.normal(),
                    "achieved_train_entropy": 1.8 + 0.05 * rng.normal(),
                }
            )
    return pd.DataFrame(rows)


def test_summary_means_and_intervals():
    frame = pd.DataFrame({"x": [1, 1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 5.0, 5.0]})
    summary = summarise(frame, "x", "y")
    assert summary["mean"].tolist() == [2.0, 5.0]
    assert summary["ci"].iloc[0] == pytest.approx(4.302652729911275 / np.sqrt(3))
    assert summary["n"].tolist() == [3, 2]


def test_binned_puts_every_value_in_a_bin():
    frame = pd.DataFrame({"e": np.linspace(0, 1, 101)})
    out = binned(frame, "e", 4)
    assert out["e"].nunique() == 4
    assert out["e"].between(0, 1).all()


@pytest.mark.parametrize("number", sorted(FIGURES))
def test_every_figure_renders_one_panel_per_dataset(number, tmp_path):
    spec = FIGURES[number]
    tables = {d: fake_results(spec.x, [1, 2, 3], seed=i) for i, d in enumerate(["adult", "texas"])}
    summary = render(spec, tables, tmp_path / "f.pdf", tmp_path / "f.png")
    assert (tmp_path / "f.pdf").stat().st_size > 1000 and (tmp_path / "f.png").stat().st_size > 1000
    assert set(summary["dataset"]) == {"adult", "texas"}
    assert set(summary["metric"]) == {"mia_balanced_accuracy", "paper_mia_accuracy"}
