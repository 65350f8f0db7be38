"""Shokri et al.'s preprocessed Purchase100 and Texas100, the tarballs Nasr et al. and Song and
Mittal used (account D7): verified by their git blob SHA-1 and read into (features, labels).

- ``dataset_purchase.tgz``: one comma-separated file ``dataset_purchase``, a row per record, the
  label 1..100 first, then 600 binary features.
- ``dataset_texas.tgz``: ``texas/100/feats`` (6,169 comma-separated binary features a row) and
  ``texas/100/labels`` (the label 1..100, one a line), row for row.

Labels come back as 0..99. These are different datasets from the project's own Texas and Purchase
builds (D2, D3), which are rebuilt from the raw files with two classes. :func:`acquire` takes a
tarball the user placed, or downloads it where the machine has internet access, and verifies it
either way; :func:`read` returns the release as arrays.
"""

import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from miarep.core.errors import DataError
from miarep.data.checksums import verify_git_blob
from miarep.data.download import fetch_url

#: git blob SHA-1 of each release tarball (the files are plain blobs in privacytrustlab/datasets)
BLOB_SHA1 = {
    "dataset_purchase.tgz": "3efa7476ad5ed7ac3e558d28585a186b38fc5f19",
    "dataset_texas.tgz": "966f7ff40b24cf5912ff84759aab9adb8c25f30e",
}
N_CLASSES = 100
#: the project's name of each release -> its tarball
TARBALLS = {"purchase100": "dataset_purchase.tgz", "texas100": "dataset_texas.tgz"}
BASE_URL = "https://github.com/privacytrustlab/datasets/raw/master"


def acquire(
    name: str,
    dest_dir: str | Path,
    download: bool = True,
    base_url: str = BASE_URL,
    timeout_s: float = 600.0,
    expected: str | None = None,
) -> dict:
    """The release's tarball in ``dest_dir``, placed there by the user or downloaded, verified;
    returns its manifest entry (path, bytes, blob SHA-1, where it came from)."""
    if name not in TARBALLS:
        raise DataError(f"unknown release {name!r} (known: {sorted(TARBALLS)})")
    path = Path(dest_dir) / TARBALLS[name]
    expected = expected or BLOB_SHA1[path.name]
    source = "placed by user"
    if not path.is_file():
        if not download:
            raise DataError(
                f"{path} is missing: place Shokri's {path.name} there (git blob SHA-1 "
                f"{expected}, from {base_url}/{path.name}), or set data.{name}.download: true"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fetch_url(f"{base_url}/{path.name}", path, timeout_s)
        source = f"{base_url}/{path.name}"
    digest = verify_git_blob(path, expected)
    return {
        "file": path.name,
        "path": str(path),
        "bytes": path.stat().st_size,
        "git_blob_sha1": digest,
        "source": source,
    }


def read(name: str, path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Features (uint8) and labels (0..99) of the named release's tarball."""
    readers = {"purchase100": load_purchase100, "texas100": load_texas100}
    if name not in readers:
        raise DataError(f"unknown release {name!r} (known: {sorted(readers)})")
    return readers[name](path)


def verify_release(path: str | Path, expected: str | None = None) -> str:
    """Raise DataError unless the tarball is the published one; return its blob SHA-1."""
    path = Path(path)
    expected = expected or BLOB_SHA1.get(path.name)
    if expected is None:
        raise DataError(f"{path}: not one of the releases {sorted(BLOB_SHA1)}")
    return verify_git_blob(path, expected)


def load_purchase100(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(n, 600) uint8 features and (n,) labels 0..99 of ``dataset_purchase.tgz``."""
    with tarfile.open(path) as archive:
        rows = _rows(archive, _member(archive, path, "dataset_purchase"))
    if rows.ndim != 2 or rows.shape[1] < 2:
        raise DataError(f"{path}: dataset_purchase must have a label and features on every row")
    return _binary(rows[:, 1:], path), _labels(rows[:, 0], path)


def load_texas100(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(n, 6169) uint8 features and (n,) labels 0..99 of ``dataset_texas.tgz``."""
    with tarfile.open(path) as archive:
        features = _rows(archive, _member(archive, path, "texas/100/feats"))
        labels = _rows(archive, _member(archive, path, "texas/100/labels")).reshape(-1)
    if len(features) != len(labels):
        raise DataError(f"{path}: {len(features)} feature rows but {len(labels)} labels")
    return _binary(features, path), _labels(labels, path)


def _member(archive: tarfile.TarFile, path, suffix: str) -> tarfile.TarInfo:
    for info in archive.getmembers():
        if info.isfile() and info.name.rstrip("/").endswith(suffix):
            return info
    raise DataError(f"{path}: no member {suffix!r} (is this the published release?)")


def _rows(archive: tarfile.TarFile, info: tarfile.TarInfo) -> np.ndarray:
    """The member's comma-separated integers as uint8 (Texas100's matrix is 415 MB so, 3.3 GB as
    int64), read by pandas' C parser."""
    with archive.extractfile(info) as handle:
        try:
            frame = pd.read_csv(handle, header=None, dtype=np.uint8)
        except (ValueError, pd.errors.ParserError) as error:
            raise DataError(f"{info.name}: not comma-separated integers 0..255 ({error})") from None
    return frame.to_numpy()


def _binary(features: np.ndarray, path) -> np.ndarray:
    if not np.isin(features, (0, 1)).all():
        raise DataError(f"{path}: features must be 0 or 1")
    return features.astype(np.uint8)


def _labels(labels: np.ndarray, path) -> np.ndarray:
    if labels.min() < 1 or labels.max() > N_CLASSES:
        raise DataError(f"{path}: labels must lie in 1..{N_CLASSES}")
    return labels.astype(np.int64) - 1
