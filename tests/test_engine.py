"""The batched engine against scikit-learn's MLPClassifier, and against itself one by one."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from miarep.train.engine import BatchedMLP, TrainConfig, generators
from miarep.train.network import CHUNK_ROW_MULTIPLE


def toy_data(n=400, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = ((x[:, 0] + 0.5 * x[:, 1] ** 2 + 0.3 * rng.normal(size=n)) > 0.4).astype(np.float64)
    return x, y


def sklearn_init_and_orders(seed, widths, n_rows, epochs):
    """Replay sklearn's RandomState: Glorot init per layer, then one shuffle per epoch."""
    rs = np.random.RandomState(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rs.uniform(-bound, bound, (fan_in, fan_out)))
        biases.append(rs.uniform(-bound, bound, fan_out))
    orders, sample_idx = [], np.arange(n_rows)
    for _ in range(epochs):
        permutation = np.arange(n_rows)
        rs.shuffle(permutation)
        sample_idx = sample_idx[permutation]
        orders.append(sample_idx)
    return weights, biases, orders


CASES = [
    dict(hidden=(7,), activation="tanh", learning_rate=0.05, alpha=1e-3, batch_size=32),
    dict(hidden=(5, 4), activation="relu", learning_rate=0.02, alpha=0.0, batch_size=50),
    dict(
        hidden=(6, 5, 3),
        activation="tanh",
        learning_rate=0.1,
        alpha=0.01,
        batch_size=17,
        momentum=0.9,
        nesterov=True,
    ),
    dict(
        hidden=(8,), activation="relu", learning_rate=0.03, alpha=1e-4, batch_size=40, momentum=0.5
    ),
    # scikit-learn's Adam, and a softmax over three classes (with SGD and with Adam)
    dict(hidden=(7,), activation="tanh", optimizer="adam", learning_rate=0.01, batch_size=32),
    dict(
        hidden=(6, 4),
        activation="relu",
        optimizer="adam",
        learning_rate=0.005,
        alpha=1e-3,
        beta_1=0.8,
        beta_2=0.99,
        epsilon=1e-7,
        batch_size=45,
    ),
    dict(hidden=(7,), activation="tanh", learning_rate=0.05, batch_size=32, n_classes=3),
    dict(
        hidden=(5, 5),
        activation="relu",
        optimizer="adam",
        learning_rate=0.01,
        alpha=1e-3,
        batch_size=30,
        n_classes=3,
    ),
]


def three_class_labels(x):
    """Labels 0-2 from two informative directions (a softmax's task)."""
    return (x[:, 0] > 0.3).astype(np.float64) + (x[:, 2] + x[:, 1] > 0.5)


@pytest.mark.parametrize("case", CASES)
def test_float64_engine_reproduces_sklearn(case):
    """sklearn's MLPClassifier, step for step: SGD (momentum, Nesterov) or Adam, logistic or
    softmax output."""
    case = dict(case)
    n_classes = case.pop("n_classes", 2)
    x, y = toy_data()
    if n_classes > 2:
        y = three_class_labels(x)
        case |= {"output": "softmax", "n_classes": n_classes}
    epochs = 25
    sizes = [400, 333, 250]  # models with different training-set sizes in one batch
    seeds = [11, 12, 13]
    config = TrainConfig(epochs=epochs, dtype="float64", tol=1e-4, n_iter_no_change=3, **case)
    widths = [x.shape[1], *config.hidden, config.n_outputs]
    replays = [
        sklearn_init_and_orders(s, widths, n, epochs) for s, n in zip(seeds, sizes, strict=True)
    ]
    engine = BatchedMLP(config, x.shape[1], len(seeds))
    engine.set_weights(
        [np.stack([r[0][layer] for r in replays]) for layer in range(len(widths) - 1)],
        [np.stack([r[1][layer] for r in replays]) for layer in range(len(widths) - 1)],
    )
    n_max = max(sizes)

    def orders(epoch):
        return np.stack(
            [np.concatenate([r[2][epoch], np.arange(len(r[2][epoch]), n_max)]) for r in replays]
        )

    history = engine.fit(
        torch.as_tensor(x), torch.as_tensor(y), [np.arange(n) for n in sizes], orders=orders
    )
    for k, (seed, n) in enumerate(zip(seeds, sizes, strict=True)):
        reference = MLPClassifier(
            hidden_layer_sizes=config.hidden,
            activation=config.activation,
            solver=config.optimizer,
            learning_rate_init=config.learning_rate,
            alpha=config.alpha,
            beta_1=config.beta_1,
            beta_2=config.beta_2,
            epsilon=config.epsilon,
            batch_size=config.batch_size,
            max_iter=epochs,
            random_state=seed,
            momentum=config.momentum,
            nesterovs_momentum=config.nesterov,
            tol=config.tol,
            n_iter_no_change=config.n_iter_no_change,
            shuffle=True,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reference.fit(x[:n], y[:n])
        assert history.n_iter[k] == reference.n_iter_
        np.testing.assert_allclose(
            history.loss_curves[k], reference.loss_curve_, rtol=0, atol=1e-10
        )
        for layer in range(len(widths) - 1):
            np.testing.assert_allclose(
                engine.weights[layer][k].cpu().numpy(), reference.coefs_[layer], rtol=0, atol=1e-10
            )
            np.testing.assert_allclose(
                engine.biases[layer][k, 0].cpu().numpy(),
                reference.intercepts_[layer],
                rtol=0,
                atol=1e-10,
            )
        probabilities = engine.predict_proba(torch.as_tensor(x))[k]
        np.testing.assert_allclose(probabilities, reference.predict_proba(x), rtol=0, atol=1e-10)


def test_batched_models_equal_the_same_models_trained_alone():
    x, y = toy_data(600)
    config = TrainConfig(
        hidden=(10,), learning_rate=0.05, epochs=15, batch_size=32, dtype="float64"
    )
    rng = np.random.default_rng(0)
    sets = [np.sort(rng.choice(600, size, replace=False)) for size in (300, 250, 300, 200)]
    seeds = [5, 6, 7, 8]
    batch = BatchedMLP(config, 6, 4)
    batch.fit(torch.as_tensor(x), torch.as_tensor(y), sets, gens=generators(seeds, batch.device))
    together = batch.predict_proba(torch.as_tensor(x))
    for k, (rows, seed) in enumerate(zip(sets, seeds, strict=True)):
        alone = BatchedMLP(config, 6, 1)
        alone.fit(
            torch.as_tensor(x), torch.as_tensor(y), [rows], gens=generators([seed], alone.device)
        )
        np.testing.assert_allclose(
            together[k], alone.predict_proba(torch.as_tensor(x))[0], rtol=0, atol=1e-12
        )


def test_logits_are_what_the_softmax_reads_and_a_logistic_output_has_none():
    x, _ = toy_data(200)
    y = np.random.default_rng(3).integers(0, 3, 200).astype(np.float64)
    config = TrainConfig(
        hidden=(6,), epochs=3, batch_size=32, dtype="float64", output="softmax", n_classes=3
    )
    engine = BatchedMLP(config, 6, 2)
    rows = [np.arange(120), np.arange(80, 200)]
    engine.fit(torch.as_tensor(x), torch.as_tensor(y), rows, gens=generators([1, 2], engine.device))
    index = np.stack([np.arange(150), np.arange(50, 200)])
    logits = engine.predict_logits(torch.as_tensor(x), index, chunk=64)
    np.testing.assert_allclose(
        logits.softmax(-1).numpy(), engine.predict_proba(torch.as_tensor(x), index), atol=1e-15
    )
    with pytest.raises(ValueError, match="logistic"):
        BatchedMLP(TrainConfig(hidden=(6,)), 6, 1).predict_logits(torch.as_tensor(x))


@pytest.mark.parametrize(
    ("config", "masked"),
    [
        (TrainConfig(hidden=(8,)), False),  # float32, the last hidden layer in sigmoid form
        (TrainConfig(hidden=(8, 6)), True),
        (TrainConfig(hidden=(7,), activation="relu", dtype="float64"), False),
        (TrainConfig(hidden=(5, 4), dtype="float64", output="softmax", n_classes=3), True),
    ],
)
def test_copies_that_share_their_rows_and_any_chunk_give_the_same_predictions(config, masked):
    """Algorithm 1's copies predict their model's records through one gathered product per
    model; neither that nor the chunk of rows changes a prediction beyond rounding."""
    x, _ = toy_data(300)
    copies, n_models = 3, 6
    masks = np.random.default_rng(1).integers(0, 2, (2, 6)).repeat(copies, 0) if masked else None
    if masked:
        masks[:, 0] = 1
    engine = BatchedMLP(config, 6, n_models, feature_masks=masks)
    engine.init_glorot(generators(range(n_models), engine.device))
    rows = np.stack([np.arange(0, 290), np.arange(10, 300)]).repeat(copies, 0)
    x_t = torch.as_tensor(x)
    expected = engine.predict_proba(x_t, rows)
    tolerance = 1e-6 if config.dtype == "float32" else 1e-12
    for chunk in (engine.chunk_rows(), 7, 64):
        shared = engine.predict_proba(x_t, rows, chunk=chunk, copies=copies)
        np.testing.assert_allclose(shared, expected, rtol=0, atol=tolerance)
    assert engine.chunk_rows() % CHUNK_ROW_MULTIPLE == 0
    rows[1, 0] = 299  # a copy that reads other rows than its group
    with pytest.raises(ValueError, match="groups of 3"):
        engine.predict_proba(x_t, rows, copies=copies)
    if masked:  # a copy that sees other features than its group
        masks[1, 1] = 1 - masks[1, 1]
        other = BatchedMLP(config, 6, n_models, feature_masks=masks)
        other.init_glorot(generators(range(n_models), other.device))
        with pytest.raises(ValueError, match="same features"):
            other.predict_proba(x_t, rows[[0, 0, 0, 3, 3, 3]], copies=copies)


@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-12), ("float32", 1e-6)])
def test_models_that_stop_early_in_a_batch_equal_the_same_models_alone(dtype, tolerance):
    """The stopping rule freezes each model of a batch at its own epoch, exactly as if alone
    (float32 takes the fused path, whose stacked layer-0 tensor is rebuilt as models leave)."""
    x, y = toy_data(600, seed=4)
    config = TrainConfig(
        hidden=(8,),
        learning_rate=0.05,
        epochs=100,
        batch_size=50,
        tol=1e-3,
        n_iter_no_change=3,
        dtype=dtype,
    )
    rng = np.random.default_rng(0)
    sets = [rng.choice(600, 400, replace=False) for _ in range(8)]
    batch = BatchedMLP(config, 6, 8)
    history = batch.fit(
        torch.as_tensor(x), torch.as_tensor(y), sets, gens=generators(range(8), batch.device)
    )
    assert len(set(history.n_iter.tolist())) > 3  # the models stop at different epochs
    together = batch.predict_proba(torch.as_tensor(x))
    for k, rows in enumerate(sets):
        alone = BatchedMLP(config, 6, 1)
        alone_history = alone.fit(
            torch.as_tensor(x), torch.as_tensor(y), [rows], gens=generators([k], alone.device)
        )
        assert alone_history.n_iter[0] == history.n_iter[k]
        assert alone_history.loss_curves[0] == pytest.approx(history.loss_curves[k], abs=tolerance)
        np.testing.assert_allclose(
            together[k], alone.predict_proba(torch.as_tensor(x))[0], rtol=0, atol=tolerance
        )


def test_batched_accuracy_distribution_matches_sklearn_one_by_one():
    """K float32 models trained batched reach the accuracies of K sklearn models trained alone."""
    x, y = toy_data(3000, seed=3)
    train, test = np.arange(2000), np.arange(2000, 3000)
    k = 8
    config = TrainConfig(hidden=(20,), learning_rate=0.05, epochs=40, batch_size=50)
    rng = np.random.default_rng(1)
    sets = [np.sort(rng.choice(train, 1500, replace=False)) for _ in range(k)]
    engine = BatchedMLP(config, 6, k)
    engine.fit(
        torch.as_tensor(x), torch.as_tensor(y), sets, gens=generators(range(k), engine.device)
    )
    ours = (engine.predict_proba(torch.as_tensor(x[test]))[..., 1] > 0.5) == y[test]
    theirs = []
    for i, rows in enumerate(sets):
        model = MLPClassifier(
            hidden_layer_sizes=(20,),
            activation="tanh",
            alpha=0.0,
            solver="sgd",
            momentum=0,
            learning_rate_init=0.05,
            batch_size=50,
            max_iter=40,
            random_state=i,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x[rows], y[rows])
        theirs.append(model.score(x[test], y[test]))
    ours_acc = ours.mean(1)
    assert abs(ours_acc.mean() - np.mean(theirs)) < 0.01
    assert ours_acc.min() > min(theirs) - 0.02


def test_stopping_rule_stops_each_model_on_its_own():
    x, y = toy_data(300)
    config = TrainConfig(
        hidden=(4,), learning_rate=0.5, epochs=200, batch_size=300, tol=1e-3, n_iter_no_change=2
    )
    engine = BatchedMLP(config, 6, 3)
    history = engine.fit(
        torch.as_tensor(x),
        torch.as_tensor(y),
        [np.arange(300)] * 3,
        gens=generators([1, 2, 3], engine.device),
    )
    assert history.stopped_early.all()
    assert all(
        len(curve) == n for curve, n in zip(history.loss_curves, history.n_iter, strict=True)
    )


def test_penalties_shrink_weights_and_bad_configs_fail():
    x, y = toy_data(300)
    norms = {}
    for name, extra in (("none", {}), ("l2", {"l2": 0.05}), ("l1", {"l1": 0.05})):
        config = TrainConfig(hidden=(6,), learning_rate=0.1, epochs=30, tol=None, **extra)
        engine = BatchedMLP(config, 6, 1)
        engine.fit(
            torch.as_tensor(x),
            torch.as_tensor(y),
            [np.arange(300)],
            gens=generators([0], engine.device),
        )
        norms[name] = float(sum(w.abs().sum() for w in engine.weights))
    assert norms["l2"] < norms["none"] and norms["l1"] < norms["none"]
    with pytest.raises(ValueError, match="activation"):
        TrainConfig(activation="sigmoid")
    with pytest.raises(ValueError, match="hidden"):
        TrainConfig(hidden=())


def test_feature_masks_equal_models_built_on_the_subset():
    x, y = toy_data(400)
    config = TrainConfig(
        hidden=(5,), learning_rate=0.05, epochs=10, batch_size=40, dtype="float64", l2=0.01
    )
    masks = np.array([[1, 0, 1, 0, 0, 1], [1, 1, 1, 1, 1, 1]])
    masked = BatchedMLP(config, 6, 2, feature_masks=masks)
    gens = generators([3, 4], masked.device)
    masked.init_glorot(gens)
    assert masked.fan_in.tolist() == [3, 6]  # the init used each model's own fan-in
    assert float(masked.weights[0][0].abs().max()) <= np.sqrt(6.0 / (3 + 5))
    masked.fit(torch.as_tensor(x), torch.as_tensor(y), [np.arange(400)] * 2, gens=gens)
    # unused features' weights stay exactly zero, penalties included
    assert float(masked.weights[0][0][[1, 3, 4]].abs().max()) == 0.0
    assert float(masked.weights[0][1][[1, 3, 4]].abs().max()) > 0.0
    # predictions ignore the masked-out features entirely
    probabilities = masked.predict_proba(torch.as_tensor(x))[0]
    shuffled = x.copy()
    shuffled[:, [1, 3, 4]] = np.random.default_rng(0).normal(size=(400, 3))
    np.testing.assert_allclose(
        probabilities, masked.predict_proba(torch.as_tensor(shuffled))[0], rtol=0, atol=1e-12
    )
    with pytest.raises(ValueError, match="feature_masks"):
        BatchedMLP(config, 6, 2, feature_masks=np.zeros((2, 6)))


@pytest.mark.parametrize(
    ("hidden", "extra", "masked"),
    [
        ((7,), {}, False),
        ((6, 5), {}, False),
        ((7,), {"momentum": 0.9, "nesterov": True, "l2": 0.01}, True),
        ((7,), {"momentum": 0.5, "l1": 0.01}, False),
    ],
)
def test_float32_sigmoid_form_matches_float64_tanh(hidden, extra, masked):
    """The float32 path carries the last tanh layer as sigmoid(2z) (and, with one hidden layer,
    takes the fused gradient); the same training in float64 (literal tanh, general backward)
    must give the same models up to float32 rounding: partial batches, sets of different
    sizes, momentum, penalties and feature masks included."""
    x, y = toy_data(300)
    masks = np.array([[1, 1, 0, 1, 0, 1], [1, 1, 1, 1, 1, 1]]) if masked else None
    engines = {}
    for dtype in ("float32", "float64"):
        config = TrainConfig(
            hidden=hidden,
            learning_rate=0.05,
            epochs=8,
            batch_size=32,
            alpha=1e-3,
            dtype=dtype,
            tol=None,
            **extra,
        )
        engine = BatchedMLP(config, 6, 2, feature_masks=masks)
        engine.fit(
            torch.as_tensor(x),
            torch.as_tensor(y),
            [np.arange(300), np.arange(250)],
            gens=generators([1, 2], engine.device),
        )
        engines[dtype] = engine
    assert engines["float32"].fused == (len(hidden) == 1)
    np.testing.assert_allclose(
        engines["float32"].predict_proba(torch.as_tensor(x)),
        engines["float64"].predict_proba(torch.as_tensor(x)),
        atol=2e-4,
    )
    for ours, reference in zip(engines["float32"].weights, engines["float64"].weights, strict=True):
        np.testing.assert_allclose(ours.cpu().numpy(), reference.cpu().numpy(), atol=5e-4)
    if masked:  # unused features keep exactly zero weights on the fused path too
        assert float(engines["float32"].weights[0][0][[2, 4]].abs().max()) == 0.0


@pytest.mark.parametrize("hidden", [(8,), (6, 4)])
def test_a_lambda_grid_in_one_batch_equals_each_lambda_alone(hidden):
    """Per-model penalty coefficients: model k of one batch trains with its own alpha, l2 and l1,
    and is the model trained alone with those numbers (fused and general paths, float32)."""
    from miarep.train.penalties import L1, L2, Alpha

    x, y = toy_data(500, seed=2)
    config = TrainConfig(hidden=hidden, learning_rate=0.05, epochs=8, batch_size=40)
    grid = np.array([0.0, 0.01, 0.1, 0.5])
    rows = [np.arange(500)] * len(grid)
    batch = BatchedMLP(config, 6, len(grid))
    batch.fit(
        torch.as_tensor(x),
        torch.as_tensor(y),
        rows,
        gens=generators(range(len(grid))),
        penalties=[Alpha(grid / 10), L2(grid), L1(grid / 100)],
    )
    together = batch.predict_proba(torch.as_tensor(x))
    for k, value in enumerate(grid):
        alone_config = TrainConfig(
            hidden=hidden,
            learning_rate=0.05,
            epochs=8,
            batch_size=40,
            alpha=value / 10,
            l2=value,
            l1=value / 100,
        )
        alone = BatchedMLP(alone_config, 6, 1)
        alone.fit(torch.as_tensor(x), torch.as_tensor(y), rows[:1], gens=generators([k]))
        np.testing.assert_allclose(
            together[k], alone.predict_proba(torch.as_tensor(x))[0], rtol=0, atol=1e-5
        )
    spread = np.abs(together[0] - together[-1]).max()
    assert spread > 1e-2  # the coefficients made a difference


def test_the_loop_calls_its_hooks_and_a_callback_can_stop_models_and_take_checkpoints():
    x, y = toy_data(300, seed=3)
    config = TrainConfig(hidden=(5,), learning_rate=0.05, epochs=6, batch_size=50, tol=None)
    engine = BatchedMLP(config, 6, 3)
    steps, checkpoints = [], []

    def before_step(run, batch):
        steps.append(batch.rows.shape)

    def on_epoch_end(epoch, run, losses):
        assert len(losses) == len(run.models)
        checkpoints.append(run.snapshot())
        return np.array([epoch == 1, False, False])  # model 0 stops after its second epoch

    history = engine.fit(
        torch.as_tensor(x),
        torch.as_tensor(y),
        [np.arange(300)] * 3,
        gens=generators([1, 2, 3]),
        before_step=before_step,
        on_epoch_end=on_epoch_end,
    )
    assert history.n_iter.tolist() == [2, 6, 6]
    assert len(steps) == 6 * 6 and steps[0] == (3, 50) and steps[-1] == (2, 50)
    assert len(checkpoints) == 6
    second = checkpoints[1][0][0]  # layer-0 weights of every model after epoch 2
    assert torch.equal(engine.weights[0][0], second[0])  # model 0 stayed where it stopped
    assert not torch.equal(engine.weights[0][1], second[1])  # model 1 trained on
