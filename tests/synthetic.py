"""Synthetic raw files in the exact layouts of the real sources, for tests only.

They exercise the real parsing, joining, cleaning and sampling code. Values are random; nothing
here resembles a real patient or shopper, and no output made from them is ever labelled as the
real dataset outside a test's temporary folder.
"""

import gzip
import zipfile
from pathlib import Path

import numpy as np

from miarep.data import adult, purchase

#: A subset of the 2006-2009 PUDF base-file columns (the real files have about 255; the parser
#: selects columns by name, so the rest do not matter), in a plausible order.
PUDF_COLUMNS = [
    "RECORD_ID",
    "DISCHARGE_QTR",
    "THCIC_ID",
    "PROVIDER_NAME",
    "TYPE_OF_ADMISSION",
    "SOURCE_OF_ADMISSION",
    "SPEC_UNIT_1",
    "PAT_STATE",
    "PAT_ZIP",
    "PAT_COUNTRY",
    "COUNTY",
    "PUBLIC_HEALTH_REGION",
    "PAT_STATUS",
    "SEX_CODE",
    "RACE",
    "ETHNICITY",
    "ADMIT_WEEKDAY",
    "LENGTH_OF_STAY",
    "PAT_AGE",
    "FIRST_PAYMENT_SRC",
    "TYPE_OF_BILL",
    "TOTAL_CHARGES",
    "TOTAL_CHARGES_ACCOMM",
    "ADMITTING_DIAGNOSIS",
    "PRINC_DIAG_CODE",
    "OTH_DIAG_CODE_1",
    "PRINC_SURG_PROC_CODE",
    "E_CODE_1",
    "RISK_MORTALITY",
    "ILLNESS_SEVERITY",
    "APR_DRG",
]


def _pudf_value(column: str, rng: np.random.Generator, cluster: int) -> str:
    if column == "LENGTH_OF_STAY":
        return str(int(rng.poisson(3 + 6 * cluster)) + 1)
    if column in ("TOTAL_CHARGES", "TOTAL_CHARGES_ACCOMM"):
        return f"{rng.gamma(2.0, 8000 * (1 + 3 * cluster)):.2f}"
    if column == "SEX_CODE":
        return rng.choice(["M", "F", "U"], p=[0.48, 0.5, 0.02])
    if column == "PAT_STATE":
        return rng.choice(["TX", "OK", "LA", "XX"], p=[0.9, 0.04, 0.04, 0.02])
    if column in ("RISK_MORTALITY", "ILLNESS_SEVERITY"):
        return str(int(rng.integers(1, 3) + 2 * cluster))
    if column == "PRINC_DIAG_CODE":
        return f"{int(rng.integers(100, 120) + 300 * cluster)}"
    return str(int(rng.integers(1, 9)))


def write_pudf_quarter(
    folder: Path,
    quarter: int,
    year: int,
    rows: int,
    seed: int,
    missing_rate: float = 0.05,
    name: str | None = None,
) -> Path:
    """One quarterly zip with a base member and a charges member, tab-delimited with a header."""
    rng = np.random.default_rng(seed)
    lines = ["\t".join(PUDF_COLUMNS)]
    for record in range(rows):
        cluster = int(rng.random() < 0.3)
        values = []
        for column in PUDF_COLUMNS:
            if column == "RECORD_ID":
                values.append(f"{year}{quarter}{record:07d}")
            elif column == "DISCHARGE_QTR":
                values.append(f"{year}Q{quarter}")
            elif column not in ("RECORD_ID",) and rng.random() < missing_rate:
                values.append(rng.choice(["", "`", "*"]))
            else:
                values.append(_pudf_value(column, rng, cluster))
        lines.append("\t".join(values))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"PUDF-{quarter}Q{year}-tab-delimited.zip")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"PUDF_base{quarter}q{year}_tab.txt", "\r\n".join(lines) + "\r\n")
        bundle.writestr(
            f"PUDF_charges{quarter}q{year}_tab.txt",
            "RECORD_ID\tREVENUE_CODE\tHCPCS_QUALIFIER\tCHARGES\n",
        )
    return path


def write_pudf(folder: Path, years: list[int], rows: int, seed: int = 0) -> list[Path]:
    """All quarters of ``years``, ``rows`` records each."""
    return [
        write_pudf_quarter(folder, q, y, rows, seed + 10 * y + q)
        for y in years
        for q in (1, 2, 3, 4)
    ]


def write_kaggle(
    folder: Path, customers: int, transactions: int, seed: int = 0, unknown_share: float = 0.2
) -> dict[str, Path]:
    """transactions.csv.gz, trainHistory.csv.gz and offers.csv.gz with Kaggle's exact headers.

    A share of transactions belongs to customers absent from trainHistory (as in the real data,
    where test-history customers have transactions too).
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.arange(86246, 86246 + customers) * 7
    unknown_ids = ids[-1] + 7 * np.arange(1, max(customers // 4, 1) + 1)
    offers = [1194044, 1197502, 1200578, 1204576, 1208251]
    history_lines = [",".join(purchase.HISTORY_COLUMNS)]
    for customer in ids:
        repeater = rng.random() < 0.27
        trips = int(rng.poisson(2)) if repeater else 0
        history_lines.append(
            f"{customer},{rng.integers(1, 20)},{rng.choice(offers)},{rng.integers(1, 30)},"
            f"{trips},{'t' if repeater else 'f'},2013-0{rng.integers(3, 5)}-{rng.integers(10, 28)}"
        )
    tx_lines = [",".join(purchase.TRANSACTIONS_COLUMNS)]
    for _ in range(transactions):
        customer = rng.choice(unknown_ids) if rng.random() < unknown_share else rng.choice(ids)
        big = rng.random() < 0.3
        amount = rng.gamma(2.0, 3.0 * (1 + 4 * big))
        measure = rng.choice(["OZ", "CT", "LB", "RL", ""], p=[0.5, 0.3, 0.1, 0.08, 0.02])
        tx_lines.append(
            f"{customer},{rng.integers(1, 20)},{rng.integers(1, 99)},{rng.integers(100, 9999)},"
            f"{rng.integers(10**8, 10**8 + 50)},{rng.integers(1, 30000)},"
            f"2012-{rng.integers(3, 13):02d}-{rng.integers(1, 29):02d},"
            f"{rng.choice([12, 16, 32, 64])},{measure},{rng.integers(1, 4)},{amount:.2f}"
        )
    paths = {
        "transactions.csv.gz": folder / "transactions.csv.gz",
        "trainHistory.csv.gz": folder / "trainHistory.csv.gz",
        "offers.csv.gz": folder / "offers.csv.gz",
    }
    for name, lines in (
        ("transactions.csv.gz", tx_lines),
        ("trainHistory.csv.gz", history_lines),
        (
            "offers.csv.gz",
            ["offer,category,quantity,company,offervalue,brand", "1194044,9909,1,107127979,1,6732"],
        ),
    ):
        with gzip.open(paths[name], "wt") as handle:
            handle.write("\n".join(lines) + "\n")
    return paths


def write_adult(
    folder: Path, train_rows: int = 40, test_rows: int = 20, seed: int = 0
) -> tuple[Path, Path]:
    """adult.data / adult.test in the UCI layout (comma + space, '?' missing, test header line)."""
    rng = np.random.default_rng(seed)
    categorical = {
        "workclass": ["Private", "State-gov", "Self-emp-not-inc", "?"],
        "education": ["Bachelors", "HS-grad", "Masters"],
        "marital-status": ["Never-married", "Divorced", "Married-civ-spouse"],
        "occupation": ["Adm-clerical", "Exec-managerial", "?"],
        "relationship": ["Husband", "Not-in-family", "Wife"],
        "race": ["White", "Black", "Asian-Pac-Islander"],
        "sex": ["Male", "Female"],
        "native-country": ["United-States", "Mexico", "?"],
    }

    def row(dot: str) -> str:
        values = []
        for feature in adult.FEATURES:
            if feature in categorical:
                values.append(str(rng.choice(categorical[feature])))
            else:
                values.append(str(int(rng.integers(0, 100))))
        values.append((">50K" if rng.random() < 0.25 else "<=50K") + dot)
        return ", ".join(values)

    folder.mkdir(parents=True, exist_ok=True)
    data, test = folder / "adult.data", folder / "adult.test"
    data.write_text("\n".join(row("") for _ in range(train_rows)) + "\n\n")
    test.write_text("|1x3 Cross validator\n" + "\n".join(row(".") for _ in range(test_rows)) + "\n")
    return data, test


def line_columns(balanced: float, paper: float = 0.75, auc: float = 0.5, called: float = 1.0):
    """Result-table columns of every figure line (miarep.report.style.LINES) at these values."""
    from miarep.report import style

    out = {}
    for line in style.LINES:
        out[style.column(line, style.BALANCED)] = balanced
        out[style.column(line, style.PAPER)] = paper
        out[style.column(line, style.AUC)] = auc
        out[style.column(line, style.CALLED)] = called
    return out


def write_shokri_texas(
    folder: Path, rows: int = 600, features: int = 30, classes: int = 10, seed: int = 0
) -> Path:
    """A ``dataset_texas.tgz`` in the release's layout (``texas/100/feats`` and ``labels``):
    random binary features, labels 1..classes that depend on the first features."""
    import io
    import tarfile

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(rows, features))
    labels = 1 + (x[:, :4] @ np.array([1, 2, 4, 8]) + rng.integers(0, 2, rows)) % classes
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dataset_texas.tgz"
    members = {
        "texas/100/feats": "".join(",".join(map(str, row)) + "\n" for row in x),
        "texas/100/labels": "".join(f"{v}\n" for v in labels),
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
    return path
