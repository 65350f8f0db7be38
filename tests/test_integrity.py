"""Nothing wrong gets through: raw-data integrity on every read, placed files kept, errors that
name the thing and the fix, outputs with the umask's permissions, logs without noise."""

import hashlib
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time

import pandas as pd
import pytest

from miarep.core.errors import DataError
from miarep.core.io import read_parquet, write_json, write_parquet
from miarep.core.logs import setup_logging
from miarep.data import adult, purchase, texas
from miarep.data.checksums import HashingReader, sha256_file
from miarep.data.process import process_adult, process_purchase, process_texas
from miarep.sampling.design import expand_study
from miarep.sampling.draw import Pool, SamplingError
from miarep.sampling.splits import draw_all
from synthetic import write_adult, write_kaggle, write_pudf

ADULT_KINDS = {"age": "numeric", "workclass": "categorical", "sex": "categorical"}


@pytest.fixture
def synthetic_adult(tmp_path, monkeypatch):
    """Synthetic Adult files whose digests and row counts stand in for the published ones."""
    data, test = write_adult(tmp_path / "raw", train_rows=40, test_rows=20)
    names = tmp_path / "raw" / "adult.names"
    names.write_text("names\n")
    published = {p.name: (p.stat().st_size, sha256_file(p)) for p in (data, test, names)}
    monkeypatch.setattr(adult, "ADULT_FILES", published)
    monkeypatch.setattr(adult, "SOURCE_ROWS", {"adult.data": 40, "adult.test": 20})
    return tmp_path / "raw"


def flip_one_byte(path, offset=7):
    payload = bytearray(path.read_bytes())
    payload[offset] ^= 0x01
    path.write_bytes(bytes(payload))


# Finding 1: a corrupted raw file is an error whenever a rule reads it; the card records the
# digest actually computed.


def test_adult_card_records_the_computed_digest(synthetic_adult):
    _, card = process_adult(synthetic_adult, ADULT_KINDS, "category", True)
    for name in ("adult.data", "adult.test"):
        assert card["provenance"]["files"][name]["sha256"] == sha256_file(synthetic_adult / name)


def test_an_edited_adult_file_fails_preprocessing_naming_both_digests(synthetic_adult):
    path = synthetic_adult / "adult.data"
    expected = sha256_file(path)
    flip_one_byte(path)
    with pytest.raises(DataError, match=r"adult\.data: checksum mismatch") as error:
        process_adult(synthetic_adult, ADULT_KINDS, "category", True)
    message = str(error.value)
    assert expected in message and sha256_file(path) in message
    assert "delete it and rerun" in message


def texas_manifest(tmp_path):
    write_pudf(tmp_path / "pudf", [2006], rows=40, seed=4)
    manifest = texas.acquire(tmp_path / "pudf", [2006], TEXAS_COLUMNS, False, "")
    path = tmp_path / "texas_manifest.json"
    path.write_text(json.dumps(manifest))
    return path, manifest


TEXAS_COLUMNS = ["SEX_CODE", "LENGTH_OF_STAY", "TOTAL_CHARGES", "PAT_AGE"]
TEXAS_KINDS = {
    "SEX_CODE": "categorical",
    "LENGTH_OF_STAY": "numeric",
    "TOTAL_CHARGES": "numeric",
    "PAT_AGE": "categorical",
}


def test_texas_card_records_digests_computed_while_streaming(tmp_path):
    path, manifest = texas_manifest(tmp_path)
    _, card = process_texas(path, TEXAS_KINDS, 50, 17, True, root_seed=1)
    for entry in card["provenance"]["files"]:
        assert entry["sha256"] == sha256_file(entry["path"])


def test_a_swapped_texas_zip_fails_preprocessing(tmp_path):
    path, manifest = texas_manifest(tmp_path)
    second = manifest["files"][1]["path"]
    write_pudf(tmp_path / "other", [2006], rows=40, seed=99)  # same layout, other records
    (tmp_path / "other" / "PUDF-2Q2006-tab-delimited.zip").replace(second)
    with pytest.raises(DataError, match=r"PUDF-2Q2006-tab-delimited\.zip: checksum mismatch") as e:
        process_texas(path, TEXAS_KINDS, 50, 17, True, root_seed=1)
    assert manifest["files"][1]["sha256"] in str(e.value) and "acquire_texas" in str(e.value)


def test_swapped_purchase_files_fail_preprocessing(tmp_path):
    write_kaggle(tmp_path / "kaggle", customers=30, transactions=300, seed=3)
    manifest = purchase.acquire(tmp_path / "kaggle", False, "x")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    kinds = {"brand": "categorical", "purchaseamount": "numeric", "offer": "categorical"}
    _, card = process_purchase(path, kinds, 50, 64, True, root_seed=1)
    assert [f["sha256"] for f in card["provenance"]["files"]] == [
        sha256_file(f["path"]) for f in manifest["files"]
    ]
    write_kaggle(tmp_path / "other", customers=30, transactions=300, seed=4)
    for name in ("transactions.csv.gz", "trainHistory.csv.gz"):
        (tmp_path / "other" / name).replace(tmp_path / "kaggle" / name)
        with pytest.raises(DataError, match=rf"{name}: checksum mismatch"):
            process_purchase(path, kinds, 50, 64, True, root_seed=1)
        manifest = purchase.acquire(tmp_path / "kaggle", False, "x")  # record the new file
        path.write_text(json.dumps(manifest))


def test_hashing_reader_gives_the_file_digest_whatever_was_read(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(os.urandom(3 * (1 << 20) + 123))
    for reads in ([(0, 10**7)], [(0, 5000), (2_000_000, 100)], [(10, 100)], []):
        reader = HashingReader(path)
        for offset, size in reads:
            reader.seek(offset)
            reader.read(size)
        assert reader.hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
        reader.close()


# Finding 2: files placed by hand survive acquisition, and the manifest says who put them there.


def test_placed_adult_files_are_kept_and_recorded_as_placed(synthetic_adult):
    before = {p.name: p.read_bytes() for p in synthetic_adult.iterdir()}
    manifest = adult.acquire(synthetic_adult, ["uci"], "http://127.0.0.1:9", "x==1", timeout_s=1)
    assert {f["source"] for f in manifest["files"]} == {adult.PLACED}
    assert {p.name: p.read_bytes() for p in synthetic_adult.iterdir()} == before


def test_a_placed_but_wrong_adult_file_is_an_error_and_is_kept(synthetic_adult):
    flip_one_byte(synthetic_adult / "adult.test")
    edited = (synthetic_adult / "adult.test").read_bytes()
    with pytest.raises(DataError, match=r"adult\.test: checksum mismatch.*does not overwrite"):
        adult.acquire(synthetic_adult, ["uci"], "http://127.0.0.1:9", "x==1", timeout_s=1)
    assert (synthetic_adult / "adult.test").read_bytes() == edited


def test_only_missing_adult_files_are_fetched_and_recorded_by_source(synthetic_adult, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "adult.names").write_bytes((synthetic_adult / "adult.names").read_bytes())
    (synthetic_adult / "adult.names").unlink()
    manifest = adult.acquire(synthetic_adult, ["uci"], mirror.as_uri(), "x==1", timeout_s=5)
    sources = {f["name"]: f["source"] for f in manifest["files"]}
    assert sources == {"adult.data": adult.PLACED, "adult.test": adult.PLACED, "adult.names": "uci"}
    again = adult.acquire(synthetic_adult, ["uci"], "http://127.0.0.1:9", "x==1", timeout_s=1)
    assert again["files"] == manifest["files"]


# Finding 5: errors that come early, name the thing and say what to do.


def test_a_truncated_adult_file_is_a_data_error_not_an_assertion(synthetic_adult, monkeypatch):
    path = synthetic_adult / "adult.data"
    path.write_text("\n".join(path.read_text().splitlines()[:30]) + "\n")
    with pytest.raises(DataError, match="checksum mismatch"):
        process_adult(synthetic_adult, ADULT_KINDS, "category", True)
    # even where the digest were to pass, the row count names the file
    digests = dict(adult.ADULT_FILES) | {"adult.data": (0, sha256_file(path))}
    monkeypatch.setattr(adult, "ADULT_FILES", digests)
    with pytest.raises(DataError, match=r"adult\.data: 30 records, but the published file has 40"):
        process_adult(synthetic_adult, ADULT_KINDS, "category", True)


def test_a_damaged_parquet_file_is_named_with_the_remedy(tmp_path):
    path = tmp_path / "adult.parquet"
    write_parquet(path, pd.DataFrame({"a": range(100)}))
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataError, match=r"adult\.parquet: not a readable Parquet file.*rerun"):
        read_parquet(path)


def test_a_sampling_error_names_the_study_and_dataset():
    table = pd.DataFrame(
        {
            "raw__a": ["x", "y"] * 20,
            "x__a": [0.0, 1.0] * 20,
            "label": [0, 1] * 20,
            "source_row": range(40),
        }
    )
    pool = Pool.from_table(table, {"a": "categorical"}, bins=2, top_k=1)
    design = expand_study({"base": {"target_size": 30, "shadow_size": 30}}, "adult", 0.75)
    with pytest.raises(SamplingError, match=r"study figure_4 on adult, experiment 0: .*needs 60"):
        draw_all(design, pool, 1, where="study figure_4 on adult")


def test_a_hanging_kaggle_cli_is_stopped_with_a_message(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "kaggle"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("KAGGLE_USERNAME", "someone")
    monkeypatch.setenv("KAGGLE_KEY", "secret")
    started = time.monotonic()
    with pytest.raises(DataError, match=r"gave no result within 1 s .*timeout_s"):
        purchase.acquire(tmp_path / "kaggle", True, "acquire-valued-shoppers-challenge", 1)
    assert time.monotonic() - started < 20


def test_ctrl_c_is_logged_as_an_interruption_not_a_crash(tmp_path):
    log_path = tmp_path / "job.log"
    setup_logging(log_path)
    try:
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    finally:
        sys.excepthook = sys.__excepthook__
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    text = log_path.read_text()
    assert "interrupted (Ctrl-C)" in text and "--unlock" in text
    assert "unexpected error" not in text


def test_sigterm_stops_a_job_cleanly_with_a_log_line(tmp_path, repo):
    log_path, output = tmp_path / "job.log", tmp_path / "out.json"
    code = (
        "import time\nfrom miarep.core.io import atomic_path\n"
        "from miarep.core.logs import setup_logging\n"
        f"setup_logging({str(log_path)!r})\n"
        f"with atomic_path({str(output)!r}) as tmp:\n"
        "    tmp.write_text('half')\n    print('ready', flush=True)\n    time.sleep(60)\n"
    )
    job = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo / "scripts")},
    )
    assert job.stdout.readline().strip() == "ready"
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=30) != 0
    assert "interrupted (signal SIGTERM)" in log_path.read_text()
    assert list(tmp_path.iterdir()) == [log_path]  # no half-written output, no leftover


# Finding 6: outputs get the umask's permissions; logs carry what a user needs.


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_outputs_get_the_umask_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        write_json(tmp_path / "out.json", {"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o666 & ~umask


def test_figure_logs_hold_no_font_subsetting_noise(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log_path = tmp_path / "figure.log"
    logger = setup_logging(log_path)
    try:
        figure, axes = plt.subplots()
        axes.plot([0, 1], [0.5, 0.6], label="MIA accuracy")
        axes.set_title("Figure 4: class balance")
        axes.legend()
        figure.savefig(tmp_path / "figure.pdf")
        plt.close(figure)
        logger.info("figure drawn")
    finally:
        sys.excepthook = sys.__excepthook__
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for handler in logging.getLogger().handlers:
            handler.flush()
    lines = log_path.read_text().splitlines()
    assert lines and all("miarep" in line for line in lines), lines[:5]


def test_a_cuda_device_torch_cannot_see_is_a_config_error():
    import torch

    from miarep.core.errors import ConfigError
    from miarep.train.engine import pick_device

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the error is for machines without it")
    with pytest.raises(ConfigError, match=r"engine.device is 'cuda'.*auto .*or cpu"):
        pick_device("cuda")
    assert pick_device("auto").type == "cpu"
