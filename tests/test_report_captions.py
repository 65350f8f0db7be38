"""Report captions render their counts from the config in force, not from the paper's scale."""

import copy
from types import SimpleNamespace

import jinja2
import pytest
import yaml
from snakemake.utils import validate

CAPTIONS = "workflow/report"
SCHEMA = "workflow/schemas/config.schema.yaml"


def config_in_force(repo, name):
    """The config a run with only this config file uses (schema defaults filled in)."""
    config = yaml.safe_load((repo / "config" / name).read_text())
    validate(config, str(repo / SCHEMA), set_default=True)
    return config


def render(repo, caption, config):
    text = (repo / CAPTIONS / caption).read_text()
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text)
    return template.render(snakemake=SimpleNamespace(config=copy.deepcopy(config)))


@pytest.mark.parametrize("name", ["config.yaml", "quick.yaml"])
def test_every_caption_renders(repo, name):
    config = config_in_force(repo, name)
    for caption in sorted((repo / CAPTIONS).glob("*.rst")):
        text = render(repo, caption.name, config)
        assert "{{" not in text and "{%" not in text, caption.name


def test_captions_quote_the_quick_runs_counts(repo):
    quick = config_in_force(repo, "quick.yaml")
    assert "10 per\nvalue in this run" in render(repo, "figure_4.rst", quick)
    assert "retrained 100 times in this run (20 per class" in render(repo, "figure_9.rst", quick)
    assert "members (50-90%)" in render(repo, "figure_10.rst", quick)
    assert "Adult at 4000 target records" in render(repo, "figure_11.rst", quick)
    paper = config_in_force(repo, "config.yaml")
    assert "100 per\nvalue in this run" in render(repo, "figure_4.rst", paper)
    assert "retrained 1000 times in this run (200 per" in render(repo, "figure_9.rst", paper)


def test_protocol_share_follows_the_member_rate(repo):
    config = config_in_force(repo, "quick.yaml")
    config["sampling"]["member_rate"] = 0.6
    text = render(repo, "figure_2.rst", config)
    assert "60% members" in text and "75%" not in text
