"""The attacks by name. A study lists the attacks it runs (``studies.<name>.attacks``); the runner
builds them here and never imports a concrete attack itself."""

from collections.abc import Mapping

from miarep.attacks.interface import Attack
from miarep.attacks.shokri import ShokriAttack

ATTACKS: dict[str, type] = {attack.name: attack for attack in (ShokriAttack,)}
DEFAULT_ATTACKS = ("shokri",)


def build(name: str, models: Mapping, engine: Mapping) -> Attack:
    """The attack registered as ``name``, set up from the config's ``models`` and ``engine``."""
    if name not in ATTACKS:
        raise ValueError(f"unknown attack {name!r} (registered: {sorted(ATTACKS)})")
    return ATTACKS[name].from_config(models, engine)
