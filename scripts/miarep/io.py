"""Atomic writes: an interrupted job never leaves a half-written file that looks complete."""

import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_open(path: str | Path, mode: str = "wb"):
    """Open a temporary file for writing that becomes ``path`` when the block succeeds."""
    with atomic_path(path) as tmp, open(tmp, mode) as handle:
        yield handle


def write_atomic(path: str | Path, writer: Callable[[Path], Any]) -> None:
    """Call ``writer(tmp_path)`` and move the result onto ``path``."""
    with atomic_path(path) as tmp:
        writer(tmp)


def write_json(path: str | Path, payload: Any) -> None:
    """Write pretty, key-sorted JSON atomically (sorted keys keep reruns byte-identical)."""
    text = json.dumps(payload, indent=2, sort_keys=True, default=_json_default) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text))


def write_parquet(path: str | Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame to Parquet atomically, without the pandas index."""
    write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


def _json_default(value: Any) -> Any:
    """Serialise numpy scalars and paths, which json refuses."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
