"""The package by layer: imports go downward only, configs read by figures need no torch, every
script's import closure is in its rule's conda env, and nothing cites a file outside the repo."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from miarep.core.closure import closure_digest, package_closure, third_party_imports

#: The layers, lowest first; a module may import its own layer and the ones before it.
LAYERS = ["core", "data", "measures", "sampling", "train", "attacks", "defenses", "experiments"]
LAYERS.append("report")
#: Import name -> conda package name, where they differ.
CONDA_NAMES = {"sklearn": "scikit-learn", "yaml": "pyyaml"}
#: What pandas needs for Parquet without naming it in an import.
IMPLIED = {"pandas": {"pyarrow"}}


def package_modules(repo):
    root = repo / "scripts" / "miarep"
    return sorted(p for p in root.rglob("*.py") if p.parent != root)


def test_every_layer_has_a_docstring_saying_what_belongs_there(repo):
    root = repo / "scripts" / "miarep"
    for layer in (p for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert layer.name in LAYERS, f"{layer.name} is not a known layer"
        doc = ast.get_docstring(ast.parse((layer / "__init__.py").read_text()))
        assert doc and len(doc) > 60, f"miarep/{layer.name} needs a docstring"


def test_imports_only_go_downward(repo):
    wrong = []
    for path in package_modules(repo):
        layer = path.relative_to(repo / "scripts" / "miarep").parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] != "miarep":
                    continue
                target = parts[1] if len(parts) > 1 else None
                if target is None or LAYERS.index(target) > LAYERS.index(layer):
                    wrong.append(f"{path.relative_to(repo)} ({layer}) imports {name}")
    assert wrong == []


def test_no_flat_module_is_left_in_the_package(repo):
    assert [p.name for p in (repo / "scripts" / "miarep").glob("*.py")] == ["__init__.py"]


def test_figure_and_table_scripts_need_no_torch(repo):
    for script in ("figure", "figure_8", "figure_11", "table"):
        path = repo / "scripts" / f"{script}.py"
        assert "torch" not in third_party_imports(path, repo / "scripts"), script
    # and really import without it
    code = (
        "import sys\n"
        "import miarep.report.figures, miarep.report.model_figures, miarep.report.tables\n"
        "import miarep.train.config\n"
        "assert 'torch' not in sys.modules, 'a figure or table module imported torch'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repo / "scripts")


def rules_with_scripts(repo):
    """(rule, conda env file, script) for every rule with a script."""
    found = []
    for smk in sorted((repo / "workflow" / "rules").glob("*.smk")):
        # rules of their own (rule x:) and rules generated in a loop (rule: name: ...)
        for block in re.split(r"\n(?=[ \t]*rule\b)", smk.read_text()):
            name = re.match(r"\s*rule (\w+):", block) or re.search(r"name:\s+(\S+)", block)
            script = re.search(r'script:\s*"\.\./\.\./scripts/(\w+)\.py"', block)
            env = re.search(r'conda:\s*"\.\./\.\./(envs/[\w.]+)"', block)
            if name and script:
                assert env, f"rule {name.group(1)} names no conda env"
                found.append((name.group(1), env.group(1), script.group(1)))
    return found


def test_every_script_import_closure_is_covered_by_its_rules_conda_env(repo):
    missing = []
    for rule, env, script in rules_with_scripts(repo):
        spec = yaml.safe_load((repo / env).read_text())
        entries = [d for d in spec["dependencies"] if isinstance(d, str)]
        entries += [p for d in spec["dependencies"] if isinstance(d, dict) for p in d["pip"]]
        packages = {entry.split("=")[0] for entry in entries}
        needed = third_party_imports(repo / "scripts" / f"{script}.py", repo / "scripts")
        needed = {CONDA_NAMES.get(n, n) for n in needed}
        needed |= set().union(*(IMPLIED.get(n, set()) for n in needed))
        if not needed <= packages:
            missing.append(f"rule {rule} ({env}) lacks {sorted(needed - packages)}")
    assert missing == []
    assert len(rules_with_scripts(repo)) >= 13  # every rule definition with a script


def test_rerun_digests_follow_the_real_import_closure(repo, tmp_path):
    scripts = repo / "scripts"
    closure = {
        p.relative_to(scripts).as_posix() for p in package_closure(scripts / "sample.py", scripts)
    }
    # seeding and discretize were missing from the hand-kept lists this replaces
    assert {"miarep/core/seeding.py", "miarep/data/discretize.py"} <= closure
    assert "miarep/train/engine.py" not in closure
    # an edit anywhere in the closure changes the digest
    copy = tmp_path / "scripts"
    subprocess.run(["cp", "-r", str(scripts), str(copy)], check=True)
    before = closure_digest(copy / "sample.py", copy)
    seeding = copy / "miarep" / "core" / "seeding.py"
    seeding.write_text(seeding.read_text() + "\n# edited\n")
    assert closure_digest(copy / "sample.py", copy) != before


def test_no_tracked_file_cites_a_file_outside_the_repository(repo):
    files = subprocess.run(
        ["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    pattern = re.compile(r"paper-spec|A\.6|DESIGN\.md|\.\./shared")
    this = Path(__file__).relative_to(repo).as_posix()
    hits = [
        f"{name}: {line.strip()[:80]}"
        for name in files
        if name != this and (repo / name).is_file()
        for line in (repo / name).read_text(errors="ignore").splitlines()
        if pattern.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("tag", ["D1", "P2", "M1", "M5", "T1", "T4", "E1", "S4", "S9"])
def test_the_account_defines_the_tags_the_code_cites(repo, tag):
    assert f"**{tag} " in (repo / "docs" / "account.md").read_text()
