"""Song and Mittal's risk score artefacts on hand-made score tables with known answers."""

import numpy as np
import pandas as pd
import pytest

from miarep.report import song


def score_table(n_experiments=4, n=200, seed=0):
    """Members get higher risk scores; the faithful attack's output is squeezed to 0.5-0.6."""
    rng = np.random.default_rng(seed)
    parts = []
    for e in range(n_experiments):
        member = np.r_[np.ones(n, bool), np.zeros(n, bool)]
        risk = np.clip(np.where(member, 0.65, 0.35) + rng.normal(0, 0.15, 2 * n), 0, 1)
        parts.append(
            pd.DataFrame(
                {
                    "experiment": e,
                    "label": rng.integers(0, 2, 2 * n),
                    "member": member,
                    "balanced": True,
                    song.RISK: risk,
                    song.SHOKRI: 0.5 + 0.1 * risk,
                    song.CORRECT: rng.uniform(size=2 * n) < np.where(member, 0.9, 0.7),
                }
            )
        )
    results = pd.DataFrame(
        {"hidden_layers": [1, 1, 5, 5], "learning_rate": [0.001, 0.001, 0.1, 0.1]}
    )
    return results, pd.concat(parts, ignore_index=True)


CONFIGS = {
    "default": {"hidden_layers": 1, "learning_rate": 0.001},
    "leaky": {"hidden_layers": 5, "learning_rate": 0.1},
}


def test_configurations_select_their_experiments_and_name_a_missing_one():
    results, scores = score_table()
    by_config = song.configuration_scores(results, scores, CONFIGS)
    assert set(by_config["leaky"]["experiment"]) == {2, 3}
    with pytest.raises(ValueError, match="'wide'.*matches no experiment"):
        song.configuration_scores(results, scores, {"wide": {"hidden_layers": 3}})


def test_calibration_of_a_calibrated_score_is_close_and_of_a_squeezed_one_is_not():
    rng = np.random.default_rng(1)
    score = rng.uniform(size=20000)
    frame = pd.DataFrame({"balanced": True, "member": rng.uniform(size=20000) < score, "s": score})
    table, rmse = song.calibration(frame, "s", 10)
    assert len(table) == 10 and table["n"].sum() == 20000 and rmse < 0.02
    squeezed = frame.assign(s=0.5 + 0.1 * (frame["s"] - 0.5))
    assert song.calibration(squeezed, "s", 10)[1] > 0.1


def test_precision_rises_with_the_threshold_and_recall_falls(tmp_path):
    results, scores = score_table()
    table = song.precision_recall(song.configuration_scores(results, scores, CONFIGS), [0.9, 0.5])
    for _, group in table.groupby("configuration"):
        high, low = group.iloc[0], group.iloc[1]
        assert high["precision_pct"] > low["precision_pct"] > 50
        assert high["recall_pct"] < low["recall_pct"]


def test_class_points_are_per_class_accuracy_gaps_and_member_risk(tmp_path):
    results, scores = score_table()
    points = song.class_points(scores)
    assert len(points) == 4 * 2
    one = scores[(scores["experiment"] == 0) & (scores["label"] == 1)]
    expected = (
        one.loc[one["member"], song.CORRECT].mean() - one.loc[~one["member"], song.CORRECT].mean()
    )
    got = points[(points["experiment"] == 0) & (points["label"] == 1)].iloc[0]
    assert got["generalization_error"] == pytest.approx(expected)
    assert got["mean_member_risk"] == pytest.approx(one.loc[one["member"], song.RISK].mean())
    drawn = song.generalization_figure(points, "toy", tmp_path / "f.pdf", tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000 and drawn["pearson_r"].notna().all()


def test_the_figures_render(tmp_path):
    results, scores = score_table()
    by_config = song.configuration_scores(results, scores, CONFIGS)
    cdf = song.member_cdf(by_config, tmp_path / "a.pdf", tmp_path / "a.png")
    assert cdf.groupby("configuration")["cdf"].max().eq(1.0).all()
    calibration = song.calibration_figure(by_config, 10, tmp_path / "b.pdf", tmp_path / "b.png")
    assert set(calibration["output"]) == {song.RISK, song.SHOKRI}
    assert (tmp_path / "b.png").stat().st_size > 1000
