"""LiRA and RMIA on a property study's experiments: the references' design and a small study on
real Adult, whose target is the very model the study runner scored."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from miarep.experiments.lira import LiraSettings, reference_sets, run_lira

CONFIG = yaml.safe_load((Path(__file__).parents[1] / "config" / "config.yaml").read_text())
ANN = {"hidden": [8], "learning_rate": 0.05, "epochs": 15, "batch_size": 50, "tol": None}


def test_every_query_record_is_in_for_half_the_references():
    stream = np.random.default_rng(0)
    y = (stream.uniform(size=3000) < 0.3).astype(np.int64)
    query, attacker = np.arange(400), np.arange(400, 3000)
    settings = LiraSettings(references=8, population=200)
    sets, member, population = reference_sets(query, attacker, y, 300, 0.3, settings, stream)
    assert (member.sum(0) == 4).all() and member.shape == (8, 400)
    for k, rows in enumerate(sets):
        assert len(rows) == 300 and len(np.unique(rows)) == 300
        assert set(query[member[k]]) <= set(rows) and not set(query[~member[k]]) & set(rows)
        assert abs(np.mean(y[rows] == 1) - 0.3) < 0.01
    assert not np.intersect1d(population, np.concatenate(sets)).size
    assert not np.intersect1d(population, query).size and len(population) == 200
    with pytest.raises(ValueError, match="even"):
        LiraSettings(references=3)


def _study(adult_table, adult_pool):
    from miarep.experiments.runner import RunSettings
    from miarep.sampling.design import expand_study
    from miarep.sampling.splits import draw_all

    study = {"base": {"target_size": 400, "shadow_size": 1200}, "repetitions": 2}
    long, experiments = draw_all(expand_study(study, "adult", 0.75), adult_pool, CONFIG["seed"])
    models = {k: CONFIG["models"][k] for k in ("knn", "lr", "rf", "svm")} | {"ann": ANN}
    run = RunSettings(
        "ann",
        "same",
        "ann",
        models,
        ANN,
        faithful_attack_ann=ANN,
        fairness_pairs=100,
        attacks=("metric_correctness",),
        device="cpu",
    )
    return long, experiments, run


def _assert_runners_targets(adult_table, adult_pool, long, experiments, run, scores, rtol):
    """LiRA scored the study runner's balanced records, with the runner's target on them."""
    from miarep.experiments.runner import run_study
    from miarep.sampling.groups import protected_group

    kinds = CONFIG["data"]["adult"]["features"]
    protected = protected_group(adult_table, adult_pool, "sex", "Female")
    _, runner_scores = run_study(
        adult_table, kinds, long, experiments, adult_pool, protected, run, CONFIG["seed"]
    )
    balanced = runner_scores[runner_scores["balanced"]]
    for e in range(len(experiments)):
        ours = scores[scores["experiment"] == experiments["experiment"][e]].sort_values("record")
        theirs = balanced[balanced["experiment"] == e].sort_values("record")
        assert ours["record"].tolist() == theirs["record"].tolist()
        np.testing.assert_allclose(ours["target_p_true"], theirs["target_p_true"], rtol=rtol)


def test_the_study_scores_the_runners_own_targets(adult_table, adult_pool):
    long, experiments, run = _study(adult_table, adult_pool)
    kinds = CONFIG["data"]["adult"]["features"]
    settings = LiraSettings(references=4, population=100)
    results, scores = run_lira(adult_table, kinds, long, experiments, run, settings, CONFIG["seed"])
    assert len(results) == 2 and (results["n_members"] == results["n_nonmembers"]).all()
    for name in settings.attacks:
        assert results[f"{name}_mia_auc"].between(0, 1).all()
        assert scores[f"score_{name}"].notna().all()
    assert len(experiments) == 2
    # the same model: its outputs agree to float32's last bit (predicted in other batches)
    _assert_runners_targets(adult_table, adult_pool, long, experiments, run, scores, rtol=3e-7)
    again, _ = run_lira(adult_table, kinds, long, experiments, run, settings, CONFIG["seed"])
    assert again.equals(results)


def test_only_keeps_the_named_experiments_and_names_a_wrong_field(adult_table, adult_pool):
    long, experiments, run = _study(adult_table, adult_pool)
    kinds = CONFIG["data"]["adult"]["features"]

    def attack(only):
        settings = LiraSettings(2, population=50, attacks=("lira_offline_fixed",), only=only)
        return run_lira(adult_table, kinds, long, experiments, run, settings, CONFIG["seed"])[0]

    assert attack({"repetition": [1]})["repetition"].tolist() == [1]
    with pytest.raises(ValueError, match="'only' names 'depth'"):
        attack({"depth": [1]})
    with pytest.raises(ValueError, match="no experiment left"):
        attack({"repetition": [7]})


def test_l2_and_learning_rate_sweeps_train_as_one_batch_of_the_runners_targets(
    adult_table, adult_pool, monkeypatch
):
    """Figure 8's L2 values and learning rates share one batch (their own per model); each
    target is still the runner's model, up to float32 rounding of the other batch."""
    from miarep.experiments import lira
    from miarep.sampling.design import expand_study
    from miarep.sampling.splits import draw_all

    _, _, run = _study(adult_table, adult_pool)
    study = {
        "base": {"target_size": 400, "shadow_size": 1200},
        "grid": {"l2": [0.0, 0.05], "learning_rate": [0.05, 0.2]},
        "repetitions": 1,
    }
    long, experiments = draw_all(expand_study(study, "adult", 0.75), adult_pool, CONFIG["seed"])
    calls = []
    real = lira.fit_predict_parallel

    def counted(kind, *args, **kwargs):
        calls.append((kind, len(args[3])))
        return real(kind, *args, **kwargs)

    monkeypatch.setattr(lira, "fit_predict_parallel", counted)
    kinds = CONFIG["data"]["adult"]["features"]
    settings = LiraSettings(references=2, population=100, attacks=("lira_offline_fixed",))
    _, scores = run_lira(adult_table, kinds, long, experiments, run, settings, CONFIG["seed"], 2)
    assert calls == [("ann", 4 * 3)] and len(experiments) == 4
    _assert_runners_targets(adult_table, adult_pool, long, experiments, run, scores, rtol=1e-5)
    p_true = [scores[scores["experiment"] == e]["target_p_true"].mean() for e in range(4)]
    assert len(set(p_true)) == 4  # each target trained with its own settings
