"""Attack metrics, one function each; membership (1 = member) is the positive class.

Balanced accuracy is 0.5 * (TPR + TNR), so 0.5 is chance whatever the member share; ROC AUC and TPR
at a low FPR use the attack's member score; precision and recall use its hard decision.
"""

import numpy as np
from scipy import stats


def _as_bool(values) -> np.ndarray:
    return np.asarray(values).astype(bool)


def accuracy(is_member, predicted) -> float:
    """Fraction of correct membership decisions."""
    return float(np.mean(_as_bool(is_member) == _as_bool(predicted)))


def balanced_accuracy(is_member, predicted) -> float:
    """0.5 * (TPR + TNR); NaN unless both members and non-members are present."""
    is_member, predicted = _as_bool(is_member), _as_bool(predicted)
    if is_member.all() or not is_member.any():
        return float("nan")
    return 0.5 * float(predicted[is_member].mean() + (~predicted[~is_member]).mean())


def precision(is_member, predicted) -> float:
    """Members among the records called members; NaN if none is called a member."""
    is_member, predicted = _as_bool(is_member), _as_bool(predicted)
    return float(is_member[predicted].mean()) if predicted.any() else float("nan")


def recall(is_member, predicted) -> float:
    """Members called members among all members (the TPR)."""
    is_member, predicted = _as_bool(is_member), _as_bool(predicted)
    return float(predicted[is_member].mean()) if is_member.any() else float("nan")


def roc_auc(is_member, scores) -> float:
    """Area under the ROC curve: P(score of a member > score of a non-member), ties count half."""
    is_member = _as_bool(is_member)
    n_pos, n_neg = int(is_member.sum()), int((~is_member).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = stats.rankdata(np.asarray(scores, dtype=np.float64))
    return float((ranks[is_member].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def step_roc(is_member, scores) -> tuple[np.ndarray, np.ndarray]:
    """(FPR, TPR) at every achievable threshold, from (0, 0) on: tied scores are one threshold,
    since no cut separates them."""
    is_member = _as_bool(is_member)
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    ranked, member = scores[order], is_member[order]
    last_of_tie = np.r_[ranked[1:] != ranked[:-1], True]
    tpr = np.r_[0.0, np.cumsum(member)[last_of_tie] / max(int(member.sum()), 1)]
    fpr = np.r_[0.0, np.cumsum(~member)[last_of_tie] / max(int((~member).sum()), 1)]
    return fpr, tpr


def tpr_at_fpr(is_member, scores, max_fpr: float) -> float:
    """Highest TPR over thresholds whose FPR is at most ``max_fpr`` (0 if none qualifies)."""
    is_member = _as_bool(is_member)
    if is_member.all() or not is_member.any():
        return float("nan")
    fpr, tpr = step_roc(is_member, scores)
    return float(tpr[fpr <= max_fpr].max())


def roc_curve(is_member, scores, grid) -> np.ndarray:
    """The step ROC read at each ``grid`` FPR: the highest TPR whose FPR is at most it."""
    fpr, tpr = step_roc(is_member, scores)
    return tpr[np.searchsorted(fpr, grid, side="right") - 1]


def mean_ci(values, level: float = 0.95) -> tuple[float, float]:
    """Mean and the half-width of its t confidence interval (NaN half-width for one value)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan")
    half = stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return mean, float(half)


def attack_metrics(
    is_member, scores, decisions=None, threshold: float = 0.5, prefix: str = ""
) -> dict:
    """Every metric of one evaluation set, keyed with ``prefix``: the ranking metrics from the
    member scores, the others from the attack's decisions (``scores > threshold`` if none)."""
    predicted = np.asarray(scores) > threshold if decisions is None else np.asarray(decisions)
    return {
        f"{prefix}accuracy": accuracy(is_member, predicted),
        f"{prefix}balanced_accuracy": balanced_accuracy(is_member, predicted),
        f"{prefix}auc": roc_auc(is_member, scores),
        f"{prefix}tpr_at_1pct_fpr": tpr_at_fpr(is_member, scores, 0.01),
        f"{prefix}tpr_at_0.1pct_fpr": tpr_at_fpr(is_member, scores, 0.001),
        f"{prefix}precision": precision(is_member, predicted),
        f"{prefix}recall": recall(is_member, predicted),
        f"{prefix}member_rate": float(np.mean(predicted)),
        f"{prefix}n": int(len(predicted)),
    }
