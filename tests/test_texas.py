import json

import pandas as pd
import pytest

from miarep.core.errors import DataError, MissingRawDataError
from miarep.data import texas
from miarep.data.process import DROP_MISSING, DROP_NOT_SAMPLED, process_texas
from synthetic import write_pudf, write_pudf_quarter

KINDS = {
    "THCIC_ID": "categorical",
    "DISCHARGE_QTR": "categorical",
    "TYPE_OF_ADMISSION": "categorical",
    "SOURCE_OF_ADMISSION": "categorical",
    "PAT_STATE": "categorical",
    "PUBLIC_HEALTH_REGION": "categorical",
    "PAT_STATUS": "categorical",
    "SEX_CODE": "categorical",
    "RACE": "categorical",
    "ETHNICITY": "categorical",
    "LENGTH_OF_STAY": "numeric",
    "PAT_AGE": "categorical",
    "PRINC_DIAG_CODE": "categorical",
    "RISK_MORTALITY": "categorical",
    "ILLNESS_SEVERITY": "categorical",
    "TOTAL_CHARGES": "numeric",
}


def manifest_for(tmp_path, years=(2006,), rows=60, missing_rate=0.01):
    source = tmp_path / "pudf"
    for quarter in (1, 2, 3, 4):
        for year in years:
            write_pudf_quarter(
                source, quarter, year, rows, seed=quarter + year, missing_rate=missing_rate
            )
    manifest = texas.acquire(source, list(years), list(KINDS), False, "")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path, manifest


def test_acquire_finds_every_quarter_and_checks_headers(tmp_path):
    _, manifest = manifest_for(tmp_path, years=(2006, 2007))
    assert [(f["quarter"], f["year"]) for f in manifest["files"]] == [
        (q, y) for y in (2006, 2007) for q in (1, 2, 3, 4)
    ]
    assert all(f["member"].startswith("PUDF_base") for f in manifest["files"])
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])


def test_older_file_name_spellings_are_recognised(tmp_path):
    write_pudf_quarter(tmp_path, 1, 2008, 5, 0, name="PUDF 1Q2008 tab-delimited.zip")
    write_pudf_quarter(tmp_path, 2, 2008, 5, 0, name="PUDF2Q08_update_tab.zip")
    found = texas.find_quarter_files(tmp_path, [2008])
    assert set(found) == {(1, 2008), (2, 2008)}


def test_missing_files_message_says_what_where_and_how_to_skip(tmp_path):
    write_pudf_quarter(tmp_path, 1, 2006, 5, 0)
    with pytest.raises(MissingRawDataError) as error:
        texas.acquire(tmp_path, [2006], list(KINDS), False, "")
    message = str(error.value)
    for name in ("PUDF-2Q2006-tab-delimited.zip", "PUDF-4Q2006-tab-delimited.zip"):
        assert name in message
    assert "PUDF-1Q2006" not in message
    assert "dshs.texas.gov" in message
    assert str(tmp_path.resolve()) in message
    assert "data.texas.accept_dua" in message
    assert "datasets=[adult]" in message


def test_truncated_zip_fails_naming_the_file(tmp_path):
    paths = write_pudf(tmp_path, [2006], rows=30)
    paths[2].write_bytes(paths[2].read_bytes()[:200])
    with pytest.raises(DataError, match=r"PUDF-3Q2006-tab-delimited\.zip: not a readable zip"):
        texas.acquire(tmp_path, [2006], list(KINDS), False, "")


def test_absent_configured_column_fails_naming_file_and_column(tmp_path):
    write_pudf(tmp_path, [2006], rows=5)
    with pytest.raises(DataError, match=r"PUDF-1Q2006.*lacks the configured columns \['NOPE'\]"):
        texas.acquire(tmp_path, [2006], [*KINDS, "NOPE"], False, "")


def test_process_samples_drops_missing_and_accounts_for_every_row(tmp_path):
    manifest_path, _ = manifest_for(tmp_path, rows=80, missing_rate=0.01)
    table, card = process_texas(
        manifest_path, KINDS, n_records=100, chunk_rows=37, standardize=True, root_seed=5
    )
    assert len(table) == 100 and card["n_features"] == 16
    rows = card["rows"]
    assert rows["source"] == 320
    assert rows["kept"] + sum(rows["dropped"].values()) == 320
    assert rows["dropped"][DROP_MISSING] > 0 and rows["dropped"][DROP_NOT_SAMPLED] > 0
    assert table["source_row"].is_monotonic_increasing
    assert table[[f"raw__{c}" for c in KINDS]].notna().all().all()
    assert set(table["label"]) == {0, 1}
    assert card["label"]["counts"]["1"] <= card["label"]["counts"]["0"]


def test_sample_is_reproducible_and_independent_of_chunk_size(tmp_path):
    manifest_path, _ = manifest_for(tmp_path, rows=50)
    first, _ = process_texas(manifest_path, KINDS, 90, 7, True, root_seed=11)
    again, _ = process_texas(manifest_path, KINDS, 90, 1000, True, root_seed=11)
    pd.testing.assert_frame_equal(first, again)
    other, _ = process_texas(manifest_path, KINDS, 90, 7, True, root_seed=12)
    assert not first["source_row"].equals(other["source_row"])


def test_fewer_valid_rows_than_requested_keeps_all(tmp_path):
    manifest_path, _ = manifest_for(tmp_path, rows=10, missing_rate=0.0)
    table, card = process_texas(manifest_path, KINDS, 1000, 50, True, root_seed=1)
    assert len(table) == 40 and card["rows"]["dropped"] == {}
