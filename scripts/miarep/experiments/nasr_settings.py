"""The AdvReg study's settings for one dataset: the config's ``nasr`` block with that dataset's
``overrides`` merged in (stdlib only: the workflow reads it when it builds the DAG)."""

import copy
from collections.abc import Mapping

#: the keys of the ``nasr`` block that are not the study's settings
OWN_KEYS = ("datasets", "overrides")


def merged(base: Mapping, changes: Mapping) -> dict:
    """``base`` with ``changes`` applied, mappings merged key by key (recursively)."""
    out = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def nasr_settings(config: Mapping, dataset: str) -> dict:
    """{"study": the study's settings on ``dataset``, "models": the models block it uses}."""
    block = config["nasr"]
    changes = dict(block.get("overrides", {}).get(dataset, {}))
    attack = changes.pop("nasr_attack", {})
    study = merged({k: v for k, v in block.items() if k not in OWN_KEYS}, changes)
    models = merged(config["models"], {"nasr_attack": attack})
    return {"study": study, "models": models}
