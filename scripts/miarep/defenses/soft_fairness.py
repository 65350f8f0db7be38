"""The fairness properties as differentiable output penalties (beyond the paper, account R4).

Algorithm 1 scales a weight norm by exp(r); penalizing r itself shows whether that detour matters.
On each batch, with p the output probabilities and g1/g0 the protected groups of its records:

- soft delta_g = (1/C) sum_c | mean_{g1} p_c - mean_{g0} p_c |  (M3 with probabilities for labels);
- soft delta_p = mean over classes c present in both groups of
  | mean_{g1, y=c} p_c - mean_{g0, y=c} p_c |  (M4 likewise).

A class or group absent from a batch adds nothing. The groups of a batch's records are bound by
the trainer before every step (``bind``), from the rows the loop is about to use.
"""

import numpy as np
import torch

from miarep.train.penalties import Coefficient, _picked


class SoftFairness:
    """lambda * soft delta_g (``predictive=False``) or soft delta_p on each model's batch."""

    def __init__(self, lam: Coefficient, predictive: bool, protected: torch.Tensor):
        self.lam = lam
        self.predictive = predictive
        #: (N,) 0/1 of every record of the table
        self.protected = protected
        self.group: torch.Tensor | None = None

    def bind(self, rows: torch.Tensor) -> None:
        """Remember the groups (Kw, B) of the records of the next step."""
        self.group = self.protected[rows].unsqueeze(-1)

    def take(self, models: np.ndarray) -> "SoftFairness":
        return SoftFairness(_picked(self.lam, models), self.predictive, self.protected)

    def value_and_gradient(self, probs, targets, mask):
        if self.group is None:
            raise RuntimeError("SoftFairness.bind must be called before every step")
        g1 = self.group.to(probs.dtype)
        g0 = 1.0 - g1
        if mask is not None:
            g1, g0 = g1 * mask, g0 * mask
        n_records = (
            mask.sum((1, 2))
            if mask is not None
            else probs.new_full((probs.shape[0],), float(probs.shape[1]))
        ).reshape(-1, 1, 1)
        n_classes = probs.shape[-1]
        if self.predictive:
            in_class = (targets.long() == torch.arange(n_classes, device=probs.device)).to(
                probs.dtype
            )  # (K, B, C): record i has label c
            g1, g0 = g1 * in_class, g0 * in_class
        n1, n0 = g1.sum(1, keepdim=True), g0.sum(1, keepdim=True)  # (K, 1, 1 or C)
        valid = ((n1 > 0) & (n0 > 0)).to(probs.dtype)
        w1, w0 = g1 / n1.clamp(min=1), g0 / n0.clamp(min=1)
        diff = ((w1 - w0) * probs).sum(1, keepdim=True)  # (K, 1, C)
        if self.predictive:
            terms = valid.sum(-1, keepdim=True).clamp(min=1)
        else:
            valid = valid.expand_as(diff)
            terms = probs.new_tensor(float(n_classes))
        lam = torch.as_tensor(
            np.asarray(self.lam, dtype=np.float64), dtype=probs.dtype, device=probs.device
        ).reshape(-1, 1, 1)
        value = lam * (diff.abs() * valid).sum(-1, keepdim=True) / terms
        gradient = lam * torch.sign(diff) * valid / terms * (w1 - w0) * n_records
        return value.reshape(-1), gradient
