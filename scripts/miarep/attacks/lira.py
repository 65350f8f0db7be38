"""Carlini et al.'s likelihood-ratio attack (LiRA, 2022) behind the attack interface
(docs/account.md L1).

The signal is the logit-scaled confidence of the true label, phi = log p_y - log sum_{j != y} p_j,
which is close to Gaussian across models trained with and without a record. From the reference
models' signals on each query record (the reference part of the input, with its membership
matrix):

- online: Gaussians fitted to the IN and the OUT references' signals; the score is the log
  likelihood ratio log N(phi; mu_in, s_in) - log N(phi; mu_out, s_out), a member when above 0;
- offline (OUT references only): the score is log Phi((phi - mu_out) / s_out), the one-sided test
  that phi is larger than a non-member's, a member when phi > mu_out.

With ``fixed_variance`` every record shares one standard deviation per side (the pooled standard
deviation of all records' reference signals about their own means), as Carlini et al. recommend
when there are few references; otherwise each record has its own.
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from scipy import stats

from miarep.attacks.interface import AttackInput, AttackOutput
from miarep.attacks.signals import true_label_probability

#: the smallest standard deviation a fit may have (a record every reference scores alike)
MIN_SD = 1e-6


def scaled_confidence(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """phi = log p_y - log(1 - p_y) of (..., n, C) outputs, computed stably."""
    probs = np.asarray(probs, dtype=np.float64)
    true = true_label_probability(probs, labels)
    rest = probs.sum(-1) - true
    tiny = np.finfo(np.float64).tiny
    return np.log(np.clip(true, tiny, None)) - np.log(np.clip(rest, tiny, None))


def gaussian_fit(signals: np.ndarray, mask: np.ndarray, fixed_variance: bool):
    """Per record (column) the mean and standard deviation of the masked rows of (R, n) signals;
    with ``fixed_variance`` one pooled standard deviation for all records."""
    counts = mask.sum(0)
    if (counts < 1).any():
        raise ValueError("LiRA needs at least one reference of each side per record")
    mean = np.where(mask, signals, 0.0).sum(0) / counts
    deviations = np.where(mask, signals - mean, 0.0)
    if fixed_variance:
        dof = max(int(counts.sum() - len(counts)), 1)
        sd = np.full(len(counts), np.sqrt((deviations**2).sum() / dof))
    else:
        sd = np.sqrt((deviations**2).sum(0) / np.maximum(counts - 1, 1))
    return mean, np.maximum(sd, MIN_SD)


def lira_scores(
    target_signal: np.ndarray,
    reference_signals: np.ndarray,
    reference_member: np.ndarray,
    online: bool,
    fixed_variance: bool,
) -> np.ndarray:
    """LiRA's statistic per query record (module docstring)."""
    member = np.asarray(reference_member, bool)
    mu_out, sd_out = gaussian_fit(reference_signals, ~member, fixed_variance)
    if not online:
        return stats.norm.logcdf((target_signal - mu_out) / sd_out)
    mu_in, sd_in = gaussian_fit(reference_signals, member, fixed_variance)
    return stats.norm.logpdf(target_signal, mu_in, sd_in) - stats.norm.logpdf(
        target_signal, mu_out, sd_out
    )


class LiRAOnline:
    """LiRA with IN and OUT references, a variance per record (registry name ``lira_online``)."""

    name: ClassVar[str] = "lira_online"
    needs: ClassVar[tuple[str, ...]] = ("reference",)
    shadow_split: ClassVar[str] = "balanced"
    online: ClassVar[bool] = True
    fixed_variance: ClassVar[bool] = False

    @classmethod
    def from_config(cls, models: Mapping, engine: Mapping, evaluation: Mapping | None = None):
        return cls()

    def run(self, inputs: Sequence[AttackInput], root_seed: int) -> list[AttackOutput]:
        outputs = []
        for one in inputs:
            signals = scaled_confidence(one.reference_probs, one.labels)
            target = scaled_confidence(one.target_probs, one.labels)
            score = lira_scores(
                target, signals, one.reference_member, self.online, self.fixed_variance
            )
            cut = 0.0 if self.online else np.log(0.5)
            outputs.append(AttackOutput(score, score > cut))
        return outputs


class LiRAOnlineFixed(LiRAOnline):
    """Online LiRA with one variance per side for all records (``lira_online_fixed``)."""

    name: ClassVar[str] = "lira_online_fixed"
    fixed_variance: ClassVar[bool] = True


class LiRAOffline(LiRAOnline):
    """LiRA with OUT references only, a variance per record (``lira_offline``)."""

    name: ClassVar[str] = "lira_offline"
    online: ClassVar[bool] = False


class LiRAOfflineFixed(LiRAOnline):
    """Offline LiRA with one variance for all records (``lira_offline_fixed``)."""

    name: ClassVar[str] = "lira_offline_fixed"
    online: ClassVar[bool] = False
    fixed_variance: ClassVar[bool] = True


LIRA_ATTACKS = (LiRAOnline, LiRAOnlineFixed, LiRAOffline, LiRAOfflineFixed)
