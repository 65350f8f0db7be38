"""Discrete codes for every feature, the common ground of all data-property measures.

docs/account.md P0: categorical features keep their categories; numeric and date features are
cut into 10 quantile bins of the whole processed dataset (the pool), so that every experiment drawn
from it is measured on the same bins.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from miarep.data.encoding import ENCODED_PREFIX


def discretize(table: pd.DataFrame, kinds: Mapping[str, str], bins: int = 10) -> np.ndarray:
    """Integer codes (n_records, n_features) in the order of ``kinds``, from the ``x__`` columns.

    The encoded columns are monotone in the raw values, so categories and quantile bins are the
    same as those of the raw values.
    """
    if bins < 2:
        raise ValueError(f"need at least 2 bins, got {bins}")
    codes = np.empty((len(table), len(kinds)), dtype=np.int32)
    for j, (name, kind) in enumerate(kinds.items()):
        values = table[ENCODED_PREFIX + name].to_numpy(dtype=np.float64)
        if kind == "categorical":
            codes[:, j] = np.unique(values, return_inverse=True)[1]
        else:
            inner = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))
            codes[:, j] = np.searchsorted(inner, values, side="right")
    return codes


def combination_ids(codes: np.ndarray) -> np.ndarray:
    """One integer per distinct row of ``codes`` (records with equal codes share an id)."""
    if codes.shape[1] == 0:
        return np.zeros(len(codes), dtype=np.int64)
    return np.unique(codes, axis=0, return_inverse=True)[1].reshape(-1)
