import hashlib

import pytest

from miarep.core.errors import DataError
from miarep.core.io import atomic_path, write_json
from miarep.data.checksums import sha256_file, verify_sha256


def test_sha256_matches_hashlib(tmp_path):
    path = tmp_path / "f.bin"
    payload = bytes(range(256)) * 5000
    path.write_bytes(payload)
    assert sha256_file(path) == hashlib.sha256(payload).hexdigest()


def test_mismatch_names_the_file_and_both_digests(tmp_path):
    path = tmp_path / "adult.data"
    path.write_text("truncated")
    with pytest.raises(DataError, match=r"adult\.data: checksum mismatch") as error:
        verify_sha256(path, "0" * 64)
    assert sha256_file(path) in str(error.value)
    assert "0" * 64 in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="nothing.txt: file not found"):
        verify_sha256(tmp_path / "nothing.txt", "0" * 64)


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_json_is_key_sorted_and_stable(tmp_path):
    write_json(tmp_path / "a.json", {"b": 1, "a": [1, 2]})
    assert (tmp_path / "a.json").read_text() == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
