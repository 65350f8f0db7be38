"""Figure rendering from result tables (no training involved)."""

import numpy as np
import pandas as pd
import pytest

from miarep.report import style
from miarep.report.figures import FIGURES, binned, render, summarise
from synthetic import line_columns


def fake_results(x, values, n=5, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for value in values:
        for _ in range(n):
            rows.append(
                {x: value, "achieved_train_entropy": 1.8 + 0.05 * rng.normal()}
                | line_columns(0.5 + 0.01 * rng.normal(), 0.75 + 0.01 * rng.normal(), called=0.8)
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
    assert set(summary["line"]) == set(style.LINES)
    metrics = {style.BALANCED, style.PAPER, "blind"}
    assert set(summary["metric"]) == (metrics if spec.kind == "scatter" else metrics | {style.AUC})
    blind = summary[summary["metric"] == "blind"]
    assert np.allclose(blind["mean"], 0.25 + 0.5 * 0.8)  # the blind attack at the called share


def test_figure_8_draws_a_line_per_depth_and_lists_pruned_configurations(tmp_path):
    from miarep.report.model_figures import FIGURE_8_SWEEPS, render_figure_8

    rng = np.random.default_rng(1)
    results = {}
    for sweep, values in zip(FIGURE_8_SWEEPS, ([5, 50], [0.001, 0.1], [0.0, 1.0]), strict=True):
        rows = []
        for depth in (1, 2):
            for value in values:
                for _ in range(3):
                    row = {"hidden_layers": depth, "hidden_units": 50, "learning_rate": 0.001}
                    row |= {"l2": 0.0, sweep.x: value}
                    row["test_accuracy"] = 0.5 if value == values[-1] == 1.0 else 0.8
                    row |= line_columns(0.5 + 0.01 * rng.normal(), auc=0.5 + 0.02 * rng.normal())
                    rows.append(row)
        results[sweep.study] = {"adult": pd.DataFrame(rows)}
    default = {"hidden_layers": 1, "hidden_units": 50, "learning_rate": 0.001, "l2": 0.0}
    pdf, png = tmp_path / "f8.pdf", tmp_path / "f8.png"
    summary, configs = render_figure_8(results, default, 0.9, pdf, png)
    assert pdf.stat().st_size > 1000 and png.stat().st_size > 1000
    assert len(configs) == 3 * 2 * 2
    pruned = configs[configs["pruned"]]
    assert set(pruned["sweep"]) == {"l2"} and set(pruned["value"]) == {1.0}
    # pruned: lambda = 1 at both depths, in each of the five rows (four lines and the AUC)
    assert set(summary["hidden_layers"]) == {1, 2} and summary["pruned"].sum() == 2 * 5
    assert set(summary["metric"]) == {
        *(style.column(line, style.BALANCED) for line in style.LINES),
        "shokri_mia_auc",
    }


def test_figure_11_has_a_line_per_dataset_in_each_fairness_panel(tmp_path):
    from miarep.report.model_figures import render_figure_11

    rng = np.random.default_rng(2)
    tables = {
        dataset: pd.DataFrame(
            {
                "delta_g": rng.uniform(size=40),
                "delta_p": rng.uniform(size=40),
                "delta_i": rng.uniform(size=40),
            }
            | line_columns(rng.uniform(0.45, 0.6, 40))
        )
        for dataset in ("adult", "texas")
    }
    summary = render_figure_11(tables, 4, tmp_path / "f.pdf", tmp_path / "f.png")
    assert set(summary["measure"]) == {"delta_g", "delta_p", "delta_i"}
    assert summary.groupby(["measure", "dataset", "line"]).size().eq(4).all()
    assert summary["n"].sum() == 3 * 2 * 40 * len(style.LINES)
