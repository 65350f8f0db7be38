"""The README's two command lines are what CI runs and what the project's files support."""

import re


def test_ci_runs_the_readme_test_command(repo):
    readme = (repo / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.DOTALL)
    install_and_run, install_and_test = blocks[0], blocks[1]
    assert "envs/requirements.txt" in install_and_run and "snakemake" in install_and_run
    assert install_and_test in (repo / ".ci" / "run").read_text()


def test_requirements_pin_every_package(repo):
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (repo / "envs" / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert "==" in line, f"{name}: {line} is not pinned"
    assert "torch==2.13.0" in (repo / "envs" / "requirements.txt").read_text()


def test_what_reproduces_is_the_committed_snapshot(repo):
    """The README's "What reproduces" list is the rendering of the committed scorecard."""
    from miarep.report import what_reproduces

    snapshot = repo / "snapshot"
    assert (snapshot / "claims.csv").is_file() and (snapshot / "claims.md").is_file()
    stamp = what_reproduces.stamp_of((snapshot / "claims.md").read_text())
    assert "-dirty" not in stamp and "unknown" not in stamp
    readme = (repo / "README.md").read_text()
    assert what_reproduces.generated_block(readme) == what_reproduces.from_snapshot(snapshot)
