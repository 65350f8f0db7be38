"""Texas Hospital Discharge PUDF 2006-2009 (Texas DSHS): acquisition checks and a streaming reader.

The DSHS data-use agreement forbids redistribution, so the workflow never downloads these files
unless the user says they accepted it (``accept_dua``) and never commits a record. The quarterly
zips (``PUDF-1Q2006-tab-delimited.zip`` ... ``PUDF-4Q2009-tab-delimited.zip``) each hold a
tab-delimited base file (the member whose name contains ``base``) with a header row; missing values
are empty, a backtick or an asterisk. Only the configured columns are read.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from miarep.core.errors import DataError, MissingRawDataError
from miarep.data import rawfiles
from miarep.data.checksums import HashingReader, mismatch_error, sha256_file
from miarep.data.download import fetch_url

log = logging.getLogger(__name__)

MISSING_MARKERS = ["", "`", "*"]
#: What to do when a quarterly zip is not the file acquisition checked.
CHANGED_REMEDY = (
    "The zip changed after the acquire_texas rule recorded it (or was damaged): put the original "
    "file back, or, if the new one is what you want, rerun acquisition with "
    "'snakemake --forcerun acquire_texas ...' so that it is checked and recorded."
)
canonical_name = rawfiles.texas_name
quarters = rawfiles.texas_quarters


def find_quarter_files(source_dir: str | Path, years: list[int]) -> dict[tuple[int, int], Path]:
    """Map (quarter, year) to the zip found in ``source_dir``; absent quarters are left out."""
    found = {}
    for (quarter, year), matches in rawfiles.texas_matches(source_dir, years).items():
        if len(matches) > 1:
            raise DataError(
                f"{source_dir}: several files for {quarter}Q{year}: {matches}; keep one"
            )
        if matches:
            found[(quarter, year)] = Path(source_dir) / matches[0]
    return found


def base_member(path: Path) -> str:
    """Name of the base-data member inside a quarterly zip."""
    try:
        with zipfile.ZipFile(path) as bundle:
            bad = bundle.testzip()
            if bad is not None:
                raise DataError(f"{path}: member {bad} is corrupt (CRC error); download it again")
            members = [
                n
                for n in bundle.namelist()
                if "base" in Path(n).name.lower() and n.lower().endswith(".txt")
            ]
    except (zipfile.BadZipFile, EOFError) as error:
        raise DataError(
            f"{path}: not a readable zip archive, probably truncated ({error}); download it again"
        ) from error
    if len(members) != 1:
        raise DataError(
            f"{path}: expected one base-data member (name containing 'base'), found {members}"
        )
    return members[0]


def read_header(path: Path, member: str) -> list[str]:
    with zipfile.ZipFile(path) as bundle, bundle.open(member) as handle:
        first = handle.readline().decode("latin-1").rstrip("\r\n")
    return first.split("\t")


def acquire(
    source_dir: str | Path,
    years: list[int],
    columns: list[str],
    accept_dua: bool,
    url_template: str,
    timeout_s: float = 600.0,
) -> dict:
    """Check (or, with the DUA accepted and a URL template, fetch) every quarterly zip.

    Returns a manifest: for each quarter its path, size, SHA-256, base member and header check.
    """
    source_dir = Path(source_dir)
    found = find_quarter_files(source_dir, years)
    missing = [qy for qy in quarters(years) if qy not in found]
    if missing and accept_dua and url_template:
        for quarter, year in missing:
            dest = source_dir / canonical_name(quarter, year)
            fetch_url(
                url_template.format(quarter=quarter, year=year, yy=f"{year % 100:02d}"),
                dest,
                timeout_s,
            )
            found[(quarter, year)] = dest
        missing = []
    if missing:
        raise MissingRawDataError(
            rawfiles.texas_missing_message(source_dir, missing, accept_dua, url_template)
        )
    manifest = {"dataset": "texas", "files": []}
    for (quarter, year), path in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
        member = base_member(path)
        header = read_header(path, member)
        absent = [c for c in columns if c not in header]
        if absent:
            raise DataError(
                f"{path}: base file {member} lacks the configured columns {absent} "
                f"(it has {len(header)} columns); fix data.texas.features"
            )
        log.info("texas: %s ok (%s, %d columns)", path.name, member, len(header))
        manifest["files"].append(
            {
                "quarter": quarter,
                "year": year,
                "path": str(path.resolve()),
                "member": member,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
                "n_columns": len(header),
            }
        )
    return manifest


def iter_base_chunks(
    manifest: dict, columns: list[str], chunk_rows: int, digests: dict[str, str] | None = None
) -> Iterator[tuple[str, pd.DataFrame]]:
    """Yield (file name, chunk of the configured columns as strings) over all quarters in order.

    Each zip is hashed while its base member streams (the rest of the zip is hashed after it) and
    must match the SHA-256 the manifest recorded; ``digests`` receives path -> SHA-256 of every
    file read, for the dataset card.
    """
    for entry in manifest["files"]:
        path = Path(entry["path"])
        if not path.is_file():
            raise DataError(
                f"{path}: file not found, though acquire_texas recorded it; put it back, or rerun "
                "with 'snakemake --forcerun acquire_texas ...' after changing data.texas"
            )
        reader = HashingReader(path)
        try:
            with (
                zipfile.ZipFile(io.BufferedReader(reader)) as bundle,
                bundle.open(entry["member"]) as handle,
            ):
                chunks = pd.read_csv(
                    handle,
                    sep="\t",
                    usecols=columns,
                    dtype=str,
                    keep_default_na=False,
                    na_values=MISSING_MARKERS,
                    quoting=csv.QUOTE_NONE,
                    encoding="latin-1",
                    chunksize=chunk_rows,
                )
                for chunk in chunks:
                    yield path.name, chunk[columns]
            actual = reader.hexdigest()
        except (zipfile.BadZipFile, EOFError, pd.errors.ParserError, ValueError) as error:
            raise DataError(
                f"{path}: could not read {entry['member']} ({error}); the file is "
                "corrupt or truncated, download it again"
            ) from error
        finally:
            reader.close()
        if actual != entry["sha256"]:
            raise mismatch_error(path, entry["sha256"], actual, CHANGED_REMEDY)
        if digests is not None:
            digests[str(path)] = actual
