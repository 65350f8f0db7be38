"""Long et al.'s encoding of a tabular dataset (docs/account.md G4): numeric features z-scored,
categorical ones one-hot, from a processed table's raw columns. The property study encodes
categories as ordinal codes instead (:mod:`miarep.data.encoding`); GMIA's neighbour search on the
reference models' logits is read on the paper's encoding."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from miarep.core.errors import DataError
from miarep.data.encoding import RAW_PREFIX


def one_hot(table: pd.DataFrame, kinds: Mapping[str, str]) -> tuple[np.ndarray, list[str]]:
    """(n, d) float32 inputs and their column names (``feature`` or ``feature=value``)."""
    columns, names = [], []
    for feature, kind in kinds.items():
        column = RAW_PREFIX + feature
        if column not in table:
            raise DataError(f"one-hot encoding: no column {column!r} in the processed table")
        raw = table[column]
        if kind == "categorical":
            values = raw.astype(str).to_numpy()
            for value in np.unique(values):
                columns.append((values == value).astype(np.float32))
                names.append(f"{feature}={value}")
        elif kind in ("numeric", "date"):
            if kind == "date":
                dates = pd.to_datetime(raw, errors="coerce", format="ISO8601")
                raw = (dates - pd.Timestamp("1970-01-01")).dt.days
            numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
            if not np.isfinite(numbers).all():
                raise DataError(f"one-hot encoding: {feature} has values that are not numbers")
            spread = numbers.std()
            columns.append((numbers - numbers.mean()) / (spread if spread > 0 else 1.0))
            names.append(feature)
        else:
            raise ValueError(f"unknown feature kind {kind!r} for {feature}")
    return np.column_stack(columns).astype(np.float32), names
