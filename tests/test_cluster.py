"""A study split into jobs (config chunking.*), merged back, locally and on a real SLURM cluster
through Snakemake's SLURM executor plugin with the repository's own profile."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import slurm_cluster
import yaml
from tiny_setups import figure_3_config, place_adult

pytestmark = pytest.mark.workflow
REPO = Path(__file__).resolve().parents[1]
TABLES = ("experiments", "scores")


def chunked_config(folder: Path, jobs: int) -> Path:
    """Figure 3 at the tiny config's scale (4 experiments), one experiment a block, shared among
    ``jobs`` jobs."""
    path = folder / f"chunked_{jobs}.yaml"
    config = figure_3_config(chunking={"experiments": 1, "jobs": jobs})
    path.write_text(yaml.safe_dump(config))
    return path


def workdir_with_adult(folder: Path, adult_raw: Path) -> Path:
    place_adult(folder, adult_raw)
    return folder


def snakemake(work: Path, config: Path, *args, env=None) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(work),
        *map(str, args),
        "figures/figure_3.pdf",
        "--configfile",
        str(config),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def tables(work: Path) -> dict[str, pd.DataFrame]:
    return {
        kind: pd.read_parquet(work / "results" / kind / "figure_3" / "adult.parquet")
        for kind in TABLES
    }


@pytest.fixture(scope="module")
def unsplit(tmp_path_factory, adult_raw) -> dict[str, pd.DataFrame]:
    """The study run as one local job (chunking.jobs: 1) over the same blocks."""
    folder = tmp_path_factory.mktemp("unsplit")
    work = workdir_with_adult(folder / "work", adult_raw)
    snakemake(work, chunked_config(folder, 1), "--cores", "2")
    assert not (work / "results" / "chunks").exists()
    return tables(work)


def assert_equal_tables(left: dict, right: dict) -> None:
    for kind in TABLES:
        pd.testing.assert_frame_equal(left[kind], right[kind], check_exact=True, obj=kind)


def test_a_study_split_into_jobs_merges_into_the_unsplit_tables(unsplit, tmp_path, adult_raw):
    work = workdir_with_adult(tmp_path / "work", adult_raw)
    snakemake(work, chunked_config(tmp_path, 3), "--cores", "2")
    shares = sorted((work / "results" / "chunks" / "experiments" / "figure_3").iterdir())
    assert [p.name for p in shares] == [f"adult.{job}.parquet" for job in range(3)]
    # 4 blocks over 3 jobs: 1, 2 and 1 experiments
    assert [len(pd.read_parquet(p)) for p in shares] == [1, 2, 1]
    log = work / "results" / "chunks" / "logs" / "run_experiments_figure_3_adult.1.log"
    assert "job 2 of 3: experiments 1-1, 2-2" in log.read_text()
    assert len(unsplit["experiments"]) == 4
    assert_equal_tables(tables(work), unsplit)


def slurm_or_skip() -> None:
    """Debian's SLURM and munge: installed by the test when CI runs as root (a failure to install
    is a failure there), else the test skips naming what is missing."""
    missing = slurm_cluster.missing_tools()
    if not missing:
        return
    if os.environ.get("CI"):
        if os.geteuid() != 0:
            pytest.fail("CI must run the SLURM test as root, to install slurm-wlm and munge")
        slurm_cluster.install()
        assert not slurm_cluster.missing_tools(), "slurm-wlm and munge did not install"
        return
    pytest.skip(f"needs Debian's slurm-wlm and munge (missing {', '.join(missing)}); CI installs")


def test_the_workflow_runs_on_a_real_slurm_cluster(unsplit, tmp_path, adult_raw):
    slurm_or_skip()
    if os.geteuid() != 0:
        pytest.skip("starts slurmctld and slurmd as their SlurmUser, root")
    work = workdir_with_adult(tmp_path / "work", adult_raw)
    with slurm_cluster.cluster(tmp_path / "slurm", cpus=2, memory_mb=16000) as env:
        done = snakemake(
            work,
            chunked_config(tmp_path, 3),
            "--workflow-profile",
            REPO / "profiles" / "slurm",
            # the test cluster has no accounting database: no account, job states from squeue
            "--slurm-no-account",
            "--slurm-status-command",
            "squeue",
            "--slurm-init-seconds-before-status-checks",
            "1",
            "--seconds-between-status-checks",
            "2",
            env=env,
        )
        jobs = slurm_cluster.jobs_of(env)
    assert "executor: slurm" in (REPO / "profiles" / "slurm" / "config.yaml").read_text()
    assert jobs and {job["state"] for job in jobs} == {"COMPLETED"}, jobs
    ran = [job["comment"] for job in jobs]
    # every job of the DAG was a SLURM job, the three shares and their merge included
    for rule in ("acquire_adult", "preprocess", "sample", "merge_experiments", "figure"):
        assert any(c.startswith(f"rule_{rule}") for c in ran), (rule, ran, done.stdout)
    assert sum(c.startswith("rule_run_experiments") for c in ran) == 3, ran
    local = [line for line in done.stderr.splitlines() if line.startswith("localrule ")]
    assert not local, local
    assert_equal_tables(tables(work), unsplit)
