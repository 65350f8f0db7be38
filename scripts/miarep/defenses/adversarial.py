"""The classifier's side of adversarial regularization: lambda times h's verdict on its members.

On each classifier step the engine adds, per model, an output penalty on the member batch B:
``lambda * (mean_B h(F(x), y) - 0.5)`` as the authors' released code has it (default, ``linear``),
or the paper's ``lambda * mean_B log h(F(x), y)`` (``log``). h is the model's own inference model,
held fixed during the step (account N1). h reads the classifier's log-probabilities: the raw
logits up to a shift per record, which the engine's interface (a gradient with respect to the
probabilities) can carry exactly, where a function of the raw logits' shift could not (N2).
"""

import numpy as np
import torch

from miarep.attacks.inference_model import InferenceModels, reads
from miarep.train.penalties import Coefficient

FORMS = ("linear", "log")


class AdversarialPenalty:
    """Output penalty lambda * h's mean verdict on each model's batch (module docstring)."""

    def __init__(
        self,
        lam: Coefficient,  # a number, or one value per model of the whole batch
        h: InferenceModels,
        form: str = "linear",
        models: np.ndarray | None = None,
    ):
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form!r}")
        self.lam, self.h, self.form = lam, h, form
        self.models = np.arange(h.n_models) if models is None else np.asarray(models)

    def take(self, models: np.ndarray) -> "AdversarialPenalty":
        """The listed models' share; it reads the same lambda array (a trainer may rewrite it)."""
        return AdversarialPenalty(self.lam, self.h, self.form, self.models[np.asarray(models)])

    def value_and_gradient(self, probs, targets, mask):
        with torch.inference_mode(False), torch.enable_grad():
            # the loop runs in inference mode: autograd needs normal copies of its tensors
            leaf = probs.detach().clone().requires_grad_(True)
            plain_mask = None if mask is None else mask.clone()
            value, total = self._value(leaf, targets.clone(), plain_mask)
            (gradient,) = torch.autograd.grad(total, leaf)
        # a caller that differentiates the value itself (the autograd check) gets it on its graph
        value = self._value(probs, targets, mask)[0] if probs.requires_grad else value.detach()
        return value, gradient.detach()

    def _value(self, probs, targets, mask):
        """(K,) penalty, and the sum over models of lambda * (sum of per-record terms)."""
        models = torch.as_tensor(self.models, device=probs.device)
        verdict = self.h(reads(probs), targets[..., 0], models)
        floor = torch.finfo(probs.dtype).tiny
        terms = verdict if self.form == "linear" else verdict.clamp_min(floor).log()
        weights = torch.ones_like(terms) if mask is None else mask[..., 0].to(terms.dtype)
        n_records = weights.sum(1).clamp(min=1)
        lam = self.lam if np.isscalar(self.lam) else np.asarray(self.lam)[self.models]
        lam = torch.as_tensor(np.asarray(lam), dtype=terms.dtype, device=terms.device)
        summed = (terms * weights).sum(1)
        offset = 0.5 if self.form == "linear" else 0.0
        value = lam * (summed / n_records - offset)
        return value, (lam * summed).sum()
