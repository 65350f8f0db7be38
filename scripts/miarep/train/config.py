"""The engine's settings without torch: what figures and tables need to read a model's settings.

``TrainConfig`` is one MLP's architecture and optimiser; ``train_config`` builds it from the
config's ``models.ann`` block and ``ann_columns`` gives the result tables' model columns.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields

ACTIVATIONS = ("tanh", "relu")
OPTIMIZERS = ("sgd", "adam")
OUTPUTS = ("logistic", "softmax")


@dataclass(frozen=True)
class TrainConfig:
    """Architecture and optimiser of one MLP (every model of a batch shares it).

    ``output`` is one logistic unit (binary labels 0/1) or a softmax over ``n_classes`` units;
    ``optimizer`` is scikit-learn's SGD (``momentum``, ``nesterov``) or its Adam (``beta_1``,
    ``beta_2``, ``epsilon``).
    """

    hidden: tuple[int, ...] = (50,)
    activation: str = "tanh"
    learning_rate: float = 0.001
    optimizer: str = "sgd"
    momentum: float = 0.0
    nesterov: bool = False
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    alpha: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    epochs: int = 200
    batch_size: int = 100
    tol: float | None = 1e-4
    n_iter_no_change: int = 10
    dtype: str = "float32"
    output: str = "logistic"
    n_classes: int = 2

    def __post_init__(self):
        if not 1 <= len(self.hidden) <= 10 or min(self.hidden) < 1:
            raise ValueError(f"hidden layers must be 1-10 positive widths, got {self.hidden}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.learning_rate <= 0 or self.epochs < 1 or self.batch_size < 1:
            raise ValueError("learning_rate, epochs and batch_size must be positive")
        if min(self.alpha, self.l2, self.l1, self.momentum) < 0:
            raise ValueError("penalties and momentum must be non-negative")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if not (0 <= self.beta_1 < 1 and 0 <= self.beta_2 < 1 and self.epsilon > 0):
            raise ValueError("Adam needs 0 <= beta_1, beta_2 < 1 and epsilon > 0")
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {self.output!r}")
        if self.n_classes < 2 or (self.output == "logistic" and self.n_classes != 2):
            raise ValueError(
                f"n_classes must be at least 2 (exactly 2 with a logistic output), "
                f"got {self.n_classes}"
            )

    @property
    def n_outputs(self) -> int:
        """Units of the output layer: one logistic unit, or one per class."""
        return 1 if self.output == "logistic" else self.n_classes

    @property
    def torch_dtype(self):
        """The torch dtype (torch is imported here only, so reading a config needs no torch)."""
        import torch

        return torch.float64 if self.dtype == "float64" else torch.float32


#: ANN settings that are not the engine's: ``defense`` is read by the model zoo
#: (:mod:`miarep.defenses.spec`)
NOT_ENGINE = ("defense",)


def train_config(settings: Mapping) -> TrainConfig:
    """A TrainConfig from a config mapping (lists become tuples, unknown keys are errors; the
    keys of :data:`NOT_ENGINE` are left to their readers)."""
    settings = {k: v for k, v in settings.items() if k not in NOT_ENGINE}
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(settings) - known
    if unknown:
        raise ValueError(f"unknown ANN settings {sorted(unknown)} (known: {sorted(known)})")
    values = dict(settings)
    if "hidden" in values:
        values["hidden"] = tuple(int(h) for h in values["hidden"])
    return TrainConfig(**values)


def ann_columns(settings: Mapping) -> dict:
    """An ANN's settings as the result tables' model columns: depth, width (of the first layer),
    learning rate and L2 ratio."""
    config = train_config(settings)
    return {
        "hidden_layers": len(config.hidden),
        "hidden_units": config.hidden[0],
        "learning_rate": config.learning_rate,
        "l2": config.l2,
    }
