"""Shokri's Purchase100 and Texas100 releases: read from small synthetic tarballs in their layout,
checked by git blob SHA-1, refused when malformed."""

import io
import subprocess
import tarfile

import numpy as np
import pytest

from miarep.core.errors import DataError
from miarep.data import shokri_releases as releases
from miarep.data.checksums import git_blob_sha1


def _tarball(path, members: dict[str, str]):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _csv(matrix) -> str:
    return "".join(",".join(str(v) for v in row) + "\n" for row in matrix)


@pytest.fixture
def synthetic():
    rng = np.random.default_rng(0)
    features = rng.integers(0, 2, size=(7, 12))
    labels = rng.integers(1, 101, size=7)
    return features, labels


def test_purchase100_in_its_layout(tmp_path, synthetic):
    features, labels = synthetic
    path = _tarball(
        tmp_path / "dataset_purchase.tgz", {"dataset_purchase": _csv(np.c_[labels, features])}
    )
    got_x, got_y = releases.load_purchase100(path)
    assert got_x.dtype == np.uint8
    np.testing.assert_array_equal(got_x, features)
    np.testing.assert_array_equal(got_y, labels - 1)


def test_texas100_in_its_layout(tmp_path, synthetic):
    features, labels = synthetic
    path = _tarball(
        tmp_path / "dataset_texas.tgz",
        {"texas/100/feats": _csv(features), "texas/100/labels": _csv(labels[:, None])},
    )
    got_x, got_y = releases.load_texas100(path)
    np.testing.assert_array_equal(got_x, features)
    np.testing.assert_array_equal(got_y, labels - 1)


@pytest.mark.parametrize(
    "members, message",
    [
        ({"texas/100/feats": "0,1\n1,0\n", "texas/100/labels": "3\n"}, "2 feature rows but 1"),
        ({"texas/100/feats": "0,2\n", "texas/100/labels": "3\n"}, "0 or 1"),
        ({"texas/100/feats": "0,1\n", "texas/100/labels": "0\n"}, "1..100"),
        ({"texas/100/feats": "0,1\n"}, "no member 'texas/100/labels'"),
        ({"texas/100/feats": "0,x\n", "texas/100/labels": "3\n"}, "comma-separated integers"),
    ],
)
def test_malformed_releases_are_refused_with_the_reason(tmp_path, members, message):
    path = _tarball(tmp_path / "dataset_texas.tgz", members)
    with pytest.raises(DataError, match=message):
        releases.load_texas100(path)


def test_blob_sha1_is_what_git_prints_and_a_changed_file_is_refused(tmp_path):
    path = tmp_path / "dataset_purchase.tgz"
    path.write_bytes(b"not the release\n")
    printed = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_blob_sha1(path) == printed
    assert releases.verify_release(path, printed) == printed
    with pytest.raises(DataError, match="dataset_purchase.tgz: checksum mismatch \\(git blob sha1"):
        releases.verify_release(path)  # not the published bytes
    with pytest.raises(DataError, match="not found"):
        releases.verify_release(tmp_path / "dataset_texas.tgz")


def test_a_placed_tarball_is_verified_and_a_missing_one_named(tmp_path, synthetic):
    features, labels = synthetic
    rows = np.column_stack([labels, features])
    path = _tarball(tmp_path / "dataset_purchase.tgz", {"dataset_purchase": _csv(rows)})
    entry = releases.acquire("purchase100", tmp_path, download=False, expected=git_blob_sha1(path))
    assert entry["source"] == "placed by user" and entry["bytes"] == path.stat().st_size
    with pytest.raises(DataError, match="git blob sha1"):
        releases.acquire("purchase100", tmp_path, download=False)  # not the published bytes
    with pytest.raises(DataError, match="place Shokri's dataset_texas.tgz"):
        releases.acquire("texas100", tmp_path, download=False)
    with pytest.raises(DataError, match="unknown release"):
        releases.acquire("cifar100", tmp_path)
    read_features, read_labels = releases.read("purchase100", path)
    np.testing.assert_array_equal(read_labels, labels - 1)
    np.testing.assert_array_equal(read_features, features)


def test_a_failed_download_names_the_url(tmp_path):
    with pytest.raises(DataError, match="could not download file:///nowhere/dataset_texas.tgz"):
        releases.acquire("texas100", tmp_path, base_url="file:///nowhere", timeout_s=5)
