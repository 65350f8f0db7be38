"""The experiment runner: one study's experiments on one dataset, from split files to result rows.

All target models of the study are trained together in batches, then all shadow models, then all
attack models, so that a study of a thousand experiments costs a few batched training runs. Each
experiment's result row holds its request, what its sample achieved, the target's accuracies and
model properties, and the attack metrics under both evaluation protocols (DESIGN.md section 4):

- ``mia_*``: a balanced evaluation set, all target non-members and as many randomly chosen members,
  so 0.5 is chance (this measures leakage);
- ``paper_mia_*``: all of the target's records, 75% of them members, as in the paper (answering
  "member" always scores 0.75 here).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from miarep import properties
from miarep.attack import AttackData, shokri_attack
from miarep.design import experiment_key, request_of
from miarep.metrics import attack_metrics
from miarep.models import MODEL_KINDS, fit_predict
from miarep.preprocess import ENCODED_PREFIX
from miarep.sampling import Pool
from miarep.seeding import int_seed, rng
from miarep.splits import index_sets_by_experiment

log = logging.getLogger(__name__)


@dataclass
class RunSettings:
    """Models and evaluation of one study run (from the config's ``models`` and ``engine``)."""

    target: str
    shadow: str
    attack: str
    model_settings: Mapping[str, Mapping]
    attack_ann: Mapping
    device: str = "auto"
    chunk_models: int = 100
    fairness_pairs: int = 100_000

    def settings_for(self, kind: str) -> Mapping:
        return self.model_settings[kind]

    def shadow_kinds(self) -> list[str]:
        if self.shadow == "same":
            return [self.target]
        if self.shadow == "all":
            return list(MODEL_KINDS)
        return [self.shadow]


def run_study(
    table: pd.DataFrame,
    kinds: Mapping[str, str],
    long: pd.DataFrame,
    experiments: pd.DataFrame,
    pool: Pool,
    protected: np.ndarray,
    settings: RunSettings,
    root_seed: int,
) -> pd.DataFrame:
    """Train, attack and measure every experiment; one result row per experiment."""
    feature_names = list(kinds)
    x = table[[ENCODED_PREFIX + f for f in feature_names]].to_numpy(np.float32)
    y = table["label"].to_numpy(np.int64)
    splits = index_sets_by_experiment(long)
    rows = experiments.to_dict("records")
    keys = [(r["dataset"], experiment_key(request_of(r)), int(r["repetition"])) for r in rows]
    masks = np.array(
        [[f in r["features"].split(";") for f in feature_names] for r in rows], dtype=np.float64
    )
    ids = [int(r["experiment"]) for r in rows]
    target_members = [splits[i]["target_member"] for i in ids]
    target_nonmembers = [splits[i]["target_nonmember"] for i in ids]

    log.info("training %d target models (%s)", len(rows), settings.target)
    target_out = fit_predict(
        settings.target,
        settings.settings_for(settings.target),
        x,
        y,
        target_members,
        [[m, n] for m, n in zip(target_members, target_nonmembers, strict=True)],
        [int_seed(root_seed, "target", *key) for key in keys],
        masks,
        settings.device,
        settings.chunk_models,
    )

    shadow_parts: list[list[AttackData]] = [[] for _ in rows]
    members = [splits[i]["shadow_member"] for i in ids]
    nonmembers = [splits[i]["shadow_nonmember"] for i in ids]
    for kind in settings.shadow_kinds():
        log.info("training %d shadow models (%s)", len(rows), kind)
        outputs = fit_predict(
            kind,
            settings.settings_for(kind),
            x,
            y,
            members,
            [[m, n] for m, n in zip(members, nonmembers, strict=True)],
            [int_seed(root_seed, "shadow", kind, *key) for key in keys],
            masks,
            settings.device,
            settings.chunk_models,
        )
        for e, (probs_in, probs_out) in enumerate(outputs):
            shadow_parts[e].append(AttackData(probs_in, y[members[e]], probs_out, y[nonmembers[e]]))

    log.info("training %d attack models (%s)", 2 * len(rows), settings.attack)
    query_probs = [np.concatenate(out) for out in target_out]
    query_labels = [
        np.concatenate([y[m], y[n]]) for m, n in zip(target_members, target_nonmembers, strict=True)
    ]
    attack_settings = (
        settings.attack_ann if settings.attack == "ann" else settings.settings_for(settings.attack)
    )
    scores = shokri_attack(
        settings.attack,
        attack_settings,
        [AttackData.pooled(p) for p in shadow_parts],
        query_probs,
        query_labels,
        [[int_seed(root_seed, "attack", c, *key) for c in (0, 1)] for key in keys],
        device=settings.device,
        chunk_models=settings.chunk_models,
    )

    results = []
    for e, row in enumerate(rows):
        members, nonmembers = target_members[e], target_nonmembers[e]
        is_member = np.r_[np.ones(len(members), bool), np.zeros(len(nonmembers), bool)]
        generator = rng(root_seed, "evaluate", *keys[e])
        balanced = _balanced_subset(is_member, generator)
        out = dict(row)
        out.update(
            _model_properties(
                target_out[e],
                y,
                members,
                nonmembers,
                pool,
                masks[e],
                protected,
                settings.fairness_pairs,
                generator,
            )
        )
        out.update(attack_metrics(is_member[balanced], scores[e][balanced], prefix="mia_"))
        out.update(attack_metrics(is_member, scores[e], prefix="paper_mia_"))
        results.append(out)
    return pd.DataFrame(results)


def _balanced_subset(is_member: np.ndarray, generator: np.random.Generator) -> np.ndarray:
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
