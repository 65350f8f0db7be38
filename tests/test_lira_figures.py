"""The artefacts redrawn with LiRA and RMIA (report/lira_figures.py) on small synthetic tables."""

import numpy as np
import pandas as pd
import pytest

from miarep.report import lira_figures as lf
from miarep.report.lira import sections, summary

ATTACKS = ("shokri", "metric_best", "oracle", "lira_online", "rmia_offline")


def study_and_lira(n_experiments=8, seed=0):
    """A study's result table (with a non-attacked experiment) and LiRA's for the attacked ones."""
    generator = np.random.default_rng(seed)
    study = pd.DataFrame(
        {
            "experiment": np.arange(n_experiments + 1),
            "class_balance": np.r_[np.repeat([10, 50], n_experiments // 2), 50],
            "target_model": ["ann", "lr"] * (n_experiments // 2) + ["ann"],
            "shadow_model": ["ann"] * (n_experiments // 2)
            + ["lr"] * (n_experiments // 2)
            + ["ann"],
            "train_accuracy": generator.uniform(0.8, 0.9, n_experiments + 1),
            "test_accuracy": generator.uniform(0.7, 0.8, n_experiments + 1),
        }
    )
    for attack in ATTACKS[:3]:
        for metric in lf.METRICS:
            study[f"{attack}_{metric}"] = generator.uniform(0, 1, n_experiments + 1)
    lira = pd.DataFrame({"experiment": np.arange(n_experiments), "n_nonmembers": 2500})
    for attack in ATTACKS[3:]:
        for metric in lf.METRICS:
            lira[f"{attack}_{metric}"] = generator.uniform(0, 1, n_experiments)
    return study, lira


def test_beside_keeps_the_attacked_experiments_with_every_line():
    study, lira = study_and_lira()
    frame = lf.beside(study, lira)
    assert frame["experiment"].tolist() == list(range(8))
    assert lf.lines_in(frame) == list(ATTACKS)
    with pytest.raises(pd.errors.MergeError):
        lf.beside(study, pd.concat([lira, lira]))


def test_sweep_figure_summarises_every_line_metric_and_value(tmp_path):
    frame = lf.beside(*study_and_lira())
    data = lf.sweep_figure(
        frame, "class_balance", "CB", "Figure 4", tmp_path / "f.pdf", tmp_path / "f.png"
    )
    assert (tmp_path / "f.pdf").stat().st_size > 0 and (tmp_path / "f.png").stat().st_size > 0
    assert len(data) == len(ATTACKS) * len(lf.METRICS) * 2
    part = data[(data["line"] == "lira_online") & (data["metric"] == "mia_auc")]
    expected = frame[frame["class_balance"] == 10]["lira_online_mia_auc"].mean()
    assert part["mean"].iloc[0] == pytest.approx(expected)


def test_table_2_reads_the_diagonal_shadows_and_formats_mean_and_ci():
    frame = lf.beside(*study_and_lira())
    table = lf.redrawn_table("table_2", frame)
    diagonal = frame[frame["shadow_model"] == frame["target_model"]]
    assert table["target_model"].tolist() == ["ann", "lr"]
    assert table["targets"].tolist() == diagonal.groupby("target_model").size().tolist()
    ann = diagonal[diagonal["target_model"] == "ann"]["lira_online_mia_auc"]
    assert table.loc[0, "lira_online AUC"].startswith(f"{100 * ann.mean():.1f} ± ")
    with pytest.raises(ValueError, match="no redrawn table"):
        lf.redrawn_table("table_9", frame)


def test_roc_panels_count_the_minority_records_and_reject_a_missing_setting(tmp_path):
    study, lira = study_and_lira()
    frame = lf.beside(study, lira)
    generator = np.random.default_rng(2)
    labels = (generator.random(400) < 0.2).astype(int)  # label 1 is the minority
    rows = []
    for e in range(8):
        record = generator.permutation(400)[:200]
        member = np.r_[np.ones(100, bool), np.zeros(100, bool)]
        rows.append(
            pd.DataFrame(
                {
                    "experiment": e,
                    "record": record,
                    "member": member,
                    "target_p_true": generator.random(200),
                    "score_lira_online": generator.normal(size=200) + member,
                }
            )
        )
    scores = pd.concat(rows, ignore_index=True)
    panels = {
        "all": {"study": "s", "setting": {"class_balance": 10}},
        "minority": {"study": "s", "setting": {"class_balance": 10}, "records": "minority"},
    }
    data = lf.roc_panels(
        {"s": scores}, {"s": frame}, panels, labels, tmp_path / "r.pdf", tmp_path / "r.png"
    )
    assert set(data["attack"]) == {"lira_online", "target_p_true"}
    fewest = min(
        int(((labels[p["record"]] == 1) & ~p["member"]).sum())
        for _, p in scores[scores["experiment"] < 4].groupby("experiment")
    )
    minority = data[data["panel"] == "minority"]
    assert minority["fpr"].min() == pytest.approx(1 / fewest)
    assert data[data["panel"] == "all"]["fpr"].min() == pytest.approx(1 / 100)
    with pytest.raises(ValueError, match="no attacked target"):
        lf.roc_panels(
            {"s": scores},
            {"s": frame},
            {"x": {"study": "s", "setting": {"class_balance": 30}}},
            labels,
            tmp_path / "r.pdf",
            tmp_path / "r.png",
        )


def test_the_summary_reads_per_study_with_mean_and_ci_cells():
    study, lira_frame = study_and_lira()
    lira_frame = lira_frame.merge(study[["experiment", "class_balance"]], on="experiment")
    frame = summary(
        {"figure_4": lira_frame},
        {"figure_4": study},
        ["lira_online"],
        {"figure_4": ["class_balance"]},
    )
    assert frame["setting"].tolist() == ["class_balance=10", "class_balance=50"]
    assert frame["resolves_0.1pct"].all()
    (table,) = sections(frame, ["lira_online"]).values()
    auc = lira_frame[lira_frame["class_balance"] == 10]["lira_online_mia_auc"]
    assert table.loc[0, "lira_online auc"].startswith(f"{100 * auc.mean():.1f} ± ")
