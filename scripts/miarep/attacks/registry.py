"""The attacks by name. A study lists the attacks it runs (``studies.<name>.attacks``); the runner
builds them here and never imports a concrete attack itself."""

from collections.abc import Mapping

from miarep.attacks.gmia import GeneralizedMIA
from miarep.attacks.interface import Attack
from miarep.attacks.lira import LIRA_ATTACKS
from miarep.attacks.metric import METRIC_ATTACKS, BestMetricAttack
from miarep.attacks.nasr_nn import NasrNNAttack
from miarep.attacks.risk_score import RiskScoreAttack
from miarep.attacks.rmia import RMIAOffline, RMIAOnline
from miarep.attacks.shokri import ShokriAttack, StatedShokriAttack

ATTACKS: dict[str, type] = {
    attack.name: attack
    for attack in (
        ShokriAttack,
        StatedShokriAttack,
        *METRIC_ATTACKS,
        BestMetricAttack,
        RiskScoreAttack,
        NasrNNAttack,
        GeneralizedMIA,
        *LIRA_ATTACKS,
        RMIAOnline,
        RMIAOffline,
    )
}
#: the attacks a property study runs unless it names its own, in the order of the score table's
#: columns: every attack the runner can feed (target and shadow outputs) but Nasr's NN attack,
#: which the AdvReg study (rule nasr) runs; GMIA, LiRA and RMIA need reference models
DEFAULT_ATTACKS = tuple(
    name
    for name, attack in ATTACKS.items()
    if set(attack.needs) <= {"shadow"} and name != NasrNNAttack.name
)
#: the shadow splits an attack may train on
SHADOW_SPLITS = ("balanced", "member_rate")


def require_known(names, owner: str) -> None:
    """Raise ValueError naming ``owner`` and the names that are not registered attacks."""
    unknown = set(names) - set(ATTACKS)
    if unknown:
        raise ValueError(f"{owner}: unknown attacks {sorted(unknown)}")


def build(name: str, models: Mapping, engine: Mapping, evaluation: Mapping | None = None) -> Attack:
    """The attack registered as ``name``, set up from the config's blocks."""
    if name not in ATTACKS:
        raise ValueError(f"unknown attack {name!r} (registered: {sorted(ATTACKS)})")
    return ATTACKS[name].from_config(models, engine, evaluation or {})
