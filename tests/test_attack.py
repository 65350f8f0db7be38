"""The shadow-model attack and the runner on a small problem where leakage is certain."""

import numpy as np
import pandas as pd
import pytest

from miarep.attacks.registry import DEFAULT_ATTACKS
from miarep.attacks.shokri import AttackData, shokri_attack
from miarep.experiments.runner import RunSettings, run_study
from miarep.experiments.scores import attack_columns
from miarep.measures.bounds import oracle_scores
from miarep.sampling.design import expand_study
from miarep.sampling.draw import Pool
from miarep.sampling.splits import draw_all
from miarep.train.zoo import MODEL_KINDS, fit_predict

ANN = {"hidden": [16], "learning_rate": 0.1, "epochs": 60, "batch_size": 20, "tol": None}


def leaky_attack_data(n, seed):
    """Members get confident correct outputs, non-members uncertain ones."""
    rng = np.random.default_rng(seed)
    labels_in, labels_out = rng.integers(0, 2, n), rng.integers(0, 2, n)
    conf_in, conf_out = rng.uniform(0.85, 1.0, n), rng.uniform(0.5, 0.8, n)

    def probs(labels, conf):
        p1 = np.where(labels == 1, conf, 1 - conf)
        return np.column_stack([1 - p1, p1])

    return probs(labels_in, conf_in), labels_in, probs(labels_out, conf_out), labels_out


def test_attack_learns_a_clear_membership_signal():
    shadow = AttackData(*leaky_attack_data(300, 1))
    target_in, lab_in, target_out, lab_out = leaky_attack_data(200, 2)
    query = np.concatenate([target_in, target_out])
    labels = np.concatenate([lab_in, lab_out])
    for kind, settings in (("ann", ANN), ("lr", {"C": 10.0})):
        (scores,) = shokri_attack(kind, settings, [shadow], [query], [labels], [[1, 2]])
        called = scores > 0.5
        assert called[:200].mean() > 0.9 and called[200:].mean() < 0.1, kind


def test_pooled_attack_data_concatenates():
    a = AttackData(*leaky_attack_data(10, 1))
    pooled = AttackData.pooled([a, a])
    assert len(pooled.labels_in) == 20 and pooled.probs_out.shape == (20, 2)


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_every_zoo_model_returns_probability_vectors(kind):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    settings = {
        "ann": ANN,
        "lr": {"C": 1.0},
        "svm": {"C": 1.0},
        "rf": {"n_estimators": 10, "max_depth": 2},
        "knn": {"n_neighbors": 3},
    }[kind]
    masks = np.array([[1, 1, 0, 0], [1, 0, 1, 1]], dtype=float)
    out = fit_predict(
        kind,
        settings,
        x,
        y,
        [np.arange(200), np.arange(100)],
        [[np.arange(200, 300)], [np.arange(250, 300)]],
        [1, 2],
        masks,
    )
    assert out[0][0].shape == (100, 2) and out[1][0].shape == (50, 2)
    assert np.allclose(out[0][0].sum(1), 1)
    assert ((out[0][0][:, 1] > 0.5) == y[200:]).mean() > 0.8  # x0 is the signal


def test_single_class_training_set_gives_certain_outputs():
    x = np.zeros((10, 2), np.float32)
    y = np.ones(10, np.int64)
    (out,) = fit_predict("lr", {"C": 1.0}, x, y, [np.arange(5)], [[np.arange(5, 10)]], [0])
    assert np.array_equal(out[0], np.tile([0.0, 1.0], (5, 1)))


def toy_study(study):
    """A two-feature table with a learnable label, its pool, and a study drawn on it."""
    rng = np.random.default_rng(3)
    n = 1200
    table = pd.DataFrame(
        {
            "x__a": rng.normal(size=n).astype(np.float32),
            "x__b": rng.normal(size=n).astype(np.float32),
        }
    )
    table["label"] = (table["x__a"] + 0.3 * rng.normal(size=n) > 0.6).astype(np.int8)
    kinds = {"a": "numeric", "b": "numeric"}
    pool = Pool.from_table(table, kinds, bins=4, top_k=2)
    long, experiments = draw_all(expand_study(study, "toy", 0.75), pool, root_seed=1)
    return table, kinds, pool, long, experiments


def test_runner_writes_one_complete_row_per_experiment():
    study = {
        "base": {"target_size": 200, "shadow_size": 200},
        "grid": {"class_balance": [20, 40]},
        "repetitions": 2,
    }
    table, kinds, pool, long, experiments = toy_study(study)
    settings = RunSettings("ann", "same", "ann", {"ann": ANN}, ANN, fairness_pairs=500)
    results, scores = run_study(
        table, kinds, long, experiments, pool, table["x__b"].to_numpy() > 0, settings, root_seed=1
    )
    again, scores_again = run_study(
        table, kinds, long, experiments, pool, table["x__b"].to_numpy() > 0, settings, root_seed=1
    )
    pd.testing.assert_frame_equal(results, again)
    pd.testing.assert_frame_equal(scores, scores_again)
    assert len(results) == 4
    for column in (
        "train_accuracy",
        "test_accuracy",
        "shokri_mia_balanced_accuracy",
        "shokri_stated_mia_auc",
        "shokri_paper_mia_auc",
        "metric_best_paper_mia_accuracy",
        "oracle_mia_balanced_accuracy",
        "oracle_cv_mia_balanced_accuracy",
        "risk_score_mia_auc",
        "mutual_information",
        "delta_mi",
        "delta_g",
        "delta_p",
        "delta_i",
        "achieved_target_class_balance",
    ):
        assert results[column].notna().all(), column
    assert (results["shokri_mia_n"] == 100).all()  # 50 non-members and 50 of the 150 members
    assert (results["shokri_paper_mia_n"] == 200).all()
    assert results["train_accuracy"].between(0.6, 1).all()
    # one score row per target record; the metrics are the score table's
    assert len(scores) == 4 * 200 and scores.groupby("experiment")["balanced"].sum().eq(100).all()
    assert scores["member"].sum() == 4 * 150
    names = [c.removeprefix("score_") for c in scores if c.startswith("score_")]
    assert names == [*DEFAULT_ATTACKS, "oracle", "oracle_cv"]
    recomputed = attack_columns(scores, names)
    for e, metrics in enumerate(recomputed):
        for column, value in metrics.items():
            assert results.loc[e, column] == value or np.isnan(value), column
    assert scores["target_p_true"].between(0, 1).all() and (scores["target_loss"] >= 0).all()


def test_model_sweep_shares_samples_and_trains_each_distinct_model_once(caplog):
    """Model fields in a grid: one draw per request, the config's models changed per experiment."""
    study = {
        "base": {"target_size": 200, "shadow_size": 200, "hidden_units": 8},
        "grid": {"hidden_layers": [1, 2], "target_model": ["ann", "lr"], "shadow_model": ["lr"]},
        "repetitions": 2,
    }
    table, kinds, pool, long, experiments = toy_study(study)
    assert len(experiments) == 8 and experiments["sample"].nunique() == 2
    assert long["sample"].nunique() == 2
    settings = RunSettings(
        "ann", "same", "lr", {"ann": ANN, "lr": {"C": 1.0}}, ANN, fairness_pairs=100
    )
    with caplog.at_level("INFO"):
        results, scores = run_study(
            table, kinds, long, experiments, pool, np.zeros(len(table), bool), settings, 1
        )
    # float32 ANN and float64 LR targets in one study: the oracle is still recomputable from the
    # score table's stored loss, experiment by experiment
    for _, part in scores.groupby("experiment"):
        loss = part["target_loss"].to_numpy(np.float64)
        recomputed = oracle_scores(loss, part["member"].to_numpy()) >= 0
        np.testing.assert_array_equal(recomputed, part["decision_oracle"].to_numpy())
    assert results[["hidden_layers", "hidden_units"]].drop_duplicates().shape[0] == 2
    assert set(results["target_model"]) == {"ann", "lr"}
    assert (results["shadow_model"] == "lr").all()
    # the LR target and the LR shadow of a sample are the same whatever the ANN's depth
    lr = results[results["target_model"] == "lr"].sort_values(["repetition", "hidden_layers"])
    assert lr.groupby("repetition")["shokri_mia_auc"].nunique().eq(1).all()
    assert "training 4 lr models (C=1.0) for 8 experiments" in caplog.text
    assert "hidden 8x8, sgd lr=0.1" in caplog.text and "hidden 8, sgd lr=0.1" in caplog.text


def test_experiment_models_apply_model_fields_to_target_and_shadow_anns():
    from miarep.experiments.runner import ExperimentModels

    settings = RunSettings("ann", "same", "ann", {"ann": {"hidden": [50, 20]}}, ANN)
    plain = ExperimentModels.resolve(settings, {})
    assert plain.target == "ann" and plain.shadows == ["ann"]
    assert plain.model_settings["ann"]["hidden"] == [50, 20]  # the config's, untouched
    deeper = ExperimentModels.resolve(settings, {"hidden_layers": 3, "l2": 0.01})
    assert deeper.model_settings["ann"]["hidden"] == [50, 50, 50]
    assert deeper.model_settings["ann"]["l2"] == 0.01
    wide = ExperimentModels.resolve(settings, {"hidden_units": 8, "shadow_model": "all"})
    assert wide.model_settings["ann"]["hidden"] == [8, 8] and wide.shadows == list(MODEL_KINDS)
    assert wide.describe() | {"learning_rate": 0} == {
        "target_model": "ann",
        "shadow_model": "all",
        "hidden_layers": 2,
        "hidden_units": 8,
        "learning_rate": 0,
        "l2": 0.0,
    }
    with pytest.raises(ValueError, match="unknown model kinds"):
        ExperimentModels.resolve(settings, {"target_model": "cnn"})


def test_more_shadows_train_on_random_splits_of_the_same_shadow_records(caplog):
    study = {"base": {"target_size": 200, "shadow_size": 200}, "repetitions": 2}
    table, kinds, pool, long, experiments = toy_study(study)
    protected = np.zeros(len(table), bool)
    one = RunSettings("ann", "same", "ann", {"ann": ANN}, ANN, fairness_pairs=100)
    three = RunSettings("ann", "same", "ann", {"ann": ANN}, ANN, fairness_pairs=100, n_shadows=3)
    single, _ = run_study(table, kinds, long, experiments, pool, protected, one, 1)
    with caplog.at_level("INFO"):
        triple, _ = run_study(table, kinds, long, experiments, pool, protected, three, 1)
    # the target is untouched; each split now has three shadows per experiment
    pd.testing.assert_series_equal(single["train_accuracy"], triple["train_accuracy"])
    assert "training 6 ann models" in caplog.text  # 2 samples x 3 balanced shadows
    from miarep.experiments.runner import Samples
    from miarep.sampling.splits import index_sets_by_sample

    samples = Samples(
        experiments.to_dict("records"), index_sets_by_sample(long), list(kinds), root_seed=1
    )
    base = samples.sets(0, "shadow_balanced")
    other = samples.sets(0, "shadow_balanced_2")
    assert [len(s) for s in other] == [len(s) for s in base] == [100, 100]
    np.testing.assert_array_equal(np.sort(np.concatenate(base)), np.sort(np.concatenate(other)))
    assert not np.array_equal(base[0], other[0])
