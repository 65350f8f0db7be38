"""Per-record scores: every target record of every experiment of a study, in one wide table.

Columns: ``experiment`` (row of the study's result table), ``record`` (row of the processed
dataset), ``member`` (in the target's training set), ``balanced`` (in the balanced evaluation
subset, docs/account.md E1), ``label``, the target's ``target_loss`` (log-loss) and
``target_p_true`` (probability of the true label), and for each attack ``score_<attack>`` (its
member score) and ``decision_<attack>`` (called a member). The oracle bounds (``oracle``,
``oracle_cv``: a loss threshold chosen on the target's own truth, docs/account.md E5) have the
same two columns; they are bounds, not attacks. The result tables' attack metrics are computed
from exactly these columns (:func:`attack_columns`), so anyone can recompute them, or compute
others, from this table alone.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from miarep.measures.metrics import attack_metrics

#: the smallest probability a log-loss sees (the float32 engine's clipping)
EPS = float(np.finfo(np.float32).eps)
#: the bounds beside the attacks: in-sample and cross-fitted oracle loss thresholds
BOUNDS = ("oracle", "oracle_cv")


def target_loss(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One experiment's per-record log-loss as the table stores it (float32, computed in the
    experiment's own dtype), so that the oracle bounds can be recomputed from the table."""
    p_true = np.asarray(probs)[np.arange(len(labels)), labels]
    return (-np.log(np.clip(p_true, EPS, 1.0))).astype(np.float32)


def score_table(
    records: Sequence[np.ndarray],
    member: Sequence[np.ndarray],
    balanced: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    target_probs: Sequence[np.ndarray],
    attacks: Mapping[str, Sequence],
    bounds: Mapping[str, Sequence[np.ndarray]] | None = None,
) -> pd.DataFrame:
    """The table of one study: list entries are per experiment, ``attacks`` maps an attack's
    name to its :class:`AttackOutput` per experiment, ``bounds`` a bound's name to its scores
    per experiment (a record is called a member where its score is >= 0)."""
    sizes = [len(r) for r in records]
    label = np.concatenate(labels).astype(np.int64)
    probs = np.concatenate(target_probs)
    p_true = probs[np.arange(len(label)), label]
    columns = {
        "experiment": np.repeat(np.arange(len(sizes), dtype=np.int32), sizes),
        "record": np.concatenate(records).astype(np.int32),
        "member": np.concatenate(member).astype(bool),
        "balanced": np.concatenate(balanced).astype(bool),
        "label": label.astype(np.int8),
        # per experiment: a study mixing float32 ANNs and float64 sklearn models would
        # otherwise take every loss in float64
        "target_loss": np.concatenate(
            [target_loss(p, y) for p, y in zip(target_probs, labels, strict=True)]
        ),
        "target_p_true": p_true.astype(np.float32),
    }
    for name, outputs in attacks.items():
        columns[f"score_{name}"] = np.concatenate([o.scores for o in outputs]).astype(np.float32)
        columns[f"decision_{name}"] = np.concatenate([o.decisions for o in outputs]).astype(bool)
    for name, parts in (bounds or {}).items():
        score = np.concatenate(parts)
        columns[f"score_{name}"] = score.astype(np.float32)
        columns[f"decision_{name}"] = score >= 0
    return pd.DataFrame(columns)


def attack_columns(scores: pd.DataFrame, attacks: Sequence[str]) -> list[dict]:
    """Each experiment's attack metrics from the score table, for every attack (or bound):
    ``<attack>_mia_*`` on the balanced subset and ``<attack>_paper_mia_*`` on all records
    (account E1)."""
    experiment = scores["experiment"].to_numpy()
    n_experiments = int(experiment.max()) + 1 if len(experiment) else 0
    bounds = np.searchsorted(experiment, np.arange(n_experiments + 1))
    member = scores["member"].to_numpy()
    balanced = scores["balanced"].to_numpy()
    out = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        row: dict = {}
        part = slice(start, stop)
        chosen = balanced[part]
        for name in attacks:
            prefix = f"{name}_"
            score = scores[f"score_{name}"].to_numpy()[part].astype(np.float64)
            decision = scores[f"decision_{name}"].to_numpy()[part]
            row.update(
                attack_metrics(
                    member[part][chosen], score[chosen], decision[chosen], prefix=f"{prefix}mia_"
                )
            )
            row.update(attack_metrics(member[part], score, decision, prefix=f"{prefix}paper_mia_"))
        out.append(row)
    return out
