"""The AdvReg study: Nasr et al.'s defended classifiers re-evaluated as Song and Mittal prescribe
(docs/account.md N4, N5).

Per repetition the records are drawn afresh into six disjoint parts of n each: the target's
members, the defender's reference records (AdvReg's non-members), the target's test records, and
an adaptive attacker's shadow members, shadow non-members and shadow references. Each arm (no
defense, AdvReg at each lambda, L2 at each coefficient) trains a target and a shadow per
repetition, the shadow exactly like the target (same defense, lambda and seed stream) on the
attacker's parts; every model of an arm trains in one batch. The undefended models are recorded
at every epoch, so early stopping is the undefended checkpoint whose test accuracy is nearest the
defended target's (per repetition), and the early-stopping curve is a list of checkpoints.

Every model state (arm, lambda, epoch, repetition) meets every attack under two protocols:

- ``known_half`` (004's code): the attacker knows a random half of the target's members and of
  its test records and trains or thresholds on the target's own outputs there; the query is the
  other halves (balanced, chance 0.5);
- ``adaptive``: the attacker trains on the shadow model's outputs (its members and non-members)
  and queries all the target's members and test records (balanced).
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from miarep.attacks import registry
from miarep.attacks.inference_model import InferenceShape
from miarep.attacks.interface import AttackInput, run_checked
from miarep.core.io import read_parquet
from miarep.core.seeding import int_seed, rng
from miarep.data.encoding import ENCODED_PREFIX
from miarep.defenses.advreg import AdvRegSettings, fit_advreg
from miarep.measures.metrics import attack_metrics
from miarep.train.config import TrainConfig
from miarep.train.engine import BatchedMLP, generators
from miarep.train.penalties import weight_penalties

log = logging.getLogger(__name__)

PARTS = ("members", "references", "test", "shadow_members", "shadow_test", "shadow_references")
PROTOCOLS = ("known_half", "adaptive")
ROLES = ("target", "shadow")


@dataclass(frozen=True)
class NasrStudy:
    """The study's sizes, arms and attacks (the config's ``nasr`` block, config/README.md)."""

    members: int = 1000
    repetitions: int = 5
    lambdas: tuple[float, ...] = (1.0, 3.0, 10.0)
    table_lambda: float = 3.0
    l2: tuple[float, ...] = (0.001, 0.01)
    table_l2: float = 0.01
    epochs: int = 60
    defended_epochs: int = 60
    early_stopping_epochs: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12, 20, 30, 45, 60)
    attacks: tuple[str, ...] = (
        "shokri",
        "metric_correctness",
        "metric_confidence",
        "metric_entropy",
        "metric_modified_entropy",
        "risk_score",
        "nasr_nn",
    )
    classifier: TrainConfig = field(
        default_factory=lambda: TrainConfig(
            hidden=(256, 128, 64, 32),
            optimizer="adam",
            learning_rate=1e-3,
            batch_size=128,
            tol=None,
            output="softmax",
        )
    )
    #: the released code's game (account N3) with h scaled down to Adult's two classes
    advreg: AdvRegSettings = field(
        default_factory=lambda: AdvRegSettings(
            shape=InferenceShape(prediction=(64, 32), label=(16,), combine=(32, 16))
        )
    )

    def __post_init__(self):
        if self.members < 4 or self.repetitions < 2:
            raise ValueError("nasr needs members >= 4 and repetitions >= 2 (a CI needs two)")
        if self.table_lambda not in self.lambdas or self.table_l2 not in self.l2:
            raise ValueError("nasr's table_lambda and table_l2 must be among lambdas and l2")
        if max(self.early_stopping_epochs, default=1) > self.epochs:
            raise ValueError("nasr's early_stopping_epochs must not exceed epochs")
        registry.require_known(self.attacks, "nasr")

    @classmethod
    def from_config(cls, block: Mapping) -> "NasrStudy":
        block = dict(block)
        classifier = dict(block.pop("classifier", {}))
        if "hidden" in classifier:
            classifier["hidden"] = tuple(classifier["hidden"])
        game = dict(block.pop("advreg", {}))
        if "shape" in game:
            game["shape"] = InferenceShape(**{k: tuple(v) for k, v in game["shape"].items()})
        for key in ("lambdas", "l2", "early_stopping_epochs", "attacks"):
            if key in block:
                block[key] = tuple(block[key])
        defaults = cls()
        return cls(
            **block,
            classifier=replace(defaults.classifier, **classifier),
            advreg=replace(defaults.advreg, **game),
        )

    def rows_needed(self) -> int:
        return len(PARTS) * self.members


@dataclass
class ArmResult:
    """One arm's models after training: probabilities (epochs, K, 2n, C) on each model's own
    members then non-members, recorded after every epoch."""

    defense: str
    lam: float
    probs: np.ndarray
    models: list[tuple[str, int]]  # (role, repetition) of model k


def draw_parts(n_rows: int, study: NasrStudy, root_seed: int, repetition: int) -> dict:
    """The repetition's six disjoint parts of ``members`` rows each (module docstring)."""
    if n_rows < study.rows_needed():
        raise ValueError(f"nasr needs {study.rows_needed()} records, the dataset has {n_rows}")
    order = rng(root_seed, "nasr", "rows", repetition).permutation(n_rows)
    n = study.members
    return {part: np.sort(order[i * n : (i + 1) * n]) for i, part in enumerate(PARTS)}


def _model_rows(parts: Mapping, role: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(members, non-members, references) of a target or a shadow."""
    prefix = "" if role == "target" else "shadow_"
    test = parts["test"] if role == "target" else parts["shadow_test"]
    return parts[f"{prefix}members"], test, parts[f"{prefix}references"]


def train_arm(
    defense: str,
    lam: float,
    study: NasrStudy,
    x: torch.Tensor,
    y: torch.Tensor,
    parts: Sequence[Mapping],
    root_seed: int,
    device: str = "auto",
) -> ArmResult:
    """Every target and shadow of one arm in one batch, recording their outputs each epoch."""
    if defense not in ("none", "advreg", "l2"):
        raise ValueError(f"nasr arms are none, advreg and l2, got {defense!r}")
    models = [(role, r) for r in range(len(parts)) for role in ROLES]
    rows = [_model_rows(parts[r], role) for role, r in models]
    seeds = [int_seed(root_seed, "nasr", "model", role, r) for role, r in models]
    n_classes = int(y.max()) + 1
    epochs = study.defended_epochs if defense == "advreg" else study.epochs
    config = replace(study.classifier, epochs=epochs, n_classes=n_classes)
    engine = BatchedMLP(config, x.shape[1], len(models), device)
    evaluate = np.stack([np.r_[m, t] for m, t, _ in rows])
    recorded = []

    def record(epoch, run, losses):
        run.network.write_back(run.params)
        recorded.append(engine.predict_proba(x, evaluate).astype(np.float32))
        if (epoch + 1) % 5 == 0 or epoch + 1 == epochs:
            log.info("nasr %s lambda %g: epoch %d of %d", defense, lam, epoch + 1, epochs)

    members = [m for m, _, _ in rows]
    if defense == "advreg":
        lambdas = np.full(len(models), lam)
        references = [ref for _, _, ref in rows]
        settings = study.advreg
        fit_advreg(engine, lambdas, x, y, members, references, seeds, settings, record)
    else:
        penalties = weight_penalties(config.alpha, config.l2 + lam, config.l1)
        engine.fit(
            x, y.double(), members, gens=generators(seeds), on_epoch_end=record, penalties=penalties
        )
    return ArmResult(defense, lam, np.stack(recorded), models)


def accuracies(probs: np.ndarray, labels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test accuracy of (..., 2n, C) outputs on members then non-members."""
    correct = probs.argmax(-1) == labels
    return correct[..., :n].mean(-1), correct[..., n:].mean(-1)


@dataclass
class ModelState:
    """One evaluated model: a target's and its shadow's outputs at one epoch of one arm."""

    defense: str
    lam: float
    epoch: int
    repetition: int
    target: np.ndarray  # (2n, C) on members then test records
    shadow: np.ndarray  # (2n, C) on shadow members then shadow test records

    @property
    def key(self) -> tuple:
        return (self.defense, f"{self.lam:g}", self.epoch, self.repetition)


def states_of(arm: ArmResult, epochs: Sequence[int] | None = None) -> list[ModelState]:
    """The arm's model states at the given epochs (1-based; the last one if None)."""
    chosen = [arm.probs.shape[0]] if epochs is None else list(epochs)
    repetitions = sorted({r for _, r in arm.models})
    states = []
    for epoch in chosen:
        for r in repetitions:
            k_target, k_shadow = arm.models.index(("target", r)), arm.models.index(("shadow", r))
            states.append(
                ModelState(
                    arm.defense,
                    arm.lam,
                    epoch,
                    r,
                    arm.probs[epoch - 1, k_target].astype(np.float64),
                    arm.probs[epoch - 1, k_shadow].astype(np.float64),
                )
            )
    return states


def attack_inputs(
    state: ModelState, labels: np.ndarray, shadow_labels: np.ndarray, protocol: str, split
) -> tuple[AttackInput, np.ndarray]:
    """The attacker's input for one model state under one protocol, and the query's membership.

    ``split`` is (known members, known non-members) as positions among the n of each; ``labels``
    are the target's (members then test), ``shadow_labels`` the shadow's."""
    n = len(labels) // 2
    member = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    key = ("nasr", protocol, *state.key)
    if protocol == "adaptive":
        one = AttackInput(state.target, labels, key, state.shadow, shadow_labels, member)
        return one, member
    if protocol != "known_half":
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    known = np.zeros(2 * n, bool)
    known[split[0]] = True
    known[n + split[1]] = True
    one = AttackInput(
        state.target[~known],
        labels[~known],
        key,
        state.target[known],
        labels[known],
        member[known],
    )
    return one, member[~known]


def known_halves(n: int, root_seed: int, repetition: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the members and of the test records the known-half attacker knows."""
    stream = rng(root_seed, "nasr", "known half", repetition)
    return tuple(np.sort(stream.permutation(n)[: n // 2]) for _ in range(2))


def early_stopping_epochs(none: ArmResult, advreg: ArmResult, labels_of, n: int) -> dict:
    """Per repetition, the undefended epoch whose target test accuracy is nearest the defended
    target's final one, among the epochs up to the undefended model's best test accuracy (an
    early stop, not a late overfit checkpoint that scores the same; ties: the earliest)."""
    matched = {}
    for r in sorted({r for _, r in none.models}):
        labels = labels_of(r, "target")
        k = none.models.index(("target", r))
        _, test_curve = accuracies(none.probs[:, k], labels, n)
        _, defended = accuracies(advreg.probs[-1, advreg.models.index(("target", r))], labels, n)
        rising = test_curve[: int(np.argmax(test_curve)) + 1]
        matched[r] = int(np.argmin(np.abs(rising - defended))) + 1
    return matched


def evaluate(
    states: Sequence[ModelState],
    attacks: Mapping,
    labels_of,
    root_seed: int,
    n: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every attack on every state under both protocols: a row per (state, protocol, attack),
    and the known-half risk scores of the query members (for the risk-score CDF)."""
    rows, risks = [], []
    for protocol in PROTOCOLS:
        inputs, truths = [], []
        for state in states:
            split = known_halves(n, root_seed, state.repetition)
            one, truth = attack_inputs(
                state,
                labels_of(state.repetition, "target"),
                labels_of(state.repetition, "shadow"),
                protocol,
                split,
            )
            inputs.append(one)
            truths.append(truth)
        for name, attack in attacks.items():
            log.info("nasr: %s on %d models, %s protocol", name, len(inputs), protocol)
            outputs = run_checked(attack, inputs, root_seed)
            for state, truth, out in zip(states, truths, outputs, strict=True):
                rows.append(
                    {
                        "defense": state.defense,
                        "lambda": state.lam,
                        "epoch": state.epoch,
                        "repetition": state.repetition,
                        "protocol": protocol,
                        "attack": name,
                        **attack_metrics(truth, out.scores, out.decisions),
                    }
                )
                if name == "risk_score" and protocol == "known_half":
                    risks.append(
                        pd.DataFrame(
                            {
                                "defense": state.defense,
                                "lambda": state.lam,
                                "epoch": state.epoch,
                                "repetition": state.repetition,
                                "risk_score": np.asarray(out.scores)[truth],
                            }
                        )
                    )
    return pd.DataFrame(rows), pd.concat(risks, ignore_index=True) if risks else pd.DataFrame()


def features_of(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The encoded features and the labels of a processed dataset table."""
    columns = [c for c in table.columns if c.startswith(ENCODED_PREFIX)]
    return table[columns].to_numpy(np.float32), table["label"].to_numpy(np.int64)


def load_records(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Features (float32) and labels of a processed table (.parquet) or of a Shokri release's
    arrays (.npz, rule preprocess_release)."""
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path) as arrays:
            return arrays["features"].astype(np.float32), arrays["labels"].astype(np.int64)
    return features_of(read_parquet(path))


def run_nasr(
    x: np.ndarray,
    y: np.ndarray,
    study: NasrStudy,
    models: Mapping,
    engine: Mapping,
    evaluation: Mapping,
    root_seed: int,
) -> dict[str, pd.DataFrame]:
    """The whole study on one dataset: ``results`` (attack metrics per state, protocol and
    attack, with the target's accuracies), ``curves`` (accuracies per epoch) and ``risk``."""
    n = study.members
    parts = [draw_parts(len(y), study, root_seed, r) for r in range(study.repetitions)]
    x_t = torch.as_tensor(np.array(x, dtype=np.float32))
    y_t = torch.as_tensor(np.array(y, dtype=np.int64))

    def labels_of(r: int, role: str) -> np.ndarray:
        m, t, _ = _model_rows(parts[r], role)
        return np.asarray(y)[np.r_[m, t]]

    device = engine.get("device", "auto")
    arms = [train_arm("none", 0.0, study, x_t, y_t, parts, root_seed, device)]
    arms += [
        train_arm("advreg", lam, study, x_t, y_t, parts, root_seed, device) for lam in study.lambdas
    ]
    arms += [train_arm("l2", c, study, x_t, y_t, parts, root_seed, device) for c in study.l2]
    none = arms[0]
    table_advreg = next(a for a in arms if a.defense == "advreg" and a.lam == study.table_lambda)
    matched = early_stopping_epochs(none, table_advreg, labels_of, n)
    checkpoints = sorted(set(study.early_stopping_epochs) | set(matched.values()))
    states = [s for arm in arms for s in states_of(arm)]
    states += [replace(s, defense="early_stopping") for s in states_of(none, checkpoints)]
    attacks = {name: registry.build(name, models, engine, evaluation) for name in study.attacks}
    results, risk = evaluate(states, attacks, labels_of, root_seed, n)
    accuracy = _accuracy_rows(states, labels_of, n)
    results = results.merge(accuracy, on=["defense", "lambda", "epoch", "repetition"])
    results["matched"] = [
        d == "early_stopping" and matched[r] == e
        for d, e, r in zip(results["defense"], results["epoch"], results["repetition"], strict=True)
    ]
    return {"results": results, "curves": _curves(arms, labels_of, n), "risk": risk}


def _accuracy_rows(states, labels_of, n) -> pd.DataFrame:
    rows = []
    for s in states:
        train, test = accuracies(s.target, labels_of(s.repetition, "target"), n)
        rows.append(
            {
                "defense": s.defense,
                "lambda": s.lam,
                "epoch": s.epoch,
                "repetition": s.repetition,
                "train_accuracy": float(train),
                "test_accuracy": float(test),
            }
        )
    return pd.DataFrame(rows).drop_duplicates(["defense", "lambda", "epoch", "repetition"])


def _curves(arms: Sequence[ArmResult], labels_of, n: int) -> pd.DataFrame:
    rows = []
    for arm in arms:
        for k, (role, r) in enumerate(arm.models):
            if role != "target":
                continue
            train, test = accuracies(arm.probs[:, k], labels_of(r, "target"), n)
            for epoch in range(len(train)):
                rows.append(
                    {
                        "defense": arm.defense,
                        "lambda": arm.lam,
                        "repetition": r,
                        "epoch": epoch + 1,
                        "train_accuracy": float(train[epoch]),
                        "test_accuracy": float(test[epoch]),
                    }
                )
    return pd.DataFrame(rows)
