"""From raw records to the analysis-ready table every experiment samples from.

The processed table keeps, per record: ``source_row`` (its position in the raw source, for audit),
``raw__<feature>`` (the original value, used by every property measure), ``x__<feature>`` (the
encoded float32 model input) and ``label`` (0/1). A JSON card beside it accounts for every source
row (kept, or dropped with a reason) and describes features and labels.

Encoding (docs/account.md D5): categorical features are ordinal-encoded by sorted value,
dates become days since 1970-01-01, and every encoded column is standardised (z-score).
Purchase and Texas labels are a 2-component Gaussian mixture on the encoded features
(docs/account.md D4); label 1 is the smaller component so that "class balance" reads as the
minority share.
"""

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from miarep.core.errors import DataError

log = logging.getLogger(__name__)

FEATURE_KINDS = ("categorical", "numeric", "date")
RAW_PREFIX = "raw__"
ENCODED_PREFIX = "x__"


def encode_features(
    raw: pd.DataFrame, kinds: Mapping[str, str], standardize: bool = True, source: str = "data"
) -> pd.DataFrame:
    """Encode each feature of ``raw`` by its kind into float columns named ``x__<feature>``."""
    encoded = {}
    for name, kind in kinds.items():
        if name not in raw.columns:
            raise DataError(f"{source}: feature {name!r} not found (columns: {list(raw.columns)})")
        column = raw[name]
        if kind == "categorical":
            values = column.astype(str)
            categories = np.sort(values.unique())
            numbers = np.searchsorted(categories, values.to_numpy()).astype(np.float64)
        elif kind == "numeric":
            numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
            _require_finite(numbers, column, name, source)
        elif kind == "date":
            dates = pd.to_datetime(column, errors="coerce", format="ISO8601")
            numbers = ((dates - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=np.float64)
            _require_finite(numbers, column, name, source)
        else:
            raise ValueError(f"unknown feature kind {kind!r} for {name} (use {FEATURE_KINDS})")
        if standardize:
            spread = numbers.std()
            numbers = (numbers - numbers.mean()) / (spread if spread > 0 else 1.0)
        encoded[ENCODED_PREFIX + name] = numbers.astype(np.float32)
    return pd.DataFrame(encoded, index=raw.index)


def _require_finite(numbers: np.ndarray, column: pd.Series, name: str, source: str) -> None:
    bad = ~np.isfinite(numbers)
    if bad.any():
        first = int(bad.argmax())
        raise DataError(
            f"{source}: feature {name!r} has a value that is not a valid "
            f"{'number' if column.dtype != 'datetime64[ns]' else 'date'} "
            f"({column.iloc[first]!r}, row {first})"
        )


def gmm_labels(encoded: np.ndarray, seed: int, n_init: int = 1) -> tuple[np.ndarray, dict]:
    """Cluster records into 2 Gaussian-mixture components; label 1 is the smaller component."""
    mixture = GaussianMixture(
        n_components=2, covariance_type="full", n_init=n_init, random_state=seed
    )
    components = mixture.fit_predict(encoded.astype(np.float64))
    minority = int(np.argmin(np.bincount(components, minlength=2)))
    labels = (components == minority).astype(np.int8)
    info = {
        "method": "GaussianMixture(n_components=2, covariance_type='full')",
        "seed": int(seed),
        "n_init": int(n_init),
        "converged": bool(mixture.converged_),
        "weights": [float(w) for w in mixture.weights_],
    }
    return labels, info


def assemble(
    raw: pd.DataFrame,
    kinds: Mapping[str, str],
    labels: np.ndarray,
    standardize: bool = True,
    source: str = "data",
) -> pd.DataFrame:
    """The processed table: source_row, raw__*, x__* and label, in source order."""
    if "source_row" not in raw.columns:
        raise ValueError("raw records need a source_row column")
    raw = raw.reset_index(drop=True)
    encoded = encode_features(raw, kinds, standardize=standardize, source=source)
    raw_part = raw[list(kinds)].rename(columns=lambda c: RAW_PREFIX + c)
    table = pd.concat([raw[["source_row"]], raw_part, encoded], axis=1)
    table["label"] = np.asarray(labels, dtype=np.int8)
    return table


def card(
    dataset: str,
    table: pd.DataFrame,
    kinds: Mapping[str, str],
    rows_source: int,
    dropped: Mapping[str, int],
    label_definition: str,
    provenance: dict,
    extra: dict | None = None,
) -> dict:
    """The dataset card; raises if the source rows are not all accounted for."""
    dropped = {reason: int(count) for reason, count in dropped.items() if count}
    if rows_source != len(table) + sum(dropped.values()):
        raise AssertionError(
            f"{dataset}: {rows_source} source rows but {len(table)} kept and "
            f"{sum(dropped.values())} dropped"
        )
    counts = np.bincount(table["label"].to_numpy(), minlength=2)
    features = [
        {
            "name": name,
            "kind": kind,
            "distinct_values": int(table[RAW_PREFIX + name].nunique(dropna=False)),
            "missing_values": int(table[RAW_PREFIX + name].isna().sum()),
        }
        for name, kind in kinds.items()
    ]
    return {
        "dataset": dataset,
        "rows": {"source": int(rows_source), "kept": len(table), "dropped": dropped},
        "n_features": len(kinds),
        "features": features,
        "label": {
            "definition": label_definition,
            "counts": {"0": int(counts[0]), "1": int(counts[1])},
            "share_of_label_1": float(counts[1] / max(len(table), 1)),
        },
        "provenance": provenance,
        **(extra or {}),
    }
