"""SHA-256 checks, so that a replication provably starts from the published bytes."""

import hashlib
from pathlib import Path

from miarep.errors import DataError

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks so large files need no memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: str | Path, expected: str) -> str:
    """Raise DataError naming ``path`` unless its SHA-256 equals ``expected``; return the digest."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found, so its checksum cannot be verified")
    actual = sha256_file(path)
    if actual != expected.lower():
        raise DataError(
            f"{path}: checksum mismatch (sha256 {actual}, expected {expected}; "
            f"{path.stat().st_size:,} bytes). The file is corrupt, truncated or not the published "
            "version: delete it and rerun the acquisition rule."
        )
    return actual
