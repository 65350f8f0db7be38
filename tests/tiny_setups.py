"""Small set-ups several workflow tests share: a work folder with Adult's files placed, and a
config that builds Figure 3 alone from the tiny config's settings."""

import shutil
from pathlib import Path

import yaml

TINY = Path(__file__).resolve().parent / "config" / "tiny.yaml"


def place_adult(work: Path, adult_raw: Path) -> Path:
    """``work`` with the published Adult files where the acquisition rule looks (so nothing is
    fetched); returns the folder they were placed in."""
    placed = work / "results" / "data" / "raw" / "adult"
    placed.mkdir(parents=True)
    for name in ("adult.data", "adult.test", "adult.names"):
        shutil.copy(adult_raw / name, placed / name)
    return placed


def figure_3_config(**extra) -> dict:
    """Adult only, the tiny config's Figure 3 study (4 experiments) and models, no claims."""
    tiny = yaml.safe_load(TINY.read_text())
    return {
        "datasets": ["adult"],
        "data": {"adult": tiny["data"]["adult"]},
        "studies": {"figure_3": tiny["studies"]["figure_3"]},
        "models": tiny["models"],
        "evaluation": tiny["evaluation"],
        "claims": {"with": []},
    } | extra
