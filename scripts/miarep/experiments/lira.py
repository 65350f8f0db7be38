"""LiRA and RMIA on a property study's experiments, with reference models (docs/account.md L3).

The study's samples are reused as drawn: an experiment's query records Q are its target's members
and non-members, the attacker's records its shadow records (drawn from the same pool with the
request's balances, disjoint from Q). Per sample, R reference models of the target's kind and
settings train in complementary pairs: each pair splits Q at random into halves, and each model
of the pair trains on one half filled up to the target's training size with attacker records
whose label share matches the target's training set. So every query record is IN for exactly
half the references (online LiRA and RMIA), and the other half are OUT (the offline variants read
those). The population records RMIA compares with are attacker records no reference trains on.
The target is retrained with the runner's own seed and settings, so it is the very model the
study's other attacks scored. Every experiment is scored on the runner's balanced evaluation set
(all non-members and as many members), with TPR at 0.1% and 1% FPR and the number of non-members,
which says whether such a rate can be resolved.
"""

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from miarep.attacks import registry
from miarep.attacks.interface import AttackInput, run_checked
from miarep.attacks.signals import true_label_probability
from miarep.core.seeding import int_seed, rng
from miarep.data.encoding import ENCODED_PREFIX
from miarep.experiments.runner import ExperimentModels, RunSettings, Samples, balanced_subset
from miarep.measures.metrics import attack_metrics
from miarep.sampling.design import model_fields_of
from miarep.sampling.splits import index_sets_by_sample
from miarep.train.loop import fit
from miarep.train.network import generators
from miarep.train.parallel import fit_predict_parallel
from miarep.train.penalties import weight_penalties
from miarep.train.rates import PerModelSGD

log = logging.getLogger(__name__)

#: ANN settings a batch of references may hold per model (Figure 8's L2 and learning-rate sweeps)
PER_MODEL = ("l2", "learning_rate")

LIRA_ATTACKS = (
    "lira_online",
    "lira_online_fixed",
    "lira_offline",
    "lira_offline_fixed",
    "rmia_online",
    "rmia_offline",
)


@dataclass(frozen=True)
class LiraSettings:
    """The references and attacks (the config's ``lira`` block)."""

    references: int = 16
    repetitions: int | None = 5
    population: int = 1000
    attacks: tuple[str, ...] = LIRA_ATTACKS
    #: experiment field -> the values attacked (Figure 8: the shallowest and deepest networks)
    only: Mapping[str, Sequence] = field(default_factory=dict)

    def __post_init__(self):
        if self.references < 2 or self.references % 2:
            raise ValueError("lira.references must be an even number >= 2 (complementary pairs)")
        if self.repetitions is not None and self.repetitions < 1:
            raise ValueError("lira.repetitions must be >= 1 (or null: every repetition)")
        if self.population < 1:
            raise ValueError("lira.population must be >= 1")
        registry.require_known(self.attacks, "lira")


def reference_sets(
    query: np.ndarray,
    attacker: np.ndarray,
    y: np.ndarray,
    train_size: int,
    label_share: float,
    settings: LiraSettings,
    generator: np.random.Generator,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The references' training sets, their (R, |Q|) membership of the query records, and the
    population records (module docstring)."""
    shuffled = generator.permutation(attacker)
    population = np.sort(shuffled[: min(settings.population, len(shuffled) // 2)])
    fill_pool = shuffled[len(population) :]
    sets, member = [], np.zeros((settings.references, len(query)), bool)
    for pair in range(settings.references // 2):
        order = generator.permutation(len(query))
        halves = (order[: len(query) // 2], order[len(query) // 2 :])
        for side, half in enumerate(halves):
            k = 2 * pair + side
            member[k, half] = True
            rows = query[half]
            need = max(train_size - len(rows), 0)
            sets.append(
                np.sort(np.r_[rows, _fill(fill_pool, y, rows, need, label_share, generator)])
            )
    return sets, member, population


def _fill(pool, y, rows, need, label_share, generator) -> np.ndarray:
    """``need`` pool records whose labels bring the set's share of label 1 nearest label_share."""
    if need == 0:
        return np.zeros(0, dtype=np.int64)
    ones, zeros = pool[y[pool] == 1], pool[y[pool] == 0]
    total = len(rows) + need
    want = int(round(label_share * total)) - int((y[rows] == 1).sum())
    n_ones = int(np.clip(want, max(need - len(zeros), 0), min(need, len(ones))))
    chosen = [generator.choice(ones, n_ones, replace=False)]
    chosen.append(generator.choice(zeros, min(need - n_ones, len(zeros)), replace=False))
    return np.concatenate(chosen).astype(np.int64)


def run_lira(
    table: pd.DataFrame,
    kinds: Mapping[str, str],
    long: pd.DataFrame,
    experiments: pd.DataFrame,
    run: RunSettings,
    settings: LiraSettings,
    root_seed: int,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per experiment with every LiRA/RMIA attack's metrics, and their per-record scores
    on the balanced evaluation sets (``workers``: threads for scikit-learn models)."""
    x = table[[ENCODED_PREFIX + f for f in kinds]].to_numpy(np.float32)
    y = table["label"].to_numpy(np.int64)
    frame = experiments
    if settings.repetitions is not None:
        frame = frame[frame["repetition"] < settings.repetitions]
    for name, values in settings.only.items():
        if name not in frame:
            raise ValueError(f"lira: 'only' names {name!r}, which the study's experiments lack")
        frame = frame[frame[name].isin(list(values))]
    if frame.empty:
        raise ValueError("lira: no experiment left to attack (check repetitions and only)")
    rows = frame.to_dict("records")
    models = [ExperimentModels.resolve(run, model_fields_of(r)) for r in rows]
    samples = Samples(rows, index_sets_by_sample(long), list(kinds), root_seed)
    units = _units(rows, models, samples, y, settings, root_seed)
    outputs = _fit(units, samples, x, y, run, settings, root_seed, workers)
    inputs, out_rows, score_rows, evaluated = [], [], [], []
    for e, row in enumerate(rows):
        key = samples.key(e)
        unit_key = _unit_key(e, rows, models)
        unit, (target, references) = units[unit_key], outputs[unit_key]
        is_member = unit["is_member"]
        chosen = balanced_subset(is_member, rng(root_seed, "evaluate", *key))
        labels = y[unit["query"]][chosen]
        inputs.append(
            AttackInput(
                target[0][chosen],
                labels,
                ("lira", *key),
                reference_probs=references[0][:, chosen],
                reference_member=unit["member"][:, chosen],
                population_probs=target[1],
                population_labels=y[unit["population"]],
                population_reference_probs=references[1],
            )
        )
        evaluated.append(is_member[chosen])
        result = {k: row[k] for k in ("experiment", "sample", "repetition")}
        result |= models[e].describe()
        result["n_members"] = int(is_member[chosen].sum())
        result["n_nonmembers"] = int((~is_member[chosen]).sum())
        out_rows.append(result)
        score_rows.append(
            {
                "experiment": row["experiment"],
                "record": unit["query"][chosen],
                "member": is_member[chosen],
                "target_p_true": true_label_probability(target[0][chosen], labels).astype(
                    np.float32
                ),
            }
        )
    for name in settings.attacks:
        attack = registry.build(name, {}, {"device": run.device}, {})
        outs = run_checked(attack, inputs, root_seed)
        for result, scores, truth, output in zip(
            out_rows, score_rows, evaluated, outs, strict=True
        ):
            result |= attack_metrics(truth, output.scores, output.decisions, prefix=f"{name}_mia_")
            scores[f"score_{name}"] = np.asarray(output.scores, np.float32)
    frames = [pd.DataFrame(scores) for scores in score_rows]
    return pd.DataFrame(out_rows), pd.concat(frames, ignore_index=True)


def _unit_key(e: int, rows: Sequence[Mapping], models: Sequence[ExperimentModels]) -> tuple:
    """Experiments on one sample with one target model share the target and its references."""
    m = models[e]
    spec = json.dumps(m.model_settings[m.target], sort_keys=True, default=list)
    return (int(rows[e]["sample"]), m.target, spec)


def _units(rows, models, samples, y, settings, root_seed) -> dict:
    units = {}
    for e, m in enumerate(models):
        key = _unit_key(e, rows, models)
        if key in units:
            continue
        if m.target == "ann" and m.model_settings["ann"].get("defense"):
            raise ValueError("lira: defended targets are not supported (Table 5 has its own rule)")
        members, nonmembers = samples.sets(e, "target")
        attacker = np.concatenate(samples.sets(e, "shadow"))
        query = np.r_[members, nonmembers]
        generator = rng(root_seed, "lira", "references", *samples.key(e), m.target)
        share = float(np.mean(y[members] == 1)) if len(members) else 0.0
        sets, member, population = reference_sets(
            query, attacker, y, len(members), share, settings, generator
        )
        units[key] = {
            "experiment": e,
            "params": m.model_settings[m.target],
            "query": query,
            "is_member": np.r_[np.ones(len(members), bool), np.zeros(len(nonmembers), bool)],
            "members": members,
            "sets": sets,
            "member": member,
            "population": population,
        }
    return units


def _fit(units, samples, x, y, run, settings, root_seed, workers=1) -> dict:
    """The target (the runner's seed) and the references of every unit, batched per model
    settings; per unit ((target on Q, on population), (references on Q, on population)).

    ANNs that differ only in their L2 coefficient or SGD learning rate (Figure 8's sweeps) train
    as one batch, each model with its own: one batch costs about what a batch of a few models
    does, as the per-step work, not the model count, dominates. scikit-learn models fit on
    ``workers`` threads (:mod:`miarep.train.parallel`)."""
    by_batch: dict[tuple, list] = {}
    for key in units:
        by_batch.setdefault(_batch_key(key[1], units[key]["params"]), []).append(key)
    out = {}
    for (kind, _), keys in by_batch.items():
        train, predict, seeds, masks, own = [], [], [], [], []
        for key in keys:
            unit = units[key]
            e = unit["experiment"]
            sets = [unit["members"], *unit["sets"]]
            seeds += [samples.seed("target", e, kind)]
            seeds += [
                int_seed(root_seed, "lira", "reference", k, *samples.key(e), kind)
                for k in range(settings.references)
            ]
            train += sets
            predict += [[unit["query"], unit["population"]]] * len(sets)
            masks += [samples.masks[e]] * len(sets)
            own += [{k: unit["params"].get(k) for k in PER_MODEL}] * len(sets)
        log.info(
            "lira: %d %s models (targets and references) for %d samples",
            len(train),
            kind,
            len(keys),
        )
        params, trainer = units[keys[0]]["params"], None
        if kind == "ann" and any(o != own[0] for o in own):
            trainer = _per_model_trainer(own)
        results = fit_predict_parallel(
            kind,
            params,
            x,
            y,
            train,
            predict,
            seeds,
            np.array(masks),
            workers=workers,
            device=run.device,
            chunk_models=run.chunk_models,
            trainer=trainer,
        )
        per = settings.references + 1
        for i, key in enumerate(keys):
            block = results[i * per : (i + 1) * per]
            target = block[0]
            refs = block[1:]
            out[key] = (
                (target[0], target[1]),
                (np.stack([r[0] for r in refs]), np.stack([r[1] for r in refs])),
            )
    return out


def _batch_key(kind: str, params: Mapping) -> tuple:
    """Models of one kind whose settings differ at most in an SGD ANN's :data:`PER_MODEL`."""
    sgd = kind == "ann" and params.get("optimizer", "sgd") == "sgd"
    shared = {k: v for k, v in params.items() if not (sgd and k in PER_MODEL)}
    return kind, json.dumps(shared, sort_keys=True, default=list)


def _per_model_trainer(own: Sequence[Mapping]):
    """A trainer (:func:`miarep.train.zoo.fit_predict`) giving model k its own L2 coefficient
    and learning rate, ``own[k]`` (absent: the batch's settings)."""

    def train(engine, x, y, sets, seeds, feature_masks, models) -> None:
        config = engine.config
        values = {
            key: np.array([_or(own[m][key], getattr(config, key)) for m in models])
            for key in PER_MODEL
        }
        optimizer = PerModelSGD(values["learning_rate"], config.momentum, config.nesterov)
        penalties = weight_penalties(config.alpha, values["l2"], config.l1)
        gens = generators(seeds, engine.device)
        fit(engine, optimizer, x, y, sets, gens=gens, penalties=penalties)

    return train


def _or(value, default: float) -> float:
    return float(default if value is None else value)
