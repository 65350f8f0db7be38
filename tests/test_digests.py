"""Result digests: equal tables, equal digests; a difference is named by table and column."""

import json

import numpy as np
import pandas as pd
import pytest

from miarep.core.digests import config_digest, differences, frame_digest, run_digests

BASELINE = "tests/baseline/default_digests.json"


def frame():
    return pd.DataFrame(
        {
            "experiment": np.arange(4),
            "mia_auc": [0.5, 0.51, np.nan, 0.49],
            "features": ["a;b", "c", "", "d"],
            "flag": [True, False, True, True],
        }
    )


def test_equal_tables_have_equal_digests_and_no_differences():
    assert frame_digest(frame()) == frame_digest(frame())
    assert differences({"t": frame_digest(frame())}, {"t": frame_digest(frame())}) == []


def test_a_changed_value_is_named_by_table_and_column():
    changed = frame()
    changed.loc[1, "mia_auc"] = np.nextafter(0.51, 1.0)  # one ulp
    lines = differences({"t": frame_digest(frame())}, {"t": frame_digest(changed)})
    assert lines == ["t: column mia_auc: values differ"]


def test_dtype_rows_and_columns_count():
    base = {"t": frame_digest(frame())}
    assert differences(base, {"t": frame_digest(frame().astype({"experiment": "int32"}))}) == [
        "t: column experiment: values differ"
    ]
    shorter = frame_digest(frame().iloc[:3])
    assert "t: 4 rows in the baseline, 3 now" in differences(base, {"t": shorter})
    assert differences(base, {"u": base["t"]}) == [
        "t: in the baseline only",
        "u: new (not in the baseline)",
    ]


def test_run_digests_read_parquet_and_csv(tmp_path):
    frame().to_parquet(tmp_path / "a.parquet", index=False)
    frame().to_csv(tmp_path / "b.csv", index=False)
    digests = run_digests([tmp_path / "a.parquet", tmp_path / "b.csv"], {"seed": 1}, tmp_path)
    assert set(digests["tables"]) == {"a.parquet", "b.csv"}
    assert digests["config_sha256"] == config_digest({"seed": 1}) != config_digest({"seed": 2})


def test_the_default_run_matches_the_committed_baseline(repo):
    """Compares a default run in this checkout (results/digests.json) with the baseline."""
    current = repo / "results" / "digests.json"
    if not current.is_file():
        pytest.skip("no results/digests.json: run 'snakemake --cores 2 all' to compare")
    baseline = json.loads((repo / BASELINE).read_text())
    current = json.loads(current.read_text())
    if current["config_sha256"] != baseline["config_sha256"]:
        pytest.skip("results/digests.json was made with another config than the baseline's")
    assert differences(baseline["tables"], current["tables"]) == []
