"""Table 5's report: cells, the early-stopping match, the paper's layout and the figures."""

import json

import numpy as np
import pandas as pd
import pytest

from miarep.report import style
from miarep.report import table_5 as t5


def _results(rng) -> pd.DataFrame:
    rows = []
    cells = [("none", 0.0, e) for e in (1, 2, 4, 50)] + [
        (d, lam, 50) for d in ("l1", "delta_g") for lam in (0.001, 0.01)
    ]
    for defense, lam, epochs in cells:
        for repetition in range(3):
            test = 0.6 + 0.004 * min(epochs, 20) - (2 * lam if defense != "none" else 0)
            row = {
                "hidden_layers": 1,
                "hidden_units": 50,
                "learning_rate": 0.001,
                "defense": defense,
                "defense_lambda": lam,
                "epochs": epochs,
                "repetition": repetition,
                "train_accuracy": test + 0.01,
                "test_accuracy": test + 0.001 * repetition,
                "achieved_train_share_label_1": 24.0,
                "member_rate": 0.75,
            }
            for line in style.LINES:
                row[style.column(line, style.BALANCED)] = 0.5 + rng.normal(scale=0.01)
                row[style.column(line, style.PAPER)] = 0.6
                row[style.column(line, style.AUC)] = 0.5
                row[style.column(line, style.CALLED)] = 0.7
            if defense == "delta_g":
                trajectory = [0.3, 0.2, 0.25]
                row |= {
                    "r_first": 0.3,
                    "r_min": 0.2,
                    "max_diff": 0.1,
                    "r_trajectory": json.dumps(trajectory),
                }
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def grid():
    return t5.grid_table({"adult": _results(np.random.default_rng(0))}, 50)


def test_grid_has_one_cell_per_defense_lambda_and_checkpoint(grid):
    assert len(grid) == 4 + 4
    assert (grid["repetitions"] == 3).all()
    assert grid["majority_pct"].eq(76.0).all()
    delta_g = grid[grid["defense"] == "delta_g"]
    assert delta_g["max_diff"].tolist() == pytest.approx([0.1, 0.1])


def test_early_stopping_match_picks_the_nearest_test_accuracy(grid):
    checkpoints = t5.checkpoints_of(grid, "adult", grid["target"].iloc[0])
    assert checkpoints["epochs"].tolist() == [1, 2, 4, 50]
    for target_test, epoch in ((60.3, 1), (60.85, 2), (61.7, 4), (70.0, 50)):
        assert t5.early_stopping_match(checkpoints, target_test)["epochs"] == epoch
    # a tie goes to the earlier checkpoint
    tied = pd.DataFrame({"epochs": [3, 5], "test_pct": [60.0, 62.0]})
    assert t5.early_stopping_match(tied, 61.0)["epochs"] == 3


def test_table_in_the_papers_layout_with_the_papers_values(grid):
    reference = pd.DataFrame(
        {
            "dataset": ["adult"] * 3,
            "regularizer": [None, "L1", "delta_g"],  # "None" as a CSV reader returns it
            "train_pct": [76.54, 76.42, 84.49],
            "test_pct": [76.52, 76.72, 84.52],
            "mia_pct": [73.36, 52.41, 52.33],
            "max_diff": [np.nan, np.nan, 0.8],
        }
    )
    frame = t5.table_5(grid, reference, {"default": 0.001}, 50)
    assert frame["regularizer"].tolist() == ["None", "L1", "delta_g"]
    assert frame["paper_train_pct"].tolist() == [76.54, 76.42, 84.49]
    assert frame["lambda"].tolist() == [0.0, 0.001, 0.001]
    sections = t5.table_5_readable(frame)
    (section,) = sections.values()
    assert section["train (paper)"].iloc[0].endswith("(76.5)")
    assert section["Max Diff (paper)"].iloc[2].endswith("(0.800)")


def test_trajectories_and_figures_are_drawn(grid, tmp_path):
    results = {"adult": _results(np.random.default_rng(0))}
    curves = t5.trajectories(results, 50)
    assert curves["epoch"].tolist() == [0, 1, 2, 0, 1, 2]
    assert curves["r"].iloc[:3].tolist() == pytest.approx([0.3, 0.2, 0.25])
    t5.trajectory_figure(curves, tmp_path / "t.pdf", tmp_path / "t.png")
    t5.privacy_utility_figure(grid, 50, tmp_path / "p.pdf", tmp_path / "p.png")
    assert (tmp_path / "t.png").stat().st_size > 1000 and (tmp_path / "p.png").stat().st_size > 1000
