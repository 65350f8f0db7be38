"""Uniform sampling of a fixed number of rows from a stream too large for memory.

Each row of the raw stream gets a uniform random key, drawn in stream order from one generator;
the sample is the ``n`` rows with the smallest keys (bottom-k sampling). Because keys are drawn for
every raw row, filtered or not, the sample depends only on the seed and the data, never on the
chunk size.
"""

import numpy as np
import pandas as pd


class BottomKSampler:
    """Keep the ``n`` rows with the smallest keys seen so far."""

    def __init__(self, n: int, rng: np.random.Generator):
        if n <= 0:
            raise ValueError(f"sample size must be positive, got {n}")
        self.n = n
        self.rng = rng
        self._rows: pd.DataFrame | None = None
        self._keys = np.empty(0)
        self.offered = 0

    def draw_keys(self, n_raw_rows: int) -> np.ndarray:
        """Keys for the next ``n_raw_rows`` rows of the raw stream (call once per raw chunk)."""
        return self.rng.random(n_raw_rows)

    def offer(self, rows: pd.DataFrame, keys: np.ndarray) -> None:
        """Offer the valid rows of a chunk with their keys (as drawn by :meth:`draw_keys`)."""
        if len(rows) != len(keys):
            raise ValueError("rows and keys differ in length")
        self.offered += len(rows)
        if len(rows) == 0:
            return
        rows = rows.reset_index(drop=True)
        if self._rows is None:
            merged, merged_keys = rows, keys
        else:
            merged = pd.concat([self._rows, rows], ignore_index=True)
            merged_keys = np.concatenate([self._keys, keys])
        if len(merged) > self.n:
            keep = np.sort(np.argpartition(merged_keys, self.n - 1)[: self.n])
            merged, merged_keys = merged.iloc[keep].reset_index(drop=True), merged_keys[keep]
        self._rows, self._keys = merged, merged_keys

    def result(self, order_by: str | None = None) -> pd.DataFrame:
        """The sample, sorted by ``order_by`` (e.g. the source row) for readable output."""
        if self._rows is None:
            return pd.DataFrame()
        rows = self._rows
        if order_by is not None:
            rows = rows.sort_values(order_by, kind="stable").reset_index(drop=True)
        return rows
