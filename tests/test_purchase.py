import json

import pandas as pd
import pytest

from miarep.core.errors import DataError, MissingRawDataError
from miarep.data import purchase
from miarep.data.process import DROP_NO_HISTORY, DROP_NOT_SAMPLED, process_purchase
from synthetic import write_kaggle

KINDS = {
    "chain": "categorical",
    "dept": "categorical",
    "category": "categorical",
    "company": "categorical",
    "brand": "categorical",
    "date": "date",
    "productsize": "numeric",
    "productmeasure": "categorical",
    "purchasequantity": "numeric",
    "purchaseamount": "numeric",
    "history_chain": "categorical",
    "offer": "categorical",
    "market": "categorical",
    "repeattrips": "numeric",
    "repeater": "categorical",
    "offerdate": "date",
}


@pytest.fixture
def no_kaggle(monkeypatch, tmp_path):
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.delenv("KAGGLE_KEY", raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle"))


def manifest_for(tmp_path, customers=40, transactions=600):
    source = tmp_path / "kaggle"
    write_kaggle(source, customers, transactions, seed=3)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(purchase.acquire(source, False, "x")))
    return path


def test_joined_columns_are_the_16_features():
    assert len(purchase.JOINED_COLUMNS) == 16
    assert list(KINDS) == purchase.JOINED_COLUMNS


def test_acquire_checks_headers(tmp_path):
    manifest = json.loads(manifest_for(tmp_path).read_text())
    assert [f["name"] for f in manifest["files"]] == list(purchase.REQUIRED_FILES)


def test_missing_files_message(tmp_path, no_kaggle):
    with pytest.raises(MissingRawDataError) as error:
        purchase.acquire(tmp_path, True, "acquire-valued-shoppers-challenge")
    message = str(error.value)
    assert "transactions.csv.gz" in message and "trainHistory.csv.gz" in message
    assert "kaggle.com/c/acquire-valued-shoppers-challenge" in message
    assert str(tmp_path.resolve()) in message
    assert "KAGGLE_USERNAME" in message
    assert "datasets=[adult]" in message


def test_wrong_header_fails_naming_the_file(tmp_path):
    write_kaggle(tmp_path, 5, 10)
    import gzip

    with gzip.open(tmp_path / "trainHistory.csv.gz", "wt") as handle:
        handle.write("customer,offer\n1,2\n")
    with pytest.raises(DataError, match=r"trainHistory\.csv\.gz: header"):
        purchase.acquire(tmp_path, False, "x")


def test_truncated_transactions_fail_naming_the_file(tmp_path):
    manifest = manifest_for(tmp_path, transactions=3000)
    tx = tmp_path / "kaggle" / "transactions.csv.gz"
    tx.write_bytes(tx.read_bytes()[: tx.stat().st_size // 2])
    with pytest.raises(DataError, match=r"transactions\.csv\.gz: could not read"):
        process_purchase(manifest, KINDS, 100, 500, True, root_seed=1)


def test_process_joins_samples_and_accounts(tmp_path):
    manifest = manifest_for(tmp_path, transactions=800)
    table, card = process_purchase(manifest, KINDS, 150, 64, True, root_seed=2)
    assert len(table) == 150 and card["n_features"] == 16
    rows = card["rows"]
    assert rows["source"] == 800
    assert rows["kept"] + sum(rows["dropped"].values()) == 800
    assert rows["dropped"][DROP_NO_HISTORY] > 0 and rows["dropped"][DROP_NOT_SAMPLED] > 0
    # every kept row really is a transaction of a customer with history, with its history values
    raw_tx = pd.read_csv(tmp_path / "kaggle" / "transactions.csv.gz", dtype=str)
    history = pd.read_csv(tmp_path / "kaggle" / "trainHistory.csv.gz", dtype=str).set_index("id")
    sample = raw_tx.iloc[table["source_row"]]
    assert list(table["raw__brand"]) == list(sample["brand"])
    assert list(table["raw__offer"]) == list(history.loc[sample["id"], "offer"])


def test_reproducible_and_chunk_size_independent(tmp_path):
    manifest = manifest_for(tmp_path, transactions=500)
    first, _ = process_purchase(manifest, KINDS, 120, 33, True, root_seed=9)
    again, _ = process_purchase(manifest, KINDS, 120, 10_000, True, root_seed=9)
    pd.testing.assert_frame_equal(first, again)
