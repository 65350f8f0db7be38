"""The AdvReg study on a small synthetic task: its splits, protocols and early-stopping match."""

from dataclasses import replace

import numpy as np
import pytest

from miarep.attacks.inference_model import InferenceShape
from miarep.defenses.advreg import AdvRegSettings
from miarep.experiments import nasr

STUDY = nasr.NasrStudy(
    members=60,
    repetitions=2,
    lambdas=(1.0, 3.0),
    table_lambda=3.0,
    l2=(0.01,),
    table_l2=0.01,
    epochs=6,
    defended_epochs=4,
    early_stopping_epochs=(1, 3),
    attacks=("metric_correctness", "risk_score", "nasr_nn"),
    advreg=AdvRegSettings(
        attack_steps=2,
        warmup_passes=1,
        attack_batch=16,
        attack_learning_rate=1e-3,
        shape=InferenceShape(prediction=(8,), label=(4,), combine=(4,)),
    ),
)
STUDY = replace(STUDY, classifier=replace(STUDY.classifier, hidden=(16,), batch_size=20))
MODELS = {
    "nasr_attack": {
        "steps": 20,
        "batch": 16,
        "shape": {"prediction": [8], "label": [4], "combine": [4]},
    }
}
ENGINE = {"device": "cpu"}


def _task(n=400, d=5, seed=0):
    stream = np.random.default_rng(seed)
    x = stream.normal(size=(n, d)).astype(np.float32)
    y = ((x[:, 0] + stream.normal(size=n)) > 0).astype(np.int64)
    return x, y


@pytest.fixture(scope="module")
def study_run():
    x, y = _task()
    return nasr.run_nasr(x, y, STUDY, MODELS, ENGINE, {"risk_score_bins": 5}, root_seed=7)


def test_parts_are_disjoint_and_drawn_afresh_per_repetition():
    first, second = (nasr.draw_parts(400, STUDY, 7, r) for r in range(2))
    rows = np.concatenate([first[p] for p in nasr.PARTS])
    assert len(np.unique(rows)) == len(nasr.PARTS) * STUDY.members
    assert not np.array_equal(first["members"], second["members"])
    with pytest.raises(ValueError, match="needs 360 records"):
        nasr.draw_parts(300, STUDY, 7, 0)


def test_protocols_query_balanced_sets_the_attacker_did_not_train_on():
    n = 10
    state = nasr.ModelState("none", 0.0, 1, 0, np.full((2 * n, 2), 0.5), np.full((2 * n, 2), 0.5))
    labels = np.zeros(2 * n, int)
    split = nasr.known_halves(n, 7, 0)
    known, truth = nasr.attack_inputs(state, labels, labels, "known_half", split)
    assert len(truth) == n and truth.sum() == n // 2
    assert known.shadow_member.sum() == n // 2 and len(known.shadow_member) == n
    adaptive, truth = nasr.attack_inputs(state, labels, labels, "adaptive", split)
    assert len(truth) == 2 * n and truth.sum() == n and adaptive.shadow_probs is state.shadow
    with pytest.raises(ValueError, match="protocol"):
        nasr.attack_inputs(state, labels, labels, "oracle", split)


def test_early_stopping_matches_on_the_rising_part_of_the_curve():
    """A late, overfit epoch with the defended accuracy is not an early stop."""
    n = 10
    labels = np.zeros(2 * n, int)

    def outputs(test_accuracy):
        probs = np.tile([0.9, 0.1], (2 * n, 1))
        wrong = n + np.arange(n - round(test_accuracy * n))
        probs[wrong] = [0.1, 0.9]
        return probs

    curve = [0.5, 0.7, 0.9, 0.8, 0.7]  # peaks at epoch 3, then overfits
    none = nasr.ArmResult("none", 0.0, np.stack([[outputs(a)] for a in curve]), [("target", 0)])
    defended = nasr.ArmResult("advreg", 3.0, np.stack([[outputs(0.7)]]), [("target", 0)])
    assert nasr.early_stopping_epochs(none, defended, lambda r, role: labels, n) == {0: 2}


def test_the_study_evaluates_every_state_under_both_protocols(study_run):
    results = study_run["results"]
    arms = {("none", 0.0), ("advreg", 1.0), ("advreg", 3.0), ("l2", 0.01)}
    assert arms <= set(zip(results["defense"], results["lambda"], strict=True))
    assert set(results["protocol"]) == set(nasr.PROTOCOLS)
    assert set(results["attack"]) == set(STUDY.attacks)
    per_state = results.groupby(["defense", "lambda", "epoch", "repetition"]).size()
    assert (per_state == len(nasr.PROTOCOLS) * len(STUDY.attacks)).all()
    matched = results[results["matched"]].drop_duplicates(["repetition"])
    assert len(matched) == STUDY.repetitions and set(matched["defense"]) == {"early_stopping"}
    assert results["accuracy"].between(0, 1).all() and results["n"].isin([60, 120]).all()


def test_curves_cover_every_epoch_of_every_target(study_run):
    curves = study_run["curves"]
    undefended = curves[curves["defense"] == "none"]
    assert sorted(set(undefended["epoch"])) == list(range(1, STUDY.epochs + 1))
    assert set(curves[curves["defense"] == "advreg"]["epoch"]) == set(range(1, 5))
    assert len(undefended) == STUDY.epochs * STUDY.repetitions


def test_the_study_is_deterministic(study_run):
    x, y = _task()
    again = nasr.run_nasr(x, y, STUDY, MODELS, ENGINE, {"risk_score_bins": 5}, root_seed=7)
    for name, table in study_run.items():
        assert again[name].equals(table), name


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="table_lambda"):
        replace(STUDY, table_lambda=5.0)
    with pytest.raises(ValueError, match="unknown attacks"):
        replace(STUDY, attacks=("oracle",))
    with pytest.raises(ValueError, match="none, advreg and l2"):
        x, y = _task()
        nasr.train_arm("dropout", 0.0, STUDY, *map(np.asarray, (x, y)), [], 0)


def test_the_artefacts_read_the_study(study_run, repo, tmp_path):
    from miarep.core.io import read_csv
    from miarep.report import nasr as report

    results = study_run["results"]
    reference = read_csv(repo / "reference" / "paper_tables" / "song_table_2.csv")
    table = report.with_paper_rows(report.song_table_2(results, "synthetic", 3.0, 0.01), reference)
    ours = table[table["source"] == "ours"]
    assert list(ours["defense"][:4]) == list(report.DEFENSES)
    assert set(ours["protocol"]) == set(nasr.PROTOCOLS) and (ours["repetitions"] == 2).all()
    undefended = ours[(ours["defense"] == "no defense") & (ours["protocol"] == "adaptive")]
    finals = results[(results["defense"] == "none") & (results["attack"] == "nasr_nn")]
    finals = finals[(finals["protocol"] == "adaptive") & (finals["epoch"] == STUDY.epochs)]
    assert undefended["nasr_nn_pct"].iloc[0] == pytest.approx(100 * finals["accuracy"].mean())
    sections = report.song_table_2_readable(table)
    assert len(sections) == 4 and "NN attack" in next(iter(sections.values()))
    verdict = report.verdict(results, 3.0, 0.01)
    assert set(verdict["protocol"]) == set(nasr.PROTOCOLS)
    assert (
        verdict["verdict"]
        .isin(
            [
                "no difference at this power",
                "AdvReg leaks less than early stopping",
                "early stopping leaks less than AdvReg",
            ]
        )
        .all()
    )
    points = report.privacy_utility(results)
    stopped = points[points["defense"] == "early_stopping"]
    assert set(stopped["epoch"]) >= set(STUDY.early_stopping_epochs)
    report.privacy_utility_figure(points, tmp_path / "pu.pdf", tmp_path / "pu.png")
    curves = report.accuracy_curves(study_run["curves"])
    report.figure_2(curves, tmp_path / "f2.pdf", tmp_path / "f2.png")
    groups = report.risk_cdfs(study_run["risk"], results, 3.0)
    assert all(len(g) for g in groups.values())
    report.figure_5(groups, tmp_path / "f5.pdf", tmp_path / "f5.png")
    assert all((tmp_path / f"{n}.png").stat().st_size > 1000 for n in ("pu", "f2", "f5"))


def test_a_datasets_overrides_merge_into_the_block(repo):
    import yaml

    from miarep.experiments.nasr_settings import nasr_settings

    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    adult, texas = (nasr_settings(config, d) for d in ("adult", "texas100"))
    assert adult["study"]["members"] == 1000 and "overrides" not in adult["study"]
    assert texas["study"]["members"] == 10000 and texas["study"]["table_lambda"] == 10.0
    assert texas["study"]["classifier"]["activation"] == "tanh"  # merged, not replaced
    assert texas["study"]["classifier"]["hidden"] == [1024, 512, 256, 128]
    assert texas["study"]["advreg"]["attack_steps"] == 52
    assert texas["models"]["nasr_attack"]["steps"] == 600
    assert texas["models"]["nasr_attack"]["shape"]["prediction"] == [512, 64]
    assert config["models"]["nasr_attack"]["shape"]["prediction"] == [64, 32]  # not mutated
    nasr.NasrStudy.from_config(texas["study"])  # a valid study


def test_records_load_from_a_table_or_a_releases_arrays(tmp_path):
    import pandas as pd

    features = np.array([[0, 1], [1, 1]], np.uint8)
    np.savez_compressed(tmp_path / "r.npz", features=features, labels=np.array([3, 99]))
    x, y = nasr.load_records(tmp_path / "r.npz")
    assert x.dtype == np.float32 and y.tolist() == [3, 99]
    pd.DataFrame({"x__a": [0.5, 1.0], "raw__a": ["p", "q"], "label": [1, 0]}).to_parquet(
        tmp_path / "t.parquet"
    )
    x, y = nasr.load_records(tmp_path / "t.parquet")
    assert x.tolist() == [[0.5], [1.0]] and y.tolist() == [1, 0]
