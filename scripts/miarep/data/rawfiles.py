"""Which raw files each dataset needs, where they go, and whether the workflow can fetch them.

Standard library only: the Snakefile asks :func:`unobtainable` while it builds the DAG, so that a
run (or ``snakemake -n``) names missing Texas or Purchase files before any other job starts,
instead of failing in the acquisition job after minutes of Adult work. The acquisition rules use
the same names and messages.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path

TEXAS_DOWNLOAD_PAGE = (
    "https://www.dshs.texas.gov/center-health-statistics/texas-health-care-information-collection/"
    "health-data-researcher-information/texas-hospital-emergency-department-research-data-file-ed-rdf/"
    "public-use-data-File-pudf-inpatient-free-download"
)
KAGGLE_COMPETITION_PAGE = "https://www.kaggle.com/c/acquire-valued-shoppers-challenge/data"
PURCHASE_FILES = ("transactions.csv.gz", "trainHistory.csv.gz")
SKIP_HINT = (
    "To run without {name}, remove '{dataset}' from the 'datasets' list in config/config.yaml, "
    "or run: snakemake --config 'datasets=[adult]' ..."
)


def texas_name(quarter: int, year: int) -> str:
    """The file name DSHS uses for one quarter's tab-delimited zip."""
    return f"PUDF-{quarter}Q{year}-tab-delimited.zip"


def texas_pattern(quarter: int, year: int) -> re.Pattern:
    """Also matches older spellings: "PUDF 1Q2006 tab-delimited.zip", "PUDF1Q08_update_tab.zip"."""
    return re.compile(
        rf"^PUDF[ _-]?{quarter}Q(?:{year}|{year % 100:02d})(?![0-9]).*\.zip$", re.IGNORECASE
    )


def texas_quarters(years: list[int]) -> list[tuple[int, int]]:
    return [(q, y) for y in sorted(years) for q in (1, 2, 3, 4)]


def texas_matches(source_dir: str | Path, years: list[int]) -> dict[tuple[int, int], list[str]]:
    """Map every (quarter, year) to the zip names in ``source_dir`` that match it."""
    source_dir = Path(source_dir)
    names = sorted(p.name for p in source_dir.glob("*.zip")) if source_dir.is_dir() else []
    return {
        (quarter, year): [n for n in names if texas_pattern(quarter, year).match(n)]
        for quarter, year in texas_quarters(years)
    }


def texas_missing_message(
    source_dir: Path, missing: list[tuple[int, int]], accept_dua: bool, url_template: str
) -> str:
    names = "\n".join(f"  - {texas_name(q, y)}" for q, y in missing)
    fetch_hint = (
        "Automatic download is off: it needs data.texas.accept_dua: true (after you accepted the "
        "DSHS data-use agreement) and data.texas.url_template."
        if not (accept_dua and url_template)
        else ""
    )
    return (
        f"Texas PUDF files are missing ({len(missing)} of them):\n{names}\n"
        f"Get them from the Texas DSHS PUDF free-download page (accept the data-use agreement "
        f"first):\n  {TEXAS_DOWNLOAD_PAGE}\n"
        f"and put the zips, unchanged, in:\n  {Path(source_dir).resolve()}\n"
        "(or point data.texas.source_dir at the folder that holds them). Older spellings such as "
        "'PUDF 1Q2006 tab-delimited.zip' are recognised.\n"
        f"{fetch_hint}\n" + SKIP_HINT.format(name="Texas", dataset="texas")
    )


def kaggle_credentials_available() -> bool:
    """True if the Kaggle CLI could authenticate (environment or ~/.kaggle/kaggle.json)."""
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return True
    config_dir = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle"))
    return (config_dir / "kaggle.json").is_file()


def purchase_missing(source_dir: str | Path) -> list[str]:
    """The Purchase raw files not (yet) in ``source_dir``."""
    return [name for name in PURCHASE_FILES if not (Path(source_dir) / name).is_file()]


def purchase_missing_message(source_dir: Path, missing: list[str], use_kaggle_api: bool) -> str:
    names = "\n".join(f"  - {name}" for name in missing)
    api = (
        "Automatic download with the Kaggle API is on but found no credentials: set "
        "KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json in ~/.kaggle/ (never in this "
        "repository), and 'pip install kaggle'."
        if use_kaggle_api
        else "Automatic download is off (data.purchase.use_kaggle_api: false)."
    )
    return (
        f"Purchase (Kaggle Acquire Valued Shoppers) files are missing:\n{names}\n"
        f"Download them from {KAGGLE_COMPETITION_PAGE} (accept the competition rules first) and "
        f"put them, still gzipped, in:\n  {Path(source_dir).resolve()}\n"
        "(or point data.purchase.source_dir at the folder that holds them).\n"
        f"{api}\n" + SKIP_HINT.format(name="Purchase", dataset="purchase")
    )


def source_dir(config: Mapping, dataset: str) -> Path:
    """Where a dataset's raw files are placed (or downloaded): ``source_dir`` or raw_dir/dataset."""
    return Path(config["data"][dataset]["source_dir"] or Path(config["data"]["raw_dir"]) / dataset)


def manifest_path(config: Mapping, dataset: str) -> Path:
    """The acquisition rule's output for a dataset."""
    return Path(config["data"]["raw_dir"]) / dataset / "manifest.json"


def unobtainable(config: Mapping) -> dict[str, str]:
    """Enabled datasets whose raw files are missing with no way to fetch them: name -> message.

    A dataset already acquired (its manifest exists) is not checked again: its files may have been
    removed on purpose once processed, and the acquisition rule itself re-checks them if it runs.
    """
    problems = {}
    for dataset in config["datasets"]:
        if dataset == "adult" or manifest_path(config, dataset).is_file():
            continue
        settings = config["data"][dataset]
        folder = source_dir(config, dataset)
        if dataset == "texas":
            found = texas_matches(folder, list(settings["years"]))
            missing = [quarter for quarter, names in found.items() if not names]
            fetchable = bool(settings["accept_dua"] and settings["url_template"])
            if missing and not fetchable:
                problems[dataset] = texas_missing_message(
                    folder, missing, settings["accept_dua"], settings["url_template"]
                )
        elif dataset == "purchase":
            missing = purchase_missing(folder)
            fetchable = settings["use_kaggle_api"] and kaggle_credentials_available()
            if missing and not fetchable:
                problems[dataset] = purchase_missing_message(
                    folder, missing, settings["use_kaggle_api"]
                )
    return problems
