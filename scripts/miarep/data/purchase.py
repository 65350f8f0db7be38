"""Kaggle "Acquire Valued Shoppers": acquisition via the Kaggle API and a streaming join.

``transactions.csv.gz`` (about 22 GB unpacked, 349,655,789 rows) is read in chunks; each chunk is
joined with ``trainHistory.csv.gz`` on the customer ``id``, which is then dropped, giving the 16
features of docs/account.md D3 (the history's ``chain`` is kept as ``history_chain``). Memory
stays at one chunk plus the sample. Kaggle's rules forbid redistribution: no record is committed.
"""

import gzip
import io
import logging
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from miarep.core.errors import DataError, MissingRawDataError
from miarep.data import rawfiles
from miarep.data.checksums import HashingReader, mismatch_error, sha256_file, verify_sha256

log = logging.getLogger(__name__)

COMPETITION_PAGE = rawfiles.KAGGLE_COMPETITION_PAGE
TRANSACTIONS_COLUMNS = [
    "id",
    "chain",
    "dept",
    "category",
    "company",
    "brand",
    "date",
    "productsize",
    "productmeasure",
    "purchasequantity",
    "purchaseamount",
]
HISTORY_COLUMNS = ["id", "chain", "offer", "market", "repeattrips", "repeater", "offerdate"]
REQUIRED_FILES = rawfiles.PURCHASE_FILES
#: What to do when a raw file is not the one acquisition checked.
CHANGED_REMEDY = (
    "The file changed after the acquire_purchase rule recorded it (or was damaged): put the "
    "original back, or, if the new one is what you want, rerun acquisition with "
    "'snakemake --forcerun acquire_purchase ...' so that it is checked and recorded."
)
#: The 16 joined columns, in output order.
JOINED_COLUMNS = [
    *TRANSACTIONS_COLUMNS[1:],
    "history_chain",
    "offer",
    "market",
    "repeattrips",
    "repeater",
    "offerdate",
]


kaggle_credentials_available = rawfiles.kaggle_credentials_available


def acquire(
    source_dir: str | Path, use_kaggle_api: bool, competition: str, timeout_s: float = 7200.0
) -> dict:
    """Check (or fetch with the Kaggle CLI) the raw files; return a manifest of checked files."""
    source_dir = Path(source_dir)
    missing = rawfiles.purchase_missing(source_dir)
    if missing and use_kaggle_api and kaggle_credentials_available():
        for name in missing:
            _kaggle_download(competition, name, source_dir, timeout_s)
        missing = rawfiles.purchase_missing(source_dir)
    if missing:
        raise MissingRawDataError(
            rawfiles.purchase_missing_message(source_dir, missing, use_kaggle_api)
        )
    manifest = {"dataset": "purchase", "files": []}
    for name, expected in zip(REQUIRED_FILES, (TRANSACTIONS_COLUMNS, HISTORY_COLUMNS), strict=True):
        path = source_dir / name
        header = read_gzip_header(path)
        if header[: len(expected)] != expected:
            raise DataError(f"{path}: header {header} is not the Kaggle layout {expected}")
        log.info("purchase: %s ok", name)
        manifest["files"].append(
            {
                "name": name,
                "path": str(path.resolve()),
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
    return manifest


def read_gzip_header(path: Path) -> list[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.readline().strip().split(",")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: not a readable gzip file ({error})") from error


def _kaggle_download(competition: str, name: str, dest: Path, timeout_s: float) -> None:
    kaggle = shutil.which("kaggle")
    if kaggle is None:
        raise MissingRawDataError(
            "Kaggle credentials were found but the 'kaggle' command is not installed: run "
            "'pip install kaggle' in the workflow's environment, or place the files by hand."
        )
    dest.mkdir(parents=True, exist_ok=True)
    command = [kaggle, "competitions", "download", "-c", competition, "-f", name, "-p", str(dest)]
    log.info("purchase: %s", " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        raise DataError(
            f"kaggle download of {name} gave no result within {timeout_s:.0f} s "
            "(data.purchase.timeout_s) and was stopped. Check the network and your Kaggle "
            f"credentials, raise the timeout, or download it from {COMPETITION_PAGE} and place it "
            f"in {dest.resolve()}."
        ) from error
    if done.returncode != 0:
        raise DataError(
            f"kaggle download of {name} failed (exit {done.returncode}): "
            f"{(done.stdout + done.stderr).strip()[-800:]}\nAccept the competition "
            f"rules at {COMPETITION_PAGE} first; Kaggle answers 403 otherwise."
        )
    zipped = dest / f"{name}.zip"
    if zipped.is_file():  # some CLI versions wrap single files in a zip
        with zipfile.ZipFile(zipped) as bundle:
            bundle.extract(name, dest)
        zipped.unlink()


def read_history(path: str | Path, sha256: str | None = None) -> pd.DataFrame:
    """The offer history, one row per customer, indexed by id, with ``chain`` renamed.

    With ``sha256`` (the manifest's), the file must still be the one acquisition checked.
    """
    if sha256 is not None:
        verify_sha256(path, sha256, CHANGED_REMEDY)
    try:
        history = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, EOFError, pd.errors.ParserError) as error:
        raise DataError(
            f"{path}: could not read ({error}); the file is corrupt or truncated"
        ) from error
    if list(history.columns[: len(HISTORY_COLUMNS)]) != HISTORY_COLUMNS:
        raise DataError(f"{path}: header {list(history.columns)} is not {HISTORY_COLUMNS}")
    if history["id"].duplicated().any():
        raise DataError(f"{path}: customer ids are not unique")
    history = history[HISTORY_COLUMNS].rename(columns={"chain": "history_chain"})
    return history.set_index("id")


def iter_joined_chunks(
    transactions: str | Path,
    history: pd.DataFrame,
    chunk_rows: int,
    sha256: str | None = None,
    digests: dict[str, str] | None = None,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield (raw rows in chunk, joined rows) where joined rows keep their raw position.

    The joined frame has the 16 JOINED_COLUMNS plus ``chunk_pos`` (the row's position in the raw
    chunk) so that callers can match rows to per-raw-row random keys. Transactions of customers
    without an offer history have no joined row. The gzip file is hashed as it streams; with
    ``sha256`` (the manifest's) a different file is an error once read, and ``digests`` receives
    path -> SHA-256 for the dataset card.
    """
    reader = HashingReader(transactions)
    try:
        with gzip.GzipFile(fileobj=io.BufferedReader(reader)) as unpacked:
            chunks = pd.read_csv(
                unpacked,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                chunksize=chunk_rows,
                encoding="utf-8",
            )
            for chunk in chunks:
                if list(chunk.columns) != TRANSACTIONS_COLUMNS:
                    raise DataError(
                        f"{transactions}: header {list(chunk.columns)} is not "
                        f"{TRANSACTIONS_COLUMNS}"
                    )
                chunk = chunk.reset_index(drop=True)
                chunk["chunk_pos"] = range(len(chunk))
                joined = chunk.join(history, on="id", how="inner")
                yield len(chunk), joined[[*JOINED_COLUMNS, "chunk_pos"]]
        actual = reader.hexdigest()
    except (OSError, EOFError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(
            f"{transactions}: could not read ({error}); the file is corrupt or "
            "truncated, download it again"
        ) from error
    finally:
        reader.close()
    if sha256 is not None and actual != sha256:
        raise mismatch_error(transactions, sha256, actual, CHANGED_REMEDY)
    if digests is not None:
        digests[str(Path(transactions))] = actual
