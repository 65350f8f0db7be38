import numpy as np
import pandas as pd
import pytest

from miarep.core.errors import DataError
from miarep.data.encoding import assemble, card, encode_features, gmm_labels
from miarep.data.streaming import BottomKSampler


def test_encoding_by_kind():
    raw = pd.DataFrame(
        {
            "c": ["b", "a", "c", "a"],
            "n": ["1", "2", "3", "4"],
            "d": ["1970-01-02", "1970-01-01", "1970-01-03", "1970-01-01"],
        }
    )
    plain = encode_features(
        raw, {"c": "categorical", "n": "numeric", "d": "date"}, standardize=False
    )
    assert list(plain["x__c"]) == [1, 0, 2, 0]  # sorted-value ordinal codes
    assert list(plain["x__n"]) == [1, 2, 3, 4]
    assert list(plain["x__d"]) == [1, 0, 2, 0]  # days since 1970-01-01
    scaled = encode_features(raw, {"n": "numeric"})
    assert scaled["x__n"].mean() == pytest.approx(0, abs=1e-7)
    assert scaled["x__n"].std(ddof=0) == pytest.approx(1, abs=1e-6)
    assert scaled["x__n"].dtype == np.float32


def test_constant_column_does_not_divide_by_zero():
    out = encode_features(pd.DataFrame({"k": ["x"] * 3}), {"k": "categorical"})
    assert list(out["x__k"]) == [0, 0, 0]


def test_bad_values_fail_with_the_feature_named():
    with pytest.raises(DataError, match="feature 'n' has a value that is not a valid number"):
        encode_features(pd.DataFrame({"n": ["1", "x"]}), {"n": "numeric"}, source="t")
    with pytest.raises(DataError, match="feature 'z' not found"):
        encode_features(pd.DataFrame({"n": ["1"]}), {"z": "numeric"})


def test_gmm_separates_two_blobs_and_labels_the_smaller_one_1():
    rng = np.random.default_rng(0)
    big, small = rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (100, 2))
    labels, info = gmm_labels(np.vstack([big, small]), seed=3)
    assert labels[:300].sum() == 0 and labels[300:].sum() == 100
    assert info["converged"]
    again, _ = gmm_labels(np.vstack([big, small]), seed=3)
    assert np.array_equal(labels, again)


def test_card_refuses_unaccounted_rows():
    raw = pd.DataFrame({"source_row": [0, 1, 2], "a": ["x", "y", "x"]})
    table = assemble(raw, {"a": "categorical"}, np.array([0, 1, 0]))
    info = card("t", table, {"a": "categorical"}, 5, {"dropped for a reason": 2}, "def", {})
    assert info["rows"] == {"source": 5, "kept": 3, "dropped": {"dropped for a reason": 2}}
    assert info["label"]["counts"] == {"0": 2, "1": 1}
    with pytest.raises(AssertionError, match="6 source rows"):
        card("t", table, {"a": "categorical"}, 6, {"r": 2}, "def", {})


def test_bottom_k_sampler_is_chunk_size_independent_and_uniform():
    frame = pd.DataFrame({"v": np.arange(10_000)})

    def run(chunk):
        sampler = BottomKSampler(500, np.random.default_rng(1))
        for start in range(0, len(frame), chunk):
            part = frame.iloc[start : start + chunk]
            sampler.offer(part, sampler.draw_keys(len(part)))
        return sampler.result(order_by="v")["v"].to_numpy()

    small, large = run(7), run(4096)
    assert np.array_equal(small, large)
    assert len(np.unique(small)) == 500
    # uniform: each decile of the stream holds about a tenth of the sample
    counts = np.bincount(small // 1000, minlength=10)
    assert counts.min() > 25 and counts.max() < 75
