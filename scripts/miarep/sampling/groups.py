"""Protected groups g1 / g0 for the fairness measures (docs/account.md M6).

The paper never names its protected feature. Per dataset, g1 is the set of records whose raw value
of a configured feature equals a configured value (Adult: sex = Female; Texas: SEX_CODE = F); with
no feature configured (Purchase), g1 is the upper half of the top-MI feature's codes (a median
split), so that every dataset gets two groups of meaningful size.
"""

import numpy as np
import pandas as pd

from miarep.data.encoding import RAW_PREFIX
from miarep.sampling.draw import Pool


def protected_group(
    table: pd.DataFrame, pool: Pool, feature: str | None, value: str | None
) -> np.ndarray:
    """Boolean mask of g1 over the rows of the processed table."""
    if feature is None:
        column = pool.codes[:, pool.top_features[0]]
        return column > np.median(column)
    if RAW_PREFIX + feature not in table.columns:
        raise KeyError(f"protected feature {feature!r} is not a feature of this dataset")
    raw = table[RAW_PREFIX + feature].astype(str).to_numpy()
    if value not in set(raw):
        raise ValueError(f"protected value {value!r} never occurs in {feature!r}")
    return raw == str(value)
