"""Shared fixtures: the repository root and small synthetic raw-data folders."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo() -> Path:
    return REPO
