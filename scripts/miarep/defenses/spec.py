"""What a defended model is: the defense's name, its lambda, and Algorithm 1's constants.

A defense rides in an ANN's settings as ``defense: {name, lambda, ...}`` (the experiment table's
``defense`` and ``defense_lambda`` fields put it there), so a shadow trained like the target is
trained with the same defense: the adaptive attacker (docs/account.md R5).

Names (docs/account.md R1-R4):

- ``none``: no penalty (lambda is ignored);
- ``l1``, ``l2``: lambda * sum |W| and lambda * sum W^2 on the mean loss;
- ``delta_g``, ``delta_p``, ``delta_i``, ``I_X``: Algorithm 1, lambda * exp(r) * sum |W| with r the
  largest of l values of the property on fine-tuned copies;
- ``delta_p_squared``: the paper's Texas variant, lambda * r * sum W^2 with r from delta_p;
- ``soft_delta_g``, ``soft_delta_p``: beyond the paper, the property itself, computed on output
  probabilities per batch, as a differentiable output penalty lambda * soft delta.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields

from miarep.core.errors import ConfigError

#: Algorithm 1's properties (r) by defense name
ALGORITHM_1 = {
    "delta_g": "delta_g",
    "delta_p": "delta_p",
    "delta_i": "delta_i",
    "I_X": "I_X",
    "delta_p_squared": "delta_p",
}
WEIGHT_BASELINES = ("l1", "l2")
OUTPUT_PENALTIES = ("soft_delta_g", "soft_delta_p")
DEFENSES = ("none", *WEIGHT_BASELINES, *ALGORITHM_1, *OUTPUT_PENALTIES)


@dataclass(frozen=True)
class DefenseSpec:
    """One defense and its constants (Algorithm 1's l copies of m records each, account R2)."""

    name: str = "none"
    lam: float = 0.0
    copies: int = 5
    records: int = 1000

    def __post_init__(self):
        if self.name not in DEFENSES:
            raise ConfigError(f"unknown defense {self.name!r} (use one of {DEFENSES})")
        if self.lam < 0 or self.copies < 1 or self.records < 1:
            raise ConfigError(
                f"defense {self.name}: lambda must be >= 0, copies and records >= 1, got "
                f"lambda={self.lam}, copies={self.copies}, records={self.records}"
            )

    @property
    def measured(self) -> str | None:
        """The model property Algorithm 1 measures, or None for the other defenses."""
        return ALGORITHM_1.get(self.name)

    @property
    def scale(self) -> str:
        """How r scales the weight penalty: ``exp`` (Algorithm 1) or ``linear`` (Texas variant)."""
        return "linear" if self.name == "delta_p_squared" else "exp"

    @property
    def norm(self) -> str:
        """The weight norm Algorithm 1 scales: ``l1``, or ``l2`` for the Texas variant."""
        return "l2" if self.name == "delta_p_squared" else "l1"


def defense_spec(settings: Mapping | None) -> DefenseSpec:
    """A DefenseSpec from an ANN's ``defense`` mapping (None or absent: no defense)."""
    if not settings:
        return DefenseSpec()
    values = dict(settings)
    if "lambda" in values:
        values["lam"] = values.pop("lambda")
    known = {f.name for f in fields(DefenseSpec)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(
            f"unknown defense settings {sorted(unknown)} (known: name, lambda, copies, records)"
        )
    if "lam" in values:
        values["lam"] = float(values["lam"])
    return DefenseSpec(**values)
