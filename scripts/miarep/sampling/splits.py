"""Drawing every experiment of an experiment table, and reading the splits back.

Split files are long tables (sample, role, row) of indices into the processed table, so that
thousands of experiments fit in one Parquet file; the experiment table gains the sample it uses,
the achieved properties and the chosen features of each experiment.
"""

import logging

import numpy as np
import pandas as pd

from miarep.core.seeding import rng
from miarep.sampling.design import experiment_key, request_of, typed
from miarep.sampling.draw import Pool, SamplingError, Split, draw

log = logging.getLogger(__name__)

ROLES = [
    "target_member",
    "target_nonmember",
    "shadow_member",
    "shadow_nonmember",
    "shadow_balanced_member",
    "shadow_balanced_nonmember",
]


def draw_all(
    design: pd.DataFrame, pool: Pool, root_seed: int, where: str = "study"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw each experiment; return (long split table, design with achieved properties).

    Experiments with the same request and repetition (a model sweep) share one draw: the long
    table is keyed by ``sample`` and the experiment table says which sample each one uses. A
    request the pool cannot satisfy is a SamplingError naming ``where`` (the study and dataset),
    the experiment and what to change.
    """
    design = typed(design).reset_index(drop=True)
    parts, achieved, sample_of, drawn = [], [], [], {}
    for position, row in enumerate(design.to_dict("records")):
        request = request_of(row)
        key = (row["dataset"], experiment_key(request), int(row["repetition"]))
        if key not in drawn:
            try:
                split = draw(pool, request, rng(root_seed, "sample", *key))
            except SamplingError as error:
                raise SamplingError(
                    f"{where}, experiment {row['experiment']}: {error}. Change this study's "
                    "base or grid (or its per-dataset overrides) in the config so that the pool "
                    "can satisfy it."
                ) from error
            drawn[key] = (len(drawn), split)
            parts.extend(_long_rows(len(drawn) - 1, split))
        sample, split = drawn[key]
        sample_of.append(sample)
        achieved.append(
            {f"achieved_{name}": value for name, value in split.achieved.items()}
            | {"features": ";".join(split.features)}
        )
        if (position + 1) % 100 == 0:
            log.info(
                "drew %d of %d experiments (%d samples)", position + 1, len(design), len(drawn)
            )
    long = pd.concat(parts, ignore_index=True)
    long["role"] = pd.Categorical(long["role"], categories=ROLES)
    table = pd.concat([design, pd.DataFrame(achieved)], axis=1)
    table.insert(1, "sample", np.array(sample_of, dtype=np.int64))
    return long, table


def _long_rows(sample: int, split: Split) -> list[pd.DataFrame]:
    return [
        pd.DataFrame({"sample": np.int32(sample), "role": role, "row": rows.astype(np.int32)})
        for role, rows in split.roles().items()
    ]


def index_sets_by_sample(long: pd.DataFrame) -> dict[int, dict[str, np.ndarray]]:
    """sample -> role -> sorted row indices, from a long split table (every role present)."""
    out: dict[int, dict[str, np.ndarray]] = {}
    for (sample, role), rows in long.groupby(["sample", "role"], observed=True)["row"]:
        out.setdefault(int(sample), {})[role] = np.sort(rows.to_numpy(dtype=np.int64))
    for roles in out.values():
        for role in ROLES:
            roles.setdefault(role, np.zeros(0, dtype=np.int64))
    return out


def read_split(long: pd.DataFrame, sample: int, features: str) -> Split:
    """The Split of one sample from a long split table (achieved properties not included)."""
    by_role = index_sets_by_sample(long[long["sample"] == sample])[sample]
    return Split(
        *(by_role[role] for role in ROLES[:4]),
        features=features.split(";"),
        achieved={},
        shadow_balanced_members=by_role["shadow_balanced_member"],
        shadow_balanced_nonmembers=by_role["shadow_balanced_nonmember"],
    )


def pool_summary(pool: Pool) -> dict:
    """What every experiment of a pool shares: the top-MI features and c*."""
    return {
        "top_features": [pool.feature_names[j] for j in pool.top_features],
        "combination_codes": [int(c) for c in pool.combination],
        "combination_share_percent": 100.0 * float(pool.has_combination.mean()),
        "pool_size": len(pool.labels),
        "pool_share_label_1_percent": 100.0 * float(np.mean(pool.labels == 1)),
    }
