"""Atomic writes and checked reads.

An interrupted job never leaves a half-written file that looks complete, every output gets the
permissions the user's umask asks for, and a damaged intermediate file is reported by name with
what to do, not as a parser traceback.
"""

import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from miarep.core.errors import DataError


def current_umask() -> int:
    """The process's umask (read from /proc on Linux, so no thread ever sees it changed)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds.

    ``mkstemp`` creates its file with mode 0600; the result gets ``0666 & ~umask`` instead, the
    mode an ordinary ``open()`` would have given it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o666 & ~current_umask())
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


def write_parquet(path: str | Path, frame: pd.DataFrame, compression: str = "snappy") -> None:
    """Write a DataFrame to Parquet atomically, without the pandas index."""
    write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False, compression=compression))


def _checked_read(path: str | Path, kind: str, reader: Callable[[Path], Any], errors: tuple) -> Any:
    """``reader(path)``, with a missing or damaged file turned into a DataError naming it."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found; rerun the rule that writes it")
    try:
        return reader(path)
    except errors as error:
        raise DataError(
            f"{path}: not a readable {kind} file ({type(error).__name__}: {error}). The workflow "
            "wrote it atomically, so it was changed or damaged afterwards: delete it and rerun "
            "the same command, and Snakemake rebuilds it."
        ) from error


def read_parquet(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a Parquet file the workflow wrote; a damaged file is a DataError naming it."""
    # pyarrow's errors derive from OSError and ValueError
    reader = lambda p: pd.read_parquet(p, **kwargs)  # noqa: E731
    return _checked_read(path, "Parquet", reader, (OSError, ValueError, TypeError))


def read_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV file the workflow wrote; a damaged file is a DataError naming it."""
    reader = lambda p: pd.read_csv(p, **kwargs)  # noqa: E731
    return _checked_read(path, "CSV", reader, (OSError, ValueError, UnicodeDecodeError))


def read_json(path: str | Path) -> Any:
    """Read a JSON file the workflow wrote; a damaged file is a DataError naming it."""
    return _checked_read(path, "JSON", lambda p: json.loads(p.read_text()), (OSError, ValueError))


def _json_default(value: Any) -> Any:
    """Serialise numpy scalars and paths, which json refuses."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
