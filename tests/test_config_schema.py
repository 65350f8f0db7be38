"""The config schema: defaults and descriptions everywhere, unknown keys rejected by name."""

import copy

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SCHEMA = "workflow/schemas/config.schema.yaml"


@pytest.fixture
def config(repo):
    return yaml.safe_load((repo / "config" / "config.yaml").read_text())


def walk(schema, path="config"):
    for key, sub in schema.get("properties", {}).items():
        yield f"{path}.{key}", sub
        yield from walk(sub, f"{path}.{key}")


def test_every_key_has_description_and_default(repo):
    schema = yaml.safe_load((repo / SCHEMA).read_text())
    definitions = schema["definitions"]
    for path, sub in walk(schema):
        resolved = {**definitions[sub["$ref"].split("/")[-1]], **sub} if "$ref" in sub else sub
        assert resolved.get("description"), f"{path} has no description"
        assert "default" in resolved, f"{path} has no default"
        if resolved.get("type") == "object" and "properties" in resolved:
            assert resolved.get("additionalProperties") is False, f"{path} accepts unknown keys"


def test_default_config_is_valid_and_equals_schema_defaults(repo, config):
    validate(copy.deepcopy(config), str(repo / SCHEMA))
    filled = {}
    validate(filled, str(repo / SCHEMA), set_default=True)
    studies = config.pop("studies")
    assert filled.pop("studies") == {}  # the paper's studies live in config.yaml only
    assert filled == config
    assert {"figure_2", "figure_4", "figure_6"} <= set(studies)


def test_misspelt_key_is_rejected_by_name(repo, config):
    config["data"]["adult"]["sorces"] = ["pypi"]
    with pytest.raises(WorkflowError, match="sorces"):
        validate(config, str(repo / SCHEMA))


def test_bad_value_is_rejected(repo, config):
    config["datasets"] = ["adult", "cifar"]
    with pytest.raises(WorkflowError, match="cifar"):
        validate(config, str(repo / SCHEMA))


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("engine", "device"), "gpu0", "gpu0"),
        (("models", "lr"), {"Cc": 0.01}, "Cc"),
        (("models", "svm"), {"C": 0.0}, "0.0"),
        (("models", "rf"), {"n_estimators": 100, "max_depth": 0}, "max_depth"),
        (("models", "knn"), {"n_neighbours": 3}, "n_neighbours"),
        (("studies", "figure_2", "base", "target_size"), 0, "target_size"),
        (("studies", "figure_2", "grid", "shadow_size"), [1000, 1], "1"),
    ],
)
def test_every_block_is_closed_and_ranged(repo, config, path, value, named):
    block = config
    for key in path[:-1]:
        block = block[key]
    block[path[-1]] = value
    with pytest.raises(WorkflowError, match=named):
        validate(config, str(repo / SCHEMA))


def test_allowed_devices_and_sklearn_arguments_pass(repo, config):
    for device in ("auto", "cpu", "cuda", "cuda:1"):
        config["engine"]["device"] = device
        config["models"]["rf"] = {"n_estimators": 10, "max_depth": None, "max_features": "sqrt"}
        config["models"]["svm"] = {"C": 1.0, "gamma": "scale"}
        validate(copy.deepcopy(config), str(repo / SCHEMA))
