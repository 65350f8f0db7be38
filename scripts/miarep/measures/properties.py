"""Data and model properties of Tonni et al., Section 3.1, one small function each.

Paper equation -> function (the formulas: ``docs/account.md`` P and M):

- class balance CB, percent of the minority label (Sec. 3.1): :func:`class_balance`,
  and the paper's ratio P[y=0]/P[y=1]: :func:`class_ratio`
- feature balance FB = 100 * P[x_S = c*] (Sec. 3.1, account P2): :func:`feature_balance`,
  over the top-5 features by MI with the label (Sec. 4.1): :func:`top_mi_features`
- dataset entropy H_D = (1/n) sum_j H[a_j] (eqs. 1-2, log2, account P3): :func:`dataset_entropy`
- I_X = I(X; theta) (eqs. 3-4, operational form of account M1, log2):
  :func:`mutual_information_records_params`
- delta_mi, deviation from MIA-indistinguishability (eq. 6, Laplace smoothing, account M2):
  :func:`mia_indistinguishability_deviation`
- delta_g, group fairness / demographic parity (eq. 8): :func:`group_fairness`
- delta_p, predictive fairness / equal opportunity (eq. 10): :func:`predictive_fairness`
- delta_i, individual fairness (eqs. 11-13, pairs and P[x] as account M5):
  :func:`individual_fairness`
- generalisation gap (Sec. 4.2): :func:`generalization_gap`

Model-property functions accept a leading model axis (``(K, n)`` predictions) so that the
properties of many models trained on the same records are measured in one vectorised call.
Undefined quantities (an empty group, a class absent from a group) are NaN or skipped as each
docstring says, never silently 0.
"""

import numpy as np

from miarep.data.discretize import combination_ids


def _entropy_bits(counts: np.ndarray) -> float:
    """Plug-in Shannon entropy (log2) of a count vector; 0 for a single value."""
    counts = counts[counts > 0]
    if counts.size == 0:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def class_balance(labels: np.ndarray) -> float:
    """Percent of records carrying the minority label (50 = balanced, 0 = a single class).

    The paper's CB = P[y=0]/P[y=1] is reported "as the percentage of one class label"; this is that
    percentage for the rarer label. NaN for an empty set.
    """
    labels = np.asarray(labels)
    if labels.size == 0:
        return float("nan")
    share = float(np.mean(labels == 1))
    return 100.0 * min(share, 1.0 - share)


def class_ratio(labels: np.ndarray) -> float:
    """The paper's CB = P[y=0] / P[y=1] (inf when label 1 is absent)."""
    labels = np.asarray(labels)
    ones = int(np.sum(labels == 1))
    return float("inf") if ones == 0 else float(np.sum(labels == 0) / ones)


def mutual_information_bits(a: np.ndarray, b: np.ndarray) -> float:
    """Plug-in mutual information I(a; b) in bits between two discrete arrays."""
    a_ids = np.unique(np.asarray(a), return_inverse=True)[1].reshape(-1)
    b_ids = np.unique(np.asarray(b), return_inverse=True)[1].reshape(-1)
    if a_ids.size == 0:
        return 0.0
    joint = np.zeros((a_ids.max() + 1, b_ids.max() + 1))
    np.add.at(joint, (a_ids, b_ids), 1)
    return max(
        0.0,
        _entropy_bits(joint.sum(1)) + _entropy_bits(joint.sum(0)) - _entropy_bits(joint.ravel()),
    )


def top_mi_features(codes: np.ndarray, labels: np.ndarray, k: int = 5) -> list[int]:
    """Indices of the ``k`` features with the highest MI with the label (ties: lower index)."""
    scores = [mutual_information_bits(codes[:, j], labels) for j in range(codes.shape[1])]
    order = sorted(range(len(scores)), key=lambda j: (-scores[j], j))
    return order[: min(k, len(order))]


def most_frequent_combination(codes_subset: np.ndarray) -> np.ndarray:
    """c*: the most frequent row of ``codes_subset`` (ties: the smallest in lexicographic order)."""
    rows, counts = np.unique(codes_subset, axis=0, return_counts=True)
    return rows[int(np.argmax(counts))]


def feature_balance(codes_subset: np.ndarray, combination: np.ndarray) -> float:
    """FB = 100 * P[x_S = c*], the percent of records whose selected features equal c*.

    Account P2: a higher value means one combination dominates, i.e. *less* balance. NaN if empty.
    """
    if len(codes_subset) == 0:
        return float("nan")
    return 100.0 * float(np.mean(np.all(codes_subset == combination, axis=1)))


def feature_balance_ratio(percent: float) -> float:
    """The paper's FB as a ratio P[x = c] / P[x != c] from the percentage."""
    p = percent / 100.0
    return float("inf") if p >= 1 else p / (1 - p)


def dataset_entropy(codes: np.ndarray) -> float:
    """H_D = (1/n) * sum_j H[a_j] in bits, over the features (columns) of ``codes`` (eqs. 1-2)."""
    if codes.shape[1] == 0 or codes.shape[0] == 0:
        return float("nan")
    return float(np.mean([_entropy_bits(np.unique(col, return_counts=True)[1]) for col in codes.T]))


def _mi_bits_rows(joint: np.ndarray) -> np.ndarray:
    """Mutual information (bits) of each joint count table in a (K, A, B) stack."""
    total = joint.sum((-2, -1), keepdims=True)
    p = joint / total
    pa, pb = p.sum(-1, keepdims=True), p.sum(-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / (pa * pb)), 0.0)
    return np.maximum(terms.sum((-2, -1)), 0.0)


def mutual_information_records_params(
    codes: np.ndarray, predictions: np.ndarray, n_classes: int = 2
) -> np.ndarray:
    """I_X(theta) = (1/n) * sum_j I(a_j; y_hat_theta) in bits (eqs. 3-4 as account M1 reads them).

    ``codes`` (n, features) are non-negative integer codes; ``predictions`` holds predicted labels,
    shape (n,) or (K, n). Returns a scalar array or (K,). The estimate depends on theta only
    through the predicted labels of the training records, which keeps it per-model and cheap.
    """
    batched = np.ndim(predictions) > 1
    predictions = np.atleast_2d(np.asarray(predictions, dtype=np.int64))
    n_models = predictions.shape[0]
    per_feature = []
    for column in np.asarray(codes, dtype=np.int64).T:
        n_values = int(column.max()) + 1
        cell = column[None, :] * n_classes + predictions
        offset = np.arange(n_models)[:, None] * (n_values * n_classes)
        joint = np.bincount((cell + offset).ravel(), minlength=n_models * n_values * n_classes)
        per_feature.append(_mi_bits_rows(joint.reshape(n_models, n_values, n_classes)))
    values = np.mean(per_feature, axis=0)
    return values if batched else values[0]


def mia_indistinguishability_deviation(
    pred_members: np.ndarray, pred_nonmembers: np.ndarray, n_classes: int = 2
) -> np.ndarray:
    """delta_mi = max_y' | log( P[y_hat=y' | m=1] / P[y_hat=y' | m=0] ) | (eq. 6, natural log).

    Probabilities are estimated from predicted labels with add-one (Laplace) smoothing, so zero
    counts stay finite (account M2). Inputs (n,) or (K, n); output scalar array or (K,).
    """
    members, nonmembers = np.atleast_2d(pred_members), np.atleast_2d(pred_nonmembers)
    classes = np.arange(n_classes)
    p_m = ((members[..., None] == classes).sum(-2) + 1) / (members.shape[-1] + n_classes)
    p_n = ((nonmembers[..., None] == classes).sum(-2) + 1) / (nonmembers.shape[-1] + n_classes)
    values = np.abs(np.log(p_m / p_n)).max(-1)
    return values if np.ndim(pred_members) > 1 else values[0]


def _group_rates(mask: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Mean of ``mask`` (..., n) over the records of ``group`` (n,) bool; NaN if group empty."""
    size = group.sum()
    if size == 0:
        return np.full(mask.shape[:-1], np.nan)
    return (mask & group).sum(-1) / size


def group_fairness(predictions: np.ndarray, group: np.ndarray, n_classes: int = 2) -> np.ndarray:
    """delta_g = (1/n) * sum_y' | P[y_hat=y' | g1] - P[y_hat=y' | g0] | (eq. 8; n classes).

    ``group`` is a boolean mask of g1 (g0 is the rest). NaN if either group is empty.
    """
    predictions, group = np.asarray(predictions), np.asarray(group, dtype=bool)
    terms = [
        np.abs(_group_rates(predictions == c, group) - _group_rates(predictions == c, ~group))
        for c in range(n_classes)
    ]
    return np.mean(terms, axis=0)


def predictive_fairness(
    predictions: np.ndarray, labels: np.ndarray, group: np.ndarray, n_classes: int = 2
) -> np.ndarray:
    """delta_p = (1/n) * sum_y' | P[y_hat=y' | y=y', g1] - P[y_hat=y' | y=y', g0] | (eq. 10).

    A class with no record in one of the groups gives no evidence of disparity and its term is
    left out of the mean; NaN if no class has records in both groups.
    """
    predictions = np.asarray(predictions)
    labels, group = np.asarray(labels), np.asarray(group, dtype=bool)
    terms = []
    for c in range(n_classes):
        in_class = labels == c
        g1, g0 = group & in_class, ~group & in_class
        if g1.any() and g0.any():
            hit = predictions == c
            terms.append(np.abs(_group_rates(hit, g1) - _group_rates(hit, g0)))
    if not terms:
        return np.full(predictions.shape[:-1], np.nan)[()]
    return np.mean(terms, axis=0)


def record_probabilities(codes_subset: np.ndarray) -> np.ndarray:
    """P[x_i]: the empirical frequency of each record's feature combination (account M5)."""
    ids = combination_ids(codes_subset)
    return np.bincount(ids)[ids] / len(ids)


def sample_pairs(n: int, n_pairs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n_pairs`` random pairs (i, j), i != j, of records 0..n-1 (with replacement)."""
    if n < 2:
        raise ValueError("individual fairness needs at least two records")
    i = rng.integers(0, n, n_pairs)
    j = (i + rng.integers(1, n, n_pairs)) % n
    return i, j


def individual_fairness(
    probabilities: np.ndarray, record_prob: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """delta_i = mean over pairs | Delta_tv(i, j) - |P[x_i] - P[x_j]| | (eq. 13, account M5).

    Delta_tv = (1/n_classes) * sum_y' |F(x_i)_y' - F(x_j)_y'| between the softmax vectors.
    The paper sums over all O(n^2) pairs; the mean over a seeded sample of pairs estimates the same
    quantity up to the constant number of pairs. ``probabilities``: (n, C) or (K, n, C).
    """
    i, j = pairs
    probabilities = np.asarray(probabilities, dtype=np.float64)
    batched = probabilities.ndim == 3
    stack = probabilities if batched else probabilities[None]
    distance = np.abs(record_prob[i] - record_prob[j])
    by_class = np.moveaxis(stack, -1, 0)  # (C, K, n): gathers along the record axis are cheap
    values = np.empty(stack.shape[0])
    for start in range(0, stack.shape[0], _MODELS_PER_CHUNK):
        block = by_class[:, start : start + _MODELS_PER_CHUNK]
        tv = sum(np.abs(np.take(cls, i, axis=1) - np.take(cls, j, axis=1)) for cls in block)
        values[start : start + block.shape[1]] = np.abs(tv / stack.shape[-1] - distance).mean(-1)
    return values if batched else values[0]


_MODELS_PER_CHUNK = 32


def generalization_gap(train_accuracy, test_accuracy):
    """Train minus test accuracy (positive when the model overfits)."""
    return np.subtract(train_accuracy, test_accuracy)
