"""Tables 2-4 and Figure 8's pruning, on hand-made result tables with known answers."""

import numpy as np
import pandas as pd
import pytest

from miarep.report import tables
from miarep.report.model_figures import FIGURE_8_SWEEPS, default_test_accuracy, prune
from miarep.train.config import ann_columns
from synthetic import line_columns


def results_for_table_2() -> pd.DataFrame:
    rows = []
    for target, shadow, accuracies in (
        ("ann", "ann", [0.50, 0.60]),
        ("ann", "all", [0.70, 0.70]),
        ("lr", "ann", [0.55, 0.65]),
    ):
        for a in accuracies:
            rows.append(
                {"target_model": target, "shadow_model": shadow} | line_columns(a, called=0.9)
            )
    return pd.DataFrame(rows)


REFERENCE_2 = pd.DataFrame(
    {
        "dataset": ["adult"] * 3,
        "target": ["ANN", "ANN", "LR"],
        "shadow": ["ANN", "All", "ANN"],
        "mia_accuracy_pct": [59.76, 70.28, 56.18],
    }
)


def test_table_2_means_intervals_and_reference_side_by_side():
    frame = tables.table_2({"adult": results_for_table_2()}, REFERENCE_2)
    row = frame.set_index(["target", "shadow"]).loc[("ANN", "ANN")]
    assert row["shokri_balanced_pct"] == pytest.approx(55.0)
    # t(0.975, 1) * s / sqrt(2) with s = 0.0707: 12.706 * 0.05 = 0.635 -> 63.5 points
    assert row["shokri_balanced_ci"] == pytest.approx(100 * 12.7062 * 0.05, rel=1e-4)
    assert row["paper_mia_pct"] == 59.76 and row["repetitions"] == 2
    # calling 90% "member" blind scores 0.25 + 0.5 * 0.9 = 70% under the paper's protocol
    assert row["shokri_stated_blind_pct"] == pytest.approx(70.0)
    assert frame.set_index(["target", "shadow"]).loc[("ANN", "All"), "oracle_balanced_ci"] == 0
    sections = tables.table_2_matrices(frame)
    assert len(sections) == 4  # one per line
    matrix = sections["adult, Shokri, faithful (balanced shadows)"]
    assert list(matrix.columns) == ["target \\ shadow", "ANN", "All"]
    assert matrix.iloc[0].tolist() == ["ANN", "55.0 ± 63.5 (59.8)", "70.0 ± 0.0 (70.3)"]
    assert matrix.iloc[1, 2] != matrix.iloc[1, 2]  # LR x All was not run: empty (NaN) cell


def test_table_3_picks_depth_and_lambda_at_the_default_width_and_rate():
    rows = []
    for layers in (1, 5):
        for l2 in (0.0, 0.01, 0.1):
            for units in (50, 100):
                rows.append(
                    {
                        "hidden_layers": layers,
                        "l2": l2,
                        "hidden_units": units,
                        "learning_rate": 0.001,
                        "train_accuracy": 0.8 + layers / 100 + (units == 100) * 0.1,
                        "test_accuracy": 0.8,
                    }
                    | line_columns(0.5 + l2)
                )
    reference = pd.read_csv("reference/paper_tables/table_3.csv")
    frame = tables.table_3({"adult": pd.DataFrame(rows)}, reference, 50, 0.001)
    assert len(frame) == 4 and set(frame["dataset"]) == {"adult"}
    by_config = frame.set_index("config")
    assert by_config.loc["b", "train_pct"] == pytest.approx(85.0)
    assert by_config.loc["c", "metric_best_balanced_pct"] == pytest.approx(51.0)
    assert by_config.loc["d", "paper_mia_pct"] == 66.955
    assert (frame["repetitions"] == 1).all()
    readable = tables.table_3_readable(frame)
    assert readable.iloc[0][
        "oracle bound (loss threshold on the truth): paper protocol [blind]"
    ] == ("75.0 [75.0]")


def test_table_4_correlations_match_their_definitions():
    rng = np.random.default_rng(0)
    n = 200
    share = rng.uniform(5, 50, n)
    frame = pd.DataFrame(
        {
            "achieved_train_share_label_1": share,
            "achieved_train_feature_balance": 60 - share + rng.normal(0, 5, n),
            "achieved_train_entropy": np.exp(share / 10),  # monotone: Spearman exactly 1
            "delta_g": rng.uniform(size=n),
            "delta_p": np.full(n, 0.2),  # constant: no correlation defined
            "delta_i": rng.uniform(size=n),
        }
    )
    reference = pd.read_csv("reference/paper_tables/table_4.csv")
    out = tables.table_4({"adult": frame}, reference).set_index(["property_1", "property_2"])
    assert len(out) == 12
    pair = out.loc[("Class balance", "Feature balance")]
    expected = np.corrcoef(share, frame["achieved_train_feature_balance"])[0, 1]
    assert pair["pearson_r"] == pytest.approx(expected) and pair["pearson_p"] < 1e-10
    assert pair["paper_pearson_r"] == -0.962
    entropy = out.loc[("Class balance", "Entropy")]
    assert entropy["spearman_rho"] == pytest.approx(1.0) and entropy["pearson_r"] < 1
    assert np.isnan(out.loc[("Group fair.", "Predictive fair."), "pearson_r"])
    assert (out["n"] == n).all()


def test_markdown_and_latex_render_every_cell():
    frame = pd.DataFrame({"name": ["a_b", "c&d"], "value": [0.12345, float("nan")], "p": [1e-9, 1]})
    md = tables.markdown(frame, digits=3)
    assert md.splitlines()[0] == "| name | value | p |"
    assert "| a_b | 0.123 | 1.0e-09 |" in md and "| c&d | – | 1.000 |" in md
    tex = tables.latex(frame, "Table 9: 50% done", digits=3)
    assert "a\\_b & 0.123" in tex and "c\\&d" in tex and "50\\% done" in tex
    assert tex.count("\\\\") == 3


def test_write_table_writes_csv_markdown_and_latex(tmp_path):
    frame = tables.table_2({"adult": results_for_table_2()}, REFERENCE_2)
    paths = [tmp_path / f"t.{ext}" for ext in ("csv", "md", "tex")]
    tables.write_table(frame, paths, "Table 2", 2, tables.table_2_matrices(frame))
    pd.testing.assert_frame_equal(pd.read_csv(paths[0]), frame, check_dtype=False)
    assert "## adult" in paths[1].read_text()
    tex = paths[2].read_text()
    assert tex.count("\\begin{table}") == 4 and "55.0 $\\pm$ 63.5 (59.8)" in tex


def test_figure_8_prunes_relative_to_the_default_model():
    default = ann_columns({"hidden": [50], "learning_rate": 0.001})
    assert default == {"hidden_layers": 1, "hidden_units": 50, "learning_rate": 0.001, "l2": 0.0}
    frame = pd.DataFrame(
        {
            "hidden_layers": [1, 1, 1, 1, 2, 2],
            "hidden_units": [50, 50, 5, 5, 50, 5],
            "learning_rate": 0.001,
            "l2": 0.0,
            "test_accuracy": [0.80, 0.84, 0.70, 0.74, 0.79, 0.60],
        }
    )
    reference = default_test_accuracy([frame], default)
    assert reference == pytest.approx(0.82)
    configs = prune(frame, FIGURE_8_SWEEPS[0], reference, 0.9).set_index(["hidden_layers", "value"])
    assert configs["threshold"].iloc[0] == pytest.approx(0.738)
    assert configs["pruned"].to_dict() == {
        (1, 5): True,  # mean 0.72
        (1, 50): False,
        (2, 5): True,
        (2, 50): False,
    }
    assert np.isnan(default_test_accuracy([frame], {**default, "l2": 0.5}))


def test_a_cell_is_mean_plus_minus_ci_or_the_mean_alone_or_the_missing_mark():
    from miarep.report.tables import plus_minus

    assert plus_minus(56.04, 1.26) == "56.0 ± 1.3"
    assert plus_minus(0.51234, 0.0049, digits=3) == "0.512 ± 0.005"
    assert plus_minus(56.04, float("nan")) == "56.0"  # one repetition: no interval
    assert plus_minus(float("nan"), 1.0, missing="N.A.") == "N.A."
