"""Experiment tables: a study in the config expanded into one row per experiment.

A study is ``{base: {...}, grid: {field: [values]}, repetitions: r}``; every combination of the
grid values, on top of the base request, is repeated r times. Fields are of two sorts:

- request fields (:data:`REQUEST_FIELDS`) say what data an experiment samples;
- model fields (:data:`MODEL_FIELDS`) change its models from the config's ``models`` block (the
  model sweeps of Section 4.2: Figure 8, Tables 2 and 3; Table 5's defenses and early-stopping
  checkpoints). Empty means "as the config says".

``grid`` may also be a list of grids: the study is then the union of their products, in order
(Table 5 crosses its defenses with a lambda grid, and its checkpoints with nothing).

An experiment's random streams are derived from the root seed, its request and its repetition
(:func:`experiment_key`), never from its model fields: experiments that differ only in their
models share one sample (and their models their initial seeds), so a model sweep compares models
on the same data.
"""

import itertools
from collections.abc import Mapping

import pandas as pd

from miarep.sampling.draw import SamplingRequest

REQUEST_FIELDS = [
    "target_size",
    "shadow_size",
    "class_balance",
    "feature_balance",
    "n_features",
    "member_rate",
]
# Model field -> its type in the experiment table
MODEL_FIELDS = {
    "target_model": "string",
    "shadow_model": "string",
    "hidden_layers": "Int64",
    "hidden_units": "Int64",
    "learning_rate": "float64",
    "l2": "float64",
    "epochs": "Int64",
    "defense": "string",
    "defense_lambda": "float64",
}
#: model fields that are columns of a study's table only where the study sets them (Table 5's)
OPTIONAL_FIELDS = ("epochs", "defense", "defense_lambda")


def expand_study(study: Mapping, dataset: str, member_rate: float) -> pd.DataFrame:
    """One row per experiment: ``experiment``, ``dataset``, request and model fields, repetition.

    ``study["overrides"][dataset]`` may replace base fields and grids for one dataset (the paper
    uses 1K-10K records on Adult but 10K-100K on Purchase and Texas).
    """
    override = dict(study.get("overrides", {}).get(dataset, {}))
    base = {"member_rate": member_rate, **dict(study.get("base", {}))}
    base |= dict(override.get("base", {}))
    grids = study.get("grid", {})
    grids = [grids] if isinstance(grids, Mapping) else list(grids)
    extra = dict(override.get("grid", {}))
    known = [*REQUEST_FIELDS, *MODEL_FIELDS]
    rows = []
    for one in grids:
        grid = dict(one) | extra
        unknown = (set(base) | set(grid)) - set(known)
        if unknown:
            raise ValueError(f"unknown experiment fields {sorted(unknown)} (use {known})")
        names = list(grid)
        for values in itertools.product(*(grid[name] for name in names)):
            fields = {field: None for field in known} | base | dict(zip(names, values, strict=True))
            # validate early, with the offending request in the message
            SamplingRequest(**{field: fields[field] for field in REQUEST_FIELDS})
            for repetition in range(int(study.get("repetitions", 1))):
                rows.append({"dataset": dataset, **fields, "repetition": repetition})
    used = {name for row in rows for name in OPTIONAL_FIELDS if row[name] is not None}
    columns = [f for f in known if f not in OPTIONAL_FIELDS or f in used]
    table = pd.DataFrame(rows, columns=["dataset", *columns, "repetition"])
    table.insert(0, "experiment", range(len(table)))
    return typed(table)


def typed(table: pd.DataFrame) -> pd.DataFrame:
    """The experiment table with its column types restored (a CSV round trip loses them)."""
    types = {field: "float64" for field in ("class_balance", "feature_balance", "member_rate")}
    types |= {field: "Int64" for field in ("target_size", "shadow_size", "n_features")}
    types |= MODEL_FIELDS
    return table.astype({column: kind for column, kind in types.items() if column in table})


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


def model_fields_of(row: Mapping) -> dict:
    """The model fields an experiment-table row sets (empty ones are left out)."""
    return {field: row[field] for field in MODEL_FIELDS if field in row and not pd.isna(row[field])}


def experiment_key(request: SamplingRequest) -> str:
    """A canonical text key of a request, used to derive its seed."""
    return "|".join(f"{field}={getattr(request, field)}" for field in REQUEST_FIELDS)
