"""Per-dataset preprocessing: raw files to the processed table and its card.

Each ``process_*`` function returns ``(table, card)``; the ``preprocess`` rule writes both.
"""

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from miarep.core.errors import DataError
from miarep.core.io import read_json
from miarep.core.seeding import int_seed, rng
from miarep.data import adult, purchase, texas
from miarep.data.encoding import assemble, card, encode_features, gmm_labels
from miarep.data.streaming import BottomKSampler

log = logging.getLogger(__name__)

DROP_MISSING = "missing or invalid value in a selected feature"
DROP_NOT_SAMPLED = "not drawn in the uniform sample of n_records"
DROP_NO_HISTORY = "customer has no offer history (id not in trainHistory)"


def process_adult(
    raw_dir: str | Path,
    kinds: Mapping[str, str],
    missing: str,
    standardize: bool,
    sources: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Adult: income >50K is label 1; all 48,842 source rows accounted for.

    Both files must still have the published SHA-256; the card records the digests computed
    here and, given ``sources`` (file name -> where acquisition got it), their sources.
    """
    raw_dir = Path(raw_dir)
    digests = adult.verify_published(raw_dir)
    frame, dropped = adult.prepare(
        raw_dir / "adult.data", raw_dir / "adult.test", dict(kinds), missing
    )
    table = assemble(frame, kinds, frame["label"].to_numpy(), standardize, source="adult")
    table["split"] = frame["split"].to_numpy()
    provenance = {
        "files": {
            name: {"sha256": sha} | ({"source": sources[name]} if sources else {})
            for name, sha in digests.items()
        },
        "citation": adult.CITATION,
    }
    rows_source = sum(adult.SOURCE_ROWS.values())
    with_unknown = int(table[[f"raw__{c}" for c in kinds]].eq("?").any(axis=1).sum())
    info = card(
        "adult",
        table,
        kinds,
        rows_source,
        dropped,
        "income >50K (1) vs <=50K (0)",
        provenance,
        {"missing_policy": missing, "records_with_unknown_value": with_unknown},
    )
    return table, info


def read_manifest(manifest_path: str | Path) -> dict:
    """An acquisition manifest (damaged: an error that says how to rebuild it)."""
    return read_json(manifest_path)


def _card_files(manifest: dict, digests: Mapping[str, str]) -> list[dict]:
    """The manifest's file entries with the SHA-256 computed while reading each file."""
    return [
        {key: value for key, value in entry.items() if key != "sha256"}
        | {"sha256": digests[str(Path(entry["path"]))]}
        for entry in manifest["files"]
    ]


def process_texas(
    manifest_path: str | Path,
    kinds: Mapping[str, str],
    n_records: int,
    chunk_rows: int,
    standardize: bool,
    root_seed: int,
) -> tuple[pd.DataFrame, dict]:
    """Texas: stream all quarters, drop rows with missing values, sample, cluster labels."""
    manifest = read_manifest(manifest_path)
    columns = list(kinds)
    digests: dict[str, str] = {}
    chunks = (
        (len(chunk), chunk, np.arange(len(chunk)))
        for _, chunk in texas.iter_base_chunks(manifest, columns, chunk_rows, digests)
    )
    raw, rows_source, dropped = stream_sample(
        chunks, kinds, n_records, rng(root_seed, "sample", "texas")
    )
    return _cluster_and_card(
        "texas",
        raw,
        kinds,
        rows_source,
        dropped,
        standardize,
        root_seed,
        {"files": _card_files(manifest, digests)},
    )


def process_purchase(
    manifest_path: str | Path,
    kinds: Mapping[str, str],
    n_records: int,
    chunk_rows: int,
    standardize: bool,
    root_seed: int,
) -> tuple[pd.DataFrame, dict]:
    """Purchase: stream transactions joined with the offer history, sample, cluster labels."""
    manifest = read_manifest(manifest_path)
    entries = {entry["name"]: entry for entry in manifest["files"]}
    history_entry = entries["trainHistory.csv.gz"]
    history = purchase.read_history(history_entry["path"], history_entry["sha256"])
    transactions = entries["transactions.csv.gz"]
    digests = {str(Path(history_entry["path"])): history_entry["sha256"]}
    joined = (
        (n_raw, frame, frame["chunk_pos"].to_numpy())
        for n_raw, frame in purchase.iter_joined_chunks(
            transactions["path"], history, chunk_rows, transactions["sha256"], digests
        )
    )
    raw, rows_source, dropped = stream_sample(
        joined,
        kinds,
        n_records,
        rng(root_seed, "sample", "purchase"),
        unmatched_reason=DROP_NO_HISTORY,
    )
    return _cluster_and_card(
        "purchase",
        raw,
        kinds,
        rows_source,
        dropped,
        standardize,
        root_seed,
        {"files": _card_files(manifest, digests)},
    )


def stream_sample(
    chunks: Iterator[tuple[int, pd.DataFrame, np.ndarray]],
    kinds: Mapping[str, str],
    n_records: int,
    generator: np.random.Generator,
    unmatched_reason: str = DROP_NO_HISTORY,
) -> tuple[pd.DataFrame, int, dict[str, int]]:
    """Uniformly sample ``n_records`` valid rows from chunks of a raw stream.

    Each chunk is ``(raw rows in the chunk, candidate rows, their positions in the raw chunk)``;
    raw rows without a candidate row (e.g. failed joins) are dropped with ``unmatched_reason``.
    Returns the sample (with ``source_row``), the number of raw rows and the dropped-row counts.
    """
    sampler = BottomKSampler(n_records, generator)
    rows_source = 0
    dropped = {unmatched_reason: 0, DROP_MISSING: 0}
    for n_raw, frame, positions in chunks:
        keys = sampler.draw_keys(n_raw)
        frame = frame[list(kinds)].copy()
        frame["source_row"] = rows_source + positions
        valid = _valid_rows(frame, kinds)
        dropped[unmatched_reason] += n_raw - len(frame)
        dropped[DROP_MISSING] += int((~valid).sum())
        sampler.offer(frame[valid], keys[positions][valid])
        rows_source += n_raw
        log.info(
            "streamed %s raw rows, %s valid so far", f"{rows_source:,}", f"{sampler.offered:,}"
        )
    sample = sampler.result(order_by="source_row")
    dropped[DROP_NOT_SAMPLED] = sampler.offered - len(sample)
    if len(sample) < n_records:
        log.warning(
            "only %d valid rows, fewer than the %d requested: all are kept", len(sample), n_records
        )
    return sample, rows_source, dropped


def _valid_rows(frame: pd.DataFrame, kinds: Mapping[str, str]) -> np.ndarray:
    valid = frame[list(kinds)].notna().all(axis=1).to_numpy().copy()
    for name, kind in kinds.items():
        if kind == "numeric":
            valid &= pd.to_numeric(frame[name], errors="coerce").notna().to_numpy()
        elif kind == "date":
            valid &= (
                pd.to_datetime(frame[name], errors="coerce", format="ISO8601").notna().to_numpy()
            )
    return valid


def _cluster_and_card(
    dataset: str,
    raw: pd.DataFrame,
    kinds: Mapping[str, str],
    rows_source: int,
    dropped: dict[str, int],
    standardize: bool,
    root_seed: int,
    provenance: dict,
) -> tuple[pd.DataFrame, dict]:
    """Label by a seeded 2-component Gaussian mixture on the standardised encoded features."""
    if len(raw) < 2:
        raise DataError(
            f"{dataset}: only {len(raw)} valid rows in the raw files, too few to label by "
            f"clustering; check that data.{dataset}.features names columns of these files"
        )
    encoded = encode_features(raw, kinds, standardize=True, source=dataset).to_numpy()
    seed = int_seed(root_seed, "gmm", dataset)
    labels, gmm_info = gmm_labels(encoded, seed)
    table = assemble(raw, kinds, labels, standardize, source=dataset)
    info = card(
        dataset,
        table,
        kinds,
        rows_source,
        dropped,
        "2-component Gaussian mixture cluster on the standardised encoded features; "
        "1 = smaller component",
        provenance,
        {"gmm": gmm_info},
    )
    return table, info
