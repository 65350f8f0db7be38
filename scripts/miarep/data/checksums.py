"""Checksums (SHA-256; git blob SHA-1 for releases kept in git), so that a replication provably
starts from the published bytes."""

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from miarep.core.errors import DataError

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks so large files need no memory."""
    return _file_digest(path, hashlib.sha256())


def git_blob_sha1(path: str | Path) -> str:
    """What ``git hash-object`` prints for the file: SHA-1 of ``blob <size>\\0`` and the bytes."""
    return _file_digest(path, hashlib.sha1(f"blob {Path(path).stat().st_size}\0".encode()))


def _file_digest(path: str | Path, digest) -> str:
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


#: What to do about a raw file that is not the published one.
REPLACE_REMEDY = (
    "The file is corrupt, truncated or not the published version: delete it and rerun the "
    "acquisition rule (it downloads the file again where it can), or put the published file there."
)


def verify_sha256(path: str | Path, expected: str, remedy: str = REPLACE_REMEDY) -> str:
    """Raise DataError naming ``path`` unless its SHA-256 equals ``expected``; return the digest."""
    return _verify(path, expected, sha256_file, "sha256", remedy)


def verify_git_blob(path: str | Path, expected: str, remedy: str = REPLACE_REMEDY) -> str:
    """Raise DataError naming ``path`` unless its git blob SHA-1 equals ``expected``."""
    return _verify(path, expected, git_blob_sha1, "git blob sha1", remedy)


def _verify(path, expected: str, digest_of: Callable[[Path], str], kind: str, remedy: str) -> str:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found, so its checksum cannot be verified")
    actual = digest_of(path)
    if actual != expected.lower():
        raise mismatch_error(path, expected, actual, remedy, kind)
    return actual


def mismatch_error(
    path: str | Path, expected: str, actual: str, remedy: str, kind: str = "sha256"
) -> DataError:
    """The one message for a file whose bytes are not the ones recorded for it."""
    path = Path(path)
    size = f"{path.stat().st_size:,} bytes" if path.is_file() else "file gone"
    return DataError(
        f"{path}: checksum mismatch ({kind} {actual}, expected {expected}; {size}). {remedy}"
    )


class HashingReader(io.RawIOBase):
    """A read-only, seekable view of a file that hashes its bytes as a reader consumes them.

    Bytes read contiguously from the start are hashed on the way through, so a parser that streams
    a file (a gzip stream, a zip member stored first) gets the file's SHA-256 without a second
    pass; :meth:`hexdigest` reads only what was skipped, from the first unread byte to the end.
    """

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self._file = open(self.path, "rb")  # noqa: SIM115 (closed by close())
        self._digest = hashlib.sha256()
        self._hashed = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer) -> int:
        start = self._file.tell()
        count = self._file.readinto(buffer)
        if count and start <= self._hashed < start + count:
            self._digest.update(memoryview(buffer)[self._hashed - start : count])
            self._hashed = start + count
        return count

    def hexdigest(self) -> str:
        """SHA-256 of the whole file (hashing what the reader has not consumed yet)."""
        position = self._file.tell()
        self._file.seek(self._hashed)
        while chunk := self._file.read(_CHUNK):
            self._digest.update(chunk)
            self._hashed += len(chunk)
        self._file.seek(position)
        return self._digest.copy().hexdigest()

    def close(self) -> None:
        self._file.close()
        super().close()
