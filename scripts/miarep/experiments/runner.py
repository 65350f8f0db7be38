"""The experiment runner: one study's experiments on one dataset, from split files to result rows.

All target models of the study are trained together in batches, then all shadow models (each
experiment's shadow dataset split like the target, and split half IN, half OUT: docs/account.md
T9), then each of the study's attacks (by name, from :mod:`miarep.attacks.registry`) on all
experiments at once, so that a study of a thousand experiments costs a few batched training runs.
Every target record's scores go into one table (:mod:`miarep.experiments.scores`), with the
oracle bound's (:mod:`miarep.measures.bounds`), and each experiment's result row holds its
request, what its sample achieved, the target's accuracies and model properties, and every
attack's metrics, computed from that table, under both evaluation protocols (account E1):

- ``<attack>_mia_*``: a balanced evaluation set, all target non-members and as many randomly
  chosen members, so 0.5 is chance (this measures leakage);
- ``<attack>_paper_mia_*``: all of the target's records, 75% of them members, as in the paper
  (answering "member" always scores 0.75 here).
"""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from miarep.attacks import registry
from miarep.attacks.interface import AttackInput, run_checked
from miarep.core.seeding import int_seed, rng
from miarep.data.encoding import ENCODED_PREFIX
from miarep.defenses.context import PropertyContext
from miarep.defenses.spec import defense_spec
from miarep.defenses.train import DefendedTrainer
from miarep.experiments.scores import BOUNDS, attack_columns, score_table, target_loss
from miarep.measures import properties
from miarep.measures.bounds import cross_fitted_oracle_scores, oracle_scores
from miarep.sampling.design import experiment_key, model_fields_of, request_of
from miarep.sampling.draw import Pool
from miarep.sampling.splits import index_sets_by_sample
from miarep.train.config import ann_columns, train_config
from miarep.train.zoo import MODEL_KINDS, fit_predict

log = logging.getLogger(__name__)


@dataclass
class RunSettings:
    """Models and evaluation of one study run (from the config's ``models`` and ``engine``)."""

    target: str
    shadow: str
    attack: str
    model_settings: Mapping[str, Mapping]
    attack_ann: Mapping
    faithful_attack_ann: Mapping | None = None
    device: str = "auto"
    chunk_models: int = 100
    fairness_pairs: int = 100_000
    risk_score_bins: int = 5
    attacks: tuple[str, ...] = registry.DEFAULT_ATTACKS
    #: shadow models of each kind per experiment (the first on the sampler's splits, the others
    #: on random splits of the same shadow records, docs/account.md T12)
    n_shadows: int = 1

    @classmethod
    def from_blocks(cls, models: Mapping, engine: Mapping, **extra) -> "RunSettings":
        """The settings the config's ``models`` and ``engine`` blocks give (``extra``: the
        evaluation's and the study's own fields)."""
        return cls(
            target=models["target"],
            shadow=models["shadow"],
            attack=models["attack"],
            model_settings={kind: models[kind] for kind in ("ann", "knn", "lr", "rf", "svm")},
            attack_ann=models["attack_ann"],
            faithful_attack_ann=models["faithful_attack_ann"],
            device=engine["device"],
            chunk_models=engine["chunk_models"],
            **extra,
        )

    def build_attacks(self) -> dict:
        """The study's attacks by name, each set up from these settings."""
        models = {
            "attack": self.attack,
            "attack_ann": self.attack_ann,
            "faithful_attack_ann": self.faithful_attack_ann or self.attack_ann,
            **self.model_settings,
        }
        engine = {"device": self.device, "chunk_models": self.chunk_models}
        evaluation = {"risk_score_bins": self.risk_score_bins}
        return {name: registry.build(name, models, engine, evaluation) for name in self.attacks}


@dataclass(frozen=True)
class ExperimentModels:
    """The target and shadow models of one experiment: the config's, changed by its model fields."""

    target: str
    shadows: list[str]
    model_settings: Mapping[str, Mapping]
    #: result-table columns of the model fields only some studies set (Table 5's)
    columns: Mapping = field(default_factory=dict)

    @classmethod
    def resolve(cls, settings: RunSettings, fields: Mapping) -> "ExperimentModels":
        """Apply an experiment's model fields (:data:`miarep.sampling.design.MODEL_FIELDS`).

        ``hidden_layers`` and ``hidden_units`` make the ANN ``hidden_layers`` layers of
        ``hidden_units`` units (a field left empty keeps the config's depth, or its first width);
        ``learning_rate``, ``l2`` and ``epochs`` replace the ANN's; ``defense`` and
        ``defense_lambda`` train it under a defense (:mod:`miarep.defenses.spec`). The ANN
        settings apply to target and shadow ANNs alike (the attacker knows the target's
        architecture and training, paper Section 3: with a defense, the adaptive attacker).
        """
        target = str(fields.get("target_model", settings.target))
        shadow = str(fields.get("shadow_model", settings.shadow))
        if target not in MODEL_KINDS or shadow not in (*MODEL_KINDS, "same", "all"):
            raise ValueError(f"unknown model kinds target={target!r}, shadow={shadow!r}")
        shadows = {"same": [target], "all": list(MODEL_KINDS)}.get(shadow, [shadow])
        ann = dict(settings.model_settings["ann"])
        hidden = list(train_config(ann).hidden)
        layers = int(fields.get("hidden_layers", len(hidden)))
        if "hidden_units" in fields or layers != len(hidden):
            hidden = [int(fields.get("hidden_units", hidden[0]))] * layers
        ann["hidden"] = hidden
        for key in ("learning_rate", "l2"):
            if key in fields:
                ann[key] = float(fields[key])
        columns = {}
        if "epochs" in fields:
            ann["epochs"] = columns["epochs"] = int(fields["epochs"])
        if "defense" in fields or "defense_lambda" in fields:
            name = str(fields.get("defense", "none"))
            lam = 0.0 if name == "none" else float(fields.get("defense_lambda", 0.0))
            ann["defense"] = {**dict(ann.get("defense") or {}), "name": name, "lambda": lam}
            columns |= {"defense": name, "defense_lambda": lam}
        return cls(target, shadows, {**settings.model_settings, "ann": ann}, columns)

    def describe(self) -> dict:
        """Result-table columns naming the models actually trained."""
        return (
            {
                "target_model": self.target,
                "shadow_model": "all" if len(self.shadows) > 1 else self.shadows[0],
            }
            | ann_columns(self.model_settings["ann"])
            | self.columns
        )


def run_study(
    table: pd.DataFrame,
    kinds: Mapping[str, str],
    long: pd.DataFrame,
    experiments: pd.DataFrame,
    pool: Pool,
    protected: np.ndarray,
    settings: RunSettings,
    root_seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train, attack and measure every experiment: one result row per experiment, and the
    per-record score table the rows' attack metrics come from."""
    if not settings.attacks:
        raise ValueError("a study needs at least one attack")
    feature_names = list(kinds)
    x = table[[ENCODED_PREFIX + f for f in feature_names]].to_numpy(np.float32)
    y = table["label"].to_numpy(np.int64)
    by_sample = index_sets_by_sample(long)
    rows = experiments.to_dict("records")
    models = [ExperimentModels.resolve(settings, model_fields_of(r)) for r in rows]
    samples = Samples(rows, by_sample, feature_names, root_seed)

    attacks = settings.build_attacks()
    splits = {attack.shadow_split for attack in attacks.values()}
    unknown = splits - set(registry.SHADOW_SPLITS)
    if unknown:
        raise ValueError(f"unknown shadow splits {sorted(unknown)} of attacks {list(attacks)}")
    if settings.n_shadows < 1:
        raise ValueError(f"n_shadows must be at least 1, got {settings.n_shadows}")
    roles = {split: _shadow_roles(split, settings.n_shadows) for split in registry.SHADOW_SPLITS}
    context = PropertyContext(
        y, protected, pool.codes, list(pool.top_features), settings.fairness_pairs
    )
    outputs = _train(models, samples, x, y, settings, roles, splits, context)
    target_out = [outputs["target", e, m.target] for e, m in enumerate(models)]
    target_sets = [samples.sets(e, "target") for e in range(len(rows))]
    inputs = {
        split: [
            _attack_input(outputs, e, m, samples, y, target_out[e], target_sets[e], roles[split])
            for e, m in enumerate(models)
        ]
        for split in sorted(splits)
    }
    attack_outputs = {}
    for name, attack in attacks.items():
        log.info("attack %s on %d experiments", name, len(rows))
        attack_outputs[name] = run_checked(attack, inputs[attack.shadow_split], root_seed)
    query = next(iter(inputs.values()))

    results, member, balanced, bounds = [], [], [], {name: [] for name in BOUNDS}
    for e, row in enumerate(rows):
        members, nonmembers = target_sets[e]
        is_member = np.r_[np.ones(len(members), bool), np.zeros(len(nonmembers), bool)]
        generator = rng(root_seed, "evaluate", *samples.key(e))
        chosen = np.zeros(len(is_member), bool)
        chosen[balanced_subset(is_member, generator)] = True
        member.append(is_member)
        balanced.append(chosen)
        for name, scores in _bounds(query[e], is_member, root_seed, samples.key(e)).items():
            bounds[name].append(scores)
        out = dict(row) | models[e].describe()
        out.update(
            _model_properties(
                target_out[e],
                y,
                members,
                nonmembers,
                pool,
                samples.masks[e],
                protected,
                settings.fairness_pairs,
                generator,
            )
        )
        out.update(_regularizer_columns(models[e], context, samples.seed("target", e, "ann")))
        for name, outs in attack_outputs.items():
            out.update({f"{name}_{key}": value for key, value in outs[e].info.items()})
        results.append(out)
    scores = score_table(
        [np.concatenate(sets) for sets in target_sets],
        member,
        balanced,
        [one.labels for one in query],
        [one.target_probs for one in query],
        attack_outputs,
        bounds,
    )
    names = [*attack_outputs, *BOUNDS]
    for out, metrics in zip(results, attack_columns(scores, names), strict=True):
        out.update(metrics)
    return pd.DataFrame(results), scores


def _train(models, samples, x, y, settings, roles: Mapping, splits: set, context=None) -> dict:
    """Every target, and the shadows of the splits the attacks use: outputs keyed (role,
    experiment, kind). The balanced shadows train in a batch of their own, so that the target
    and 75/25 shadow models train exactly as before the balanced shadows existed (the
    paper-stated attack keeps its numbers)."""
    tasks = [("target", e, m.target, m.model_settings[m.target]) for e, m in enumerate(models)]
    if "member_rate" in splits:
        tasks += _shadow_tasks(roles["member_rate"], models)
    outputs = samples.fit_unique(tasks, x, y, settings, context)
    if "balanced" in splits:
        outputs |= samples.fit_unique(
            _shadow_tasks(roles["balanced"], models), x, y, settings, context
        )
    return outputs


def _regularizer_columns(models: "ExperimentModels", context: PropertyContext, seed: int) -> dict:
    """Algorithm 1's r of a defended target: at the first epoch, its minimum, Max Diff (their
    difference, account R3) and the trajectory, one value per epoch (as JSON)."""
    ann = models.model_settings["ann"]
    defense = defense_spec(ann.get("defense"))
    if models.target != "ann" or defense.measured is None:
        return {}
    trajectory = context.trajectories[train_config(ann), defense.name, defense.lam, seed]
    return {
        "r_first": trajectory[0],
        "r_min": min(trajectory),
        "max_diff": trajectory[0] - min(trajectory),
        "r_trajectory": json.dumps([round(r, 8) for r in trajectory]),
    }


def _bounds(query: AttackInput, is_member: np.ndarray, root_seed: int, key: tuple) -> dict:
    """The oracle bounds' scores for one experiment (account E5)."""
    loss = target_loss(query.target_probs, query.labels).astype(np.float64)
    return {
        "oracle": oracle_scores(loss, is_member),
        "oracle_cv": cross_fitted_oracle_scores(loss, is_member, rng(root_seed, "oracle", *key)),
    }


def _shadow_roles(split: str, n_shadows: int) -> list[str]:
    """The roles of a split's shadows: the sampler's split, then random ones (``_k``)."""
    role = "shadow" if split == "member_rate" else "shadow_balanced"
    return [role] + [f"{role}_{k}" for k in range(1, n_shadows)]


def _shadow_tasks(roles: list[str], models: list["ExperimentModels"]) -> list[tuple]:
    return [
        (role, e, kind, m.model_settings[kind])
        for e, m in enumerate(models)
        for kind in m.shadows
        for role in roles
    ]


def _attack_input(outputs, e, chosen, samples, y, target_out, target_set, roles) -> AttackInput:
    """What the attacker has in experiment e: the target's outputs on its members then its
    non-members, and every shadow's IN records then every shadow's OUT records (account T5), of
    the shadows of one split (``roles``: split at the member rate or half and half)."""
    shadows = [(role, kind) for kind in chosen.shadows for role in roles]
    sets = [samples.sets(e, role) for role, _ in shadows]
    out = [outputs[role, e, kind] for role, kind in shadows]
    return AttackInput(
        target_probs=np.concatenate(target_out),
        labels=np.concatenate([y[target_set[0]], y[target_set[1]]]),
        key=samples.key(e),
        shadow_probs=np.concatenate([o[0] for o in out] + [o[1] for o in out]),
        shadow_labels=np.concatenate([y[m] for m, _ in sets] + [y[n] for _, n in sets]),
        shadow_member=np.repeat(
            [True, False], [sum(len(m) for m, _ in sets), sum(len(n) for _, n in sets)]
        ),
    )


class Samples:
    """Index sets, feature masks and seeds of each experiment's sample; trains each distinct
    model once (experiments of a model sweep share samples, and many share models too)."""

    def __init__(self, rows, by_sample, feature_names, root_seed):
        self.rows = rows
        self.by_sample = by_sample
        self.root_seed = root_seed
        self.masks = np.array(
            [[f in r["features"].split(";") for f in feature_names] for r in rows],
            dtype=np.float64,
        )

    def key(self, e: int) -> tuple:
        row = self.rows[e]
        return (row["dataset"], experiment_key(request_of(row)), int(row["repetition"]))

    def sets(self, e: int, role: str) -> tuple[np.ndarray, np.ndarray]:
        """(members, non-members) of a role: a split file's, or for ``<role>_<k>`` (k >= 1) a
        random split of the same records into as many members as the role's (seeded by the
        sample, role and k, so every experiment on the sample shares it)."""
        sets = self.by_sample[int(self.rows[e]["sample"])]
        base, _, k = role.rpartition("_")
        if not k.isdigit():
            return sets[f"{role}_member"], sets[f"{role}_nonmember"]
        members, nonmembers = sets[f"{base}_member"], sets[f"{base}_nonmember"]
        rows = np.concatenate([members, nonmembers])
        order = rng(self.root_seed, "resplit", role, *self.key(e)).permutation(len(rows))
        chosen = rows[order]
        return np.sort(chosen[: len(members)]), np.sort(chosen[len(members) :])

    def seed(self, role: str, e: int, kind: str) -> int:
        """The seed of a model: the target's by its sample, a shadow's by role and kind too."""
        return int_seed(
            self.root_seed, *((role,) if role == "target" else (role, kind)), *self.key(e)
        )

    def fit_unique(self, tasks, x, y, settings, context=None) -> dict:
        """Outputs (probabilities on members, on non-members) of each (role, experiment, kind)
        task; ``tasks`` holds (role, experiment, kind, model settings). Target and shadow models
        with the same settings are trained in one batch, each distinct model once; defended ANNs
        that differ only in their defense's lambda share a batch too, each with its own lambda."""
        groups: dict[tuple, dict[tuple, list[tuple]]] = {}
        settings_of: dict[tuple, Mapping] = {}
        for role, e, kind, params in tasks:
            shared, lam = _without_lambda(kind, params)
            spec = (kind, json.dumps(shared, sort_keys=True, default=list))
            settings_of.setdefault(spec, shared)
            model = (role, int(self.rows[e]["sample"]), lam)
            groups.setdefault(spec, {}).setdefault(model, []).append((role, e, kind))
        out: dict = {}
        for spec, users in groups.items():
            kind, params = spec[0], settings_of[spec]
            first = [(role, entries[0][1]) for (role, _, _), entries in users.items()]
            lambdas = [lam for _, _, lam in users]
            log.info(
                "training %d %s models (%s) for %d experiments",
                len(first),
                kind,
                _short(kind, params, lambdas),
                len({e for entries in users.values() for _, e, _ in entries}),
            )
            sets = [self.sets(e, role) for role, e in first]
            outputs = fit_predict(
                kind,
                params,
                x,
                y,
                [members for members, _ in sets],
                [list(pair) for pair in sets],
                [self.seed(role, e, kind) for role, e in first],
                self.masks[[e for _, e in first]],
                settings.device,
                settings.chunk_models,
                trainer=_trainer(kind, params, lambdas, context),
            )
            for result, entries in zip(outputs, users.values(), strict=True):
                for task in entries:
                    out[task] = result
        return out


def _trainer(kind: str, params: Mapping, lambdas: list, context) -> DefendedTrainer | None:
    """How a group of ANNs with a defense trains (None: the engine's plain fit)."""
    if kind != "ann" or not params.get("defense"):
        return None
    return DefendedTrainer(defense_spec(params["defense"]), np.asarray(lambdas), context)


def _without_lambda(kind: str, params: Mapping) -> tuple[Mapping, float | None]:
    """An ANN's settings less its defense's lambda, and that lambda (None: no defense)."""
    defense = params.get("defense") if kind == "ann" else None
    if not defense:
        return params, None
    rest = {k: v for k, v in defense.items() if k != "lambda"}
    return {**params, "defense": rest}, float(defense.get("lambda", 0.0))


def _short(kind: str, params: Mapping, lambdas=(None,)) -> str:
    """What tells one model group from another in a progress line."""
    if kind != "ann":
        return ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    config = train_config(params)  # the settings in force, defaults included
    hidden = "x".join(str(h) for h in config.hidden)
    text = f"hidden {hidden}, {config.optimizer} lr={config.learning_rate}, l2={config.l2}"
    if params.get("defense"):
        text += f", {config.epochs} epochs, defense {params['defense']['name']}"
        text += f" at lambda {sorted(set(lambdas))}"
    return text


def balanced_subset(is_member: np.ndarray, generator: np.random.Generator) -> np.ndarray:
    """All non-members and an equal random sample of members (indices into the query set)."""
    members, nonmembers = np.flatnonzero(is_member), np.flatnonzero(~is_member)
    n = min(len(members), len(nonmembers))
    chosen = generator.choice(members, n, replace=False)
    return np.sort(np.concatenate([chosen, generator.choice(nonmembers, n, replace=False)]))


def _model_properties(
    outputs, y, members, nonmembers, pool, mask, protected, n_pairs, generator
) -> dict:
    """Accuracies and the model properties of Section 3.1 for one target model."""
    probs_in, probs_out = outputs
    pred_in, pred_out = probs_in.argmax(1), probs_out.argmax(1)
    train_acc = float(np.mean(pred_in == y[members]))
    test_acc = float(np.mean(pred_out == y[nonmembers])) if len(nonmembers) else float("nan")
    columns = np.flatnonzero(mask)
    group = protected[members]
    combo = pool.codes[np.ix_(members, pool.top_features)]
    pairs = properties.sample_pairs(len(members), n_pairs, generator)
    return {
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
        "generalization_gap": float(properties.generalization_gap(train_acc, test_acc)),
        "mutual_information": float(
            properties.mutual_information_records_params(
                pool.codes[np.ix_(members, columns)], pred_in
            )
        ),
        "delta_mi": float(properties.mia_indistinguishability_deviation(pred_in, pred_out)),
        "delta_g": float(properties.group_fairness(pred_in, group)),
        "delta_p": float(properties.predictive_fairness(pred_in, y[members], group)),
        "delta_i": float(
            properties.individual_fairness(probs_in, properties.record_probabilities(combo), pairs)
        ),
    }
