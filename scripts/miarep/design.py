"""Experiment tables: a study in the config expanded into one row per experiment.

A study is ``{base: {...}, grid: {field: [values]}, repetitions: r}``; every combination of the
grid values, on top of the base request, is repeated r times. Each row carries its request fields
and a repetition number; its random stream is derived from the root seed and the request itself
(:func:`experiment_key`), so the same experiment gets the same data in every study that contains it.
"""

import itertools
from collections.abc import Mapping

import pandas as pd

from miarep.sampling import SamplingRequest

REQUEST_FIELDS = [
    "target_size",
    "shadow_size",
    "class_balance",
    "feature_balance",
    "n_features",
    "member_rate",
]


def expand_study(study: Mapping, dataset: str, member_rate: float) -> pd.DataFrame:
    """One row per experiment: ``experiment``, ``dataset``, the request fields, ``repetition``.

    ``study["overrides"][dataset]`` may replace base fields and grids for one dataset (the paper
    uses 1K-10K records on Adult but 10K-100K on Purchase and Texas).
    """
    override = dict(study.get("overrides", {}).get(dataset, {}))
    base = {"member_rate": member_rate, **dict(study.get("base", {}))}
    base |= dict(override.get("base", {}))
    grid = dict(study.get("grid", {})) | dict(override.get("grid", {}))
    unknown = set(base) | set(grid)
    unknown -= set(REQUEST_FIELDS)
    if unknown:
        raise ValueError(f"unknown experiment fields {sorted(unknown)} (use {REQUEST_FIELDS})")
    names = list(grid)
    rows = []
    for values in itertools.product(*(grid[name] for name in names)):
        request = (
            {field: None for field in REQUEST_FIELDS} | base | dict(zip(names, values, strict=True))
        )
        SamplingRequest(**request)  # validate early, with the offending request in the message
        for repetition in range(int(study.get("repetitions", 1))):
            rows.append({"dataset": dataset, **request, "repetition": repetition})
    table = pd.DataFrame(rows, columns=["dataset", *REQUEST_FIELDS, "repetition"])
    table.insert(0, "experiment", range(len(table)))
    for column in ("class_balance", "feature_balance", "member_rate"):
        table[column] = table[column].astype("float64")
    for column in ("target_size", "shadow_size", "n_features"):
        table[column] = table[column].astype("Int64")
    return table


def request_of(row: Mapping) -> SamplingRequest:
    """The SamplingRequest of one experiment-table row (NaN/NA fields mean "as the pool has it")."""
    values = {}
    for field in REQUEST_FIELDS:
        value = row[field]
        values[field] = None if pd.isna(value) else value
    for field in ("target_size", "shadow_size", "n_features"):
        if values[field] is not None:
            values[field] = int(values[field])
    for field in ("class_balance", "feature_balance", "member_rate"):
        if values[field] is not None:
            values[field] = float(values[field])
    return SamplingRequest(**values)


def experiment_key(request: SamplingRequest) -> str:
    """A canonical text key of a request, used to derive its seed."""
    return "|".join(f"{field}={getattr(request, field)}" for field in REQUEST_FIELDS)
