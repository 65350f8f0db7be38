"""Nasr et al.'s inference model h(F(x), y) for adversarial regularization, K of them at once.

h judges membership from the classifier's output on a record and the record's one-hot label: a
prediction branch on the output, a label branch on the label, both concatenated into a combining
stack ending in one sigmoid unit. Widths, activations (ReLU) and the N(0, 0.01) weight init with
zero biases follow the authors' released code, Purchase variant (account N1); the output h reads
is the classifier's log-probabilities, the code's raw logits up to a shift per record (N2). Every
width is configurable so Adult can run a scaled-down h. Model k of the batch has its own
parameters from its own generator, and trains by autograd with torch's Adam, whose update is
elementwise and so per model: a batch of K h's is K independent h's.

Two training objectives: the released code's MSE between h and the membership bit (default), and
the paper's gain ``mean log h(members) + mean log(1 - h(non-members))`` (maximised).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import torch

OBJECTIVES = ("mse", "log_gain")


@dataclass(frozen=True)
class InferenceShape:
    """Hidden widths of h's three parts (the released Purchase code's by default)."""

    prediction: tuple[int, ...] = (1024, 512, 64)
    label: tuple[int, ...] = (128, 64)
    combine: tuple[int, ...] = (256, 128, 64)

    def __post_init__(self):
        for part in (self.prediction, self.label, self.combine):
            if not part or min(part) < 1:
                raise ValueError(f"every part of h needs positive widths, got {self}")


class InferenceModels(torch.nn.Module):
    """K inference models h: (K, B, C) outputs and (K, B) labels to (K, B) membership odds."""

    def __init__(
        self,
        n_classes: int,
        n_models: int,
        shape: InferenceShape,
        gens: Sequence[torch.Generator],
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ):
        super().__init__()
        if len(gens) != n_models:
            raise ValueError(f"{n_models} inference models need {n_models} generators")
        self.n_classes, self.n_models = n_classes, n_models
        self.prediction = _stack(n_classes, shape.prediction, gens, dtype, device)
        self.label = _stack(n_classes, shape.label, gens, dtype, device)
        width = shape.prediction[-1] + shape.label[-1]
        self.combine = _stack(width, (*shape.combine, 1), gens, dtype, device)

    def forward(
        self, outputs: torch.Tensor, labels: torch.Tensor, models: torch.Tensor | None = None
    ) -> torch.Tensor:
        """P(member) of each record under each model's h; ``models`` picks which h's (all)."""
        one_hot = torch.nn.functional.one_hot(labels.long(), self.n_classes).to(outputs.dtype)
        joined = torch.cat(
            [
                _run(self.prediction, outputs, models, last_relu=True),
                _run(self.label, one_hot, models, last_relu=True),
            ],
            -1,
        )
        return torch.sigmoid(_run(self.combine, joined, models, last_relu=False)).squeeze(-1)


def reads(class_probabilities: torch.Tensor) -> torch.Tensor:
    """What h reads of the classifier's (K, B, C) probabilities: their logs, the raw logits up to a
    shift per record (account N2)."""
    return class_probabilities.clamp_min(torch.finfo(class_probabilities.dtype).tiny).log()


def attack_loss(
    h_members: torch.Tensor, h_nonmembers: torch.Tensor, objective: str
) -> torch.Tensor:
    """(K,) loss each h minimises on a batch of members and one of non-members (K, B) each."""
    if objective == "mse":
        return 0.5 * ((h_members - 1).square().mean(-1) + h_nonmembers.square().mean(-1))
    if objective == "log_gain":
        return -gain(h_members, h_nonmembers)
    raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")


def gain(h_members: torch.Tensor, h_nonmembers: torch.Tensor, floor: float = 1e-12) -> torch.Tensor:
    """(K,) Nasr's empirical gain, 1/2 mean log h(D) + 1/2 mean log(1 - h(D')) (account N1)."""
    return 0.5 * (
        h_members.clamp_min(floor).log().mean(-1)
        + (1 - h_nonmembers).clamp_min(floor).log().mean(-1)
    )


def _stack(n_in, widths, gens, dtype, device) -> torch.nn.ParameterList:
    """Weights (K, in, out) drawn N(0, 0.01) per model, then biases (K, 1, out) of zeros."""
    params, previous = [], n_in
    for width in widths:
        w = torch.stack(
            [torch.randn(previous, width, generator=g, dtype=torch.float64) * 0.01 for g in gens]
        )
        params.append(torch.nn.Parameter(w.to(device, dtype)))
        params.append(
            torch.nn.Parameter(torch.zeros(len(gens), 1, width, dtype=dtype, device=device))
        )
        previous = width
    return torch.nn.ParameterList(params)


def _run(stack: torch.nn.ParameterList, a: torch.Tensor, models, last_relu: bool) -> torch.Tensor:
    n_layers = len(stack) // 2
    for layer in range(n_layers):
        w, b = stack[2 * layer], stack[2 * layer + 1]
        if models is not None:
            w, b = w.index_select(0, models), b.index_select(0, models)
        a = torch.baddbmm(b, a, w)
        if layer < n_layers - 1 or last_relu:
            a = torch.relu(a)
    return a
