"""Digests of a run's result tables, so that "no result changed" is checked, not remembered.

Every table a run writes (processed data, splits, experiment tables, result tables, the numbers
behind each figure and table) gets one SHA-256 per column over the column's dtype and exact
bytes, and its row count. Two runs with equal digests wrote bitwise-equal tables; where they
differ, the digest names the table and the column. Timings, logs and JSON cards (which hold
paths and sources that differ between machines) are left out on purpose.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from miarep.core.io import read_csv, read_parquet

_SEPARATOR = b"\x1f"


def column_digest(values: pd.Series) -> str:
    """SHA-256 of a column: its dtype, then its values' bytes (text values as UTF-8 reprs)."""
    digest = hashlib.sha256(str(values.dtype).encode())
    if values.dtype.kind in "biufcmM":
        digest.update(np.ascontiguousarray(values.to_numpy()).tobytes())
    else:
        for value in values.astype(object):
            digest.update(repr(value).encode("utf-8") + _SEPARATOR)
    return digest.hexdigest()


def frame_digest(frame: pd.DataFrame) -> dict:
    """Row count and one digest per column, in column order."""
    return {
        "rows": len(frame),
        "columns": {str(name): column_digest(frame[name]) for name in frame.columns},
    }


def table_digests(paths: Iterable[str | Path], root: str | Path = ".") -> dict[str, dict]:
    """Digest of every Parquet or CSV table, keyed by its path relative to ``root``."""
    root = Path(root).resolve()
    out = {}
    for path in sorted(Path(p) for p in paths):
        if path.suffix == ".parquet":
            frame = read_parquet(path)
        elif path.suffix == ".csv":
            frame = read_csv(path)
        else:
            raise ValueError(f"{path}: only .parquet and .csv tables are digested")
        key = path.resolve().relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
        out[key] = frame_digest(frame)
    return out


def differences(baseline: Mapping[str, dict], current: Mapping[str, dict]) -> list[str]:
    """What differs between two digest sets, one line per table or column; empty if equal."""
    lines = []
    for table in sorted(set(baseline) | set(current)):
        if table not in current:
            lines.append(f"{table}: in the baseline only")
        elif table not in baseline:
            lines.append(f"{table}: new (not in the baseline)")
        else:
            old, new = baseline[table], current[table]
            if old["rows"] != new["rows"]:
                lines.append(f"{table}: {old['rows']} rows in the baseline, {new['rows']} now")
            for column in sorted(set(old["columns"]) | set(new["columns"])):
                if old["columns"].get(column) != new["columns"].get(column):
                    state = (
                        "missing now"
                        if column not in new["columns"]
                        else "new"
                        if column not in old["columns"]
                        else "values differ"
                    )
                    lines.append(f"{table}: column {column}: {state}")
    return lines


def config_digest(config: Mapping) -> str:
    """SHA-256 of the config in force (key-sorted JSON), so digests say which protocol made them."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def run_digests(paths: Iterable[str | Path], config: Mapping, root: str | Path = ".") -> dict:
    """What the ``digests`` rule writes: the config's digest and every table's digests."""
    return {"config_sha256": config_digest(config), "tables": table_digests(paths, root)}
