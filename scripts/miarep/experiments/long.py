"""The GMIA study (Long et al.): vulnerable records of well-generalized Adult models
(docs/account.md G1-G5).

The records are shuffled once into a target pool (20,000) and the adversary's reference records
(the rest, 28,842 on Adult). The pool is split 50 times into halves, each half training one target,
so every pool record is a member of exactly 50 of the 100 targets. k reference models train on
bootstrap samples of the reference records, each of the target's size. All 100 + k models are the
paper's Adult network and train as one batch.

Selection (offline) marks the pool records whose expected neighbour count is below beta; direct
inference gives every pool record a p-value under every target, so the artefacts can select at
any (delta, beta) afterwards. The paper's baseline, Shokri's attack with a 64-unit ReLU network
per class, and the metric attacks score the same records: their shadows are the first reference
models (IN: their bootstrap rows, OUT: the reference rows they did not draw, equally many).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from miarep.attacks import loss_test, registry, vulnerable
from miarep.attacks.interface import AttackInput, run_checked
from miarep.core.seeding import int_seed, rng
from miarep.train.config import TrainConfig
from miarep.train.engine import BatchedMLP, generators

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LongStudy:
    """The study's sizes, thresholds and baselines (the config's ``long`` block)."""

    pool: int = 20000
    target_size: int = 10000
    splits: int = 50
    references: int = 100
    delta: float = 0.4
    beta: float = 0.1
    cutoffs: tuple[float, ...] = (0.001, 0.002, 0.01)
    sweep: tuple[tuple[float, float], ...] = ((0.4, 0.1), (0.4, 0.5), (0.3, 0.1), (0.2, 0.1))
    shadows: int = 10
    shadow_records: int = 2000
    attacks: tuple[str, ...] = (
        "shokri",
        "metric_correctness",
        "metric_confidence",
        "metric_entropy",
        "metric_modified_entropy",
        "risk_score",
    )
    shokri_thresholds: tuple[float, ...] = (0.6, 0.7)
    model: TrainConfig = field(
        default_factory=lambda: TrainConfig(
            hidden=(10, 5),
            optimizer="adam",
            learning_rate=1e-3,
            batch_size=100,
            epochs=200,
            tol=None,
            output="softmax",
        )
    )
    attack_model: Mapping = field(
        default_factory=lambda: {
            "hidden": [64],
            "activation": "relu",
            "optimizer": "adam",
            "learning_rate": 0.001,
            "epochs": 200,
            "batch_size": 200,
            "tol": 0.0001,
            "n_iter_no_change": 10,
        }
    )

    def __post_init__(self):
        if 2 * self.target_size != self.pool:
            raise ValueError("long: the pool must be twice the target size (targets are halves)")
        if self.splits < 1 or self.references < 2 or not 1 <= self.shadows <= self.references:
            raise ValueError("long needs splits >= 1, references >= 2, 1 <= shadows <= references")
        if (self.delta, self.beta) not in self.sweep:
            raise ValueError("long: (delta, beta) must be one of the sweep's settings")
        registry.require_known(self.attacks, "long")

    @classmethod
    def from_config(cls, block: Mapping) -> "LongStudy":
        block = dict(block)
        model = dict(block.pop("model", {}))
        if "hidden" in model:
            model["hidden"] = tuple(model["hidden"])
        for key in ("cutoffs", "attacks", "shokri_thresholds"):
            if key in block:
                block[key] = tuple(block[key])
        if "sweep" in block:
            block["sweep"] = tuple(tuple(pair) for pair in block["sweep"])
        defaults = cls()
        attack_model = {**defaults.attack_model, **dict(block.pop("attack_model", {}))}
        return cls(**block, model=replace(defaults.model, **model), attack_model=attack_model)


def draw(n_rows: int, study: LongStudy, root_seed: int) -> dict:
    """The pool, the reference records, each target's members and each reference's bootstrap."""
    if n_rows <= study.pool:
        raise ValueError(f"long needs more than {study.pool} records, the dataset has {n_rows}")
    order = rng(root_seed, "long", "rows").permutation(n_rows)
    pool, reference = order[: study.pool], order[study.pool :]
    members = []
    for split in range(study.splits):
        halves = rng(root_seed, "long", "split", split).permutation(study.pool)
        members += [np.sort(halves[: study.target_size]), np.sort(halves[study.target_size :])]
    bootstraps = [
        np.sort(rng(root_seed, "long", "bootstrap", i).choice(reference, study.target_size))
        for i in range(study.references)
    ]
    return {"pool": pool, "reference": reference, "members": members, "bootstraps": bootstraps}


def membership(draws: Mapping, study: LongStudy) -> np.ndarray:
    """(targets, pool) bool: pool record j trains target t."""
    matrix = np.zeros((2 * study.splits, study.pool), dtype=bool)
    for t, rows in enumerate(draws["members"]):
        matrix[t, rows] = True
    return matrix


def train_models(x, y, draws: Mapping, study: LongStudy, root_seed: int, device: str = "auto"):
    """Every target and reference model in one batch: the targets' and the references' outputs
    (K, n_rows, C) and the references' raw logits."""
    pool = draws["pool"]
    index_sets = [pool[m] for m in draws["members"]] + list(draws["bootstraps"])
    roles = [("target", t) for t in range(2 * study.splits)]
    roles += [("reference", i) for i in range(study.references)]
    seeds = [int_seed(root_seed, "long", "model", role, i) for role, i in roles]
    config = replace(study.model, n_classes=int(y.max()) + 1)
    engine = BatchedMLP(config, x.shape[1], len(index_sets), device)
    x_t = torch.as_tensor(np.array(x, np.float32))
    y_t = torch.as_tensor(np.array(y, np.float64))

    def progress(epoch, run, losses):
        if (epoch + 1) % 20 == 0:
            log.info("long: epoch %d of %d (%d models)", epoch + 1, config.epochs, len(seeds))

    engine.fit(x_t, y_t, index_sets, gens=generators(seeds), on_epoch_end=progress)
    probs = engine.predict_proba(x_t)
    n_targets = 2 * study.splits
    logits = engine.predict_logits(x_t)[n_targets:].float().cpu().numpy()
    return probs[:n_targets], probs[n_targets:], logits


def shadow_input(reference_probs, y, draws: Mapping, study: LongStudy, root_seed: int):
    """The shadows' outputs: per shadow reference model, equally many of its bootstrap rows (IN)
    and of the reference rows it did not draw (OUT)."""
    probs, labels, member = [], [], []
    for i in range(study.shadows):
        drawn = np.unique(draws["bootstraps"][i])
        left = np.setdiff1d(draws["reference"], drawn)
        m = min(study.shadow_records, len(drawn), len(left))
        stream = rng(root_seed, "long", "shadow", i)
        for rows, is_in in (
            (stream.choice(drawn, m, False), True),
            (stream.choice(left, m, False), False),
        ):
            probs.append(reference_probs[i, rows])
            labels.append(y[rows])
            member.append(np.full(m, is_in))
    return np.concatenate(probs), np.concatenate(labels), np.concatenate(member)


def run_long(
    x: np.ndarray,
    y: np.ndarray,
    study: LongStudy,
    engine: Mapping,
    evaluation: Mapping,
    root_seed: int,
) -> dict[str, pd.DataFrame]:
    """The whole study: ``records`` (pool records with neighbour counts per delta), ``inferences``
    (p-values and attack decisions per target and candidate record) and ``accuracy``."""
    device = engine.get("device", "auto")
    draws = draw(len(y), study, root_seed)
    pool, reference = draws["pool"], draws["reference"]
    targets, references, logits = train_models(x, y, draws, study, root_seed, device)
    member = membership(draws, study)
    deltas = sorted({d for d, _ in study.sweep})
    log.info("long: neighbour counts of %d pool records among %d", len(pool), len(reference))
    counts = vulnerable.neighbour_counts(
        vulnerable.features(logits[:, pool]), vulnerable.features(logits[:, reference]), deltas
    )
    records = pd.DataFrame({"record": pool, "label": y[pool]})
    for delta, row in zip(deltas, counts, strict=True):
        records[f"neighbours_{delta:g}"] = row
    candidates = np.zeros(len(pool), bool)
    for delta, beta in study.sweep:
        flags = vulnerable.vulnerable(
            counts[deltas.index(delta)], beta, study.target_size, len(reference)
        )
        records[f"vulnerable_{delta:g}_{beta:g}"] = flags
        candidates |= flags
    chosen = np.flatnonzero(candidates)
    log.info("long: %d candidate records over the sweep", len(chosen))
    p = loss_test.p_values(targets[:, pool[chosen]], references[:, pool[chosen]], y[pool[chosen]])
    inferences = _inference_rows(chosen, pool, y, member, targets, p)
    inferences = _with_attacks(
        inferences,
        chosen,
        pool,
        y,
        targets,
        references,
        draws,
        study,
        engine,
        evaluation,
        root_seed,
    )
    accuracy = _accuracies(targets, references, y, draws, member, study)
    return {"records": records, "inferences": inferences, "accuracy": accuracy}


def _inference_rows(chosen, pool, y, member, targets, p) -> pd.DataFrame:
    n_targets = member.shape[0]
    rows = pool[chosen]
    loss = loss_test.log_loss(targets[:, rows], y[rows])
    return pd.DataFrame(
        {
            "target": np.repeat(np.arange(n_targets), len(chosen)),
            "record": np.tile(rows, n_targets),
            "member": member[:, chosen].reshape(-1),
            "target_loss": loss.reshape(-1),
            "p_value": p.reshape(-1),
        }
    )


def _with_attacks(
    inferences, chosen, pool, y, targets, references, draws, study, engine, evaluation, root_seed
) -> pd.DataFrame:
    """One stacked experiment per attack: the shadows are the same for every target. With no
    candidate record the attacks' columns are there, empty."""
    out = inferences.copy()
    if not len(chosen):
        for name in study.attacks:
            out[f"score_{name}"] = np.zeros(0)
            out[f"decision_{name}"] = np.zeros(0, bool)
        return out
    rows = pool[chosen]
    shadow = shadow_input(references, y, draws, study, root_seed)
    one = AttackInput(
        targets[:, rows].reshape(-1, targets.shape[-1]),
        np.tile(y[rows], targets.shape[0]),
        ("long", "candidates"),
        *shadow,
    )
    models = {"attack": "ann", "faithful_attack_ann": dict(study.attack_model)}
    for name in study.attacks:
        log.info("long: %s on %d inferences", name, len(out))
        attack = registry.build(name, models, engine, evaluation)
        (result,) = run_checked(attack, [one], root_seed)
        out[f"score_{name}"] = np.asarray(result.scores, dtype=np.float64)
        out[f"decision_{name}"] = np.asarray(result.decisions, bool)
    return out


def _accuracies(targets, references, y, draws, member, study) -> pd.DataFrame:
    pool = draws["pool"]
    correct = targets[:, pool].argmax(-1) == y[pool]
    rows = [
        {
            "model": "target",
            "index": t,
            "train_accuracy": float(correct[t, member[t]].mean()),
            "test_accuracy": float(correct[t, ~member[t]].mean()),
        }
        for t in range(member.shape[0])
    ]
    for i, drawn in enumerate(draws["bootstraps"]):
        hits = references[i].argmax(-1) == y
        rows.append(
            {
                "model": "reference",
                "index": i,
                "train_accuracy": float(hits[drawn].mean()),
                "test_accuracy": float(hits[pool].mean()),
            }
        )
    return pd.DataFrame(rows)
