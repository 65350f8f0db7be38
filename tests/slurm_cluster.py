"""A real single-node SLURM cluster for the tests: Debian's slurm-wlm and munge, started in a
temporary folder and stopped afterwards (no accounting database: Snakemake's SLURM plugin reads
job states with squeue, which MinJobAge keeps answering for finished jobs).

The config goes to SLURM's default place, /etc/slurm/slurm.conf, and is removed afterwards:
inside a job the plugin clears every SLURM_* variable, SLURM_CONF too, before it calls srun.
A config already there belongs to a real cluster, and the cluster is then not started.
"""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

PACKAGES = ("slurm-wlm", "munge")
CONF = Path("/etc/slurm/slurm.conf")
MARK = "# written by tests/slurm_cluster.py; removed when its test cluster stops"
DAEMONS = ("slurmctld", "slurmd", "munged")


def missing_tools() -> list[str]:
    tools = ("slurmctld", "slurmd", "munged", "sbatch", "srun", "squeue", "scontrol")
    return [
        tool for tool in tools if not shutil.which(tool) and not Path("/usr/sbin", tool).exists()
    ]


def install() -> None:
    """Install Debian's packages (as root, with apt); raises on failure."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PACKAGES]):
        subprocess.run(command, check=True, env=env, capture_output=True)


def _conf(folder: Path, node: str, cpus: int, memory_mb: int) -> str:
    return "\n".join(
        [
            MARK,
            "ClusterName=miarep-test",
            f"SlurmctldHost={node}(127.0.0.1)",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            f"AuthInfo=socket={folder}/munge/munge.socket",
            f"StateSaveLocation={folder}/state",
            f"SlurmdSpoolDir={folder}/spool",
            f"SlurmctldPidFile={folder}/slurmctld.pid",
            f"SlurmdPidFile={folder}/slurmd.pid",
            f"SlurmctldLogFile={folder}/slurmctld.log",
            f"SlurmdLogFile={folder}/slurmd.log",
            "SlurmctldPort=6917",
            "SlurmdPort=6918",
            # a container has no systemd or cgroup hierarchy of its own for SLURM to manage
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "SchedulerType=sched/backfill",
            "ReturnToService=2",
            # finished jobs stay visible to squeue for an hour (the plugin's status source)
            "MinJobAge=3600",
            "MpiDefault=none",
            f"NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN",
            f"PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP",
            "",
        ]
    )


def _wait(condition, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise TimeoutError(f"SLURM test cluster: {what} within {timeout_s:.0f} s")


@contextmanager
def cluster(folder: Path, cpus: int = 2, memory_mb: int = 4000):
    """Start munged, slurmctld and slurmd; yield the environment that reaches them (SLURM_CONF);
    stop the daemons on exit, whatever happened."""
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("state", "spool", "munge"):
        (folder / sub).mkdir(exist_ok=True)
    node = socket.gethostname().split(".")[0]
    if CONF.exists() and not CONF.read_text().startswith(MARK):
        raise FileExistsError(f"{CONF} exists: this machine has a SLURM of its own")
    CONF.parent.mkdir(parents=True, exist_ok=True)
    CONF.write_text(_conf(folder, node, cpus, memory_mb))
    conf = CONF
    env = {**os.environ, "SLURM_CONF": str(conf)}
    socket_path = folder / "munge" / "munge.socket"
    started: list[subprocess.Popen] = []
    try:
        started.append(
            subprocess.Popen(
                [
                    "/usr/sbin/munged",
                    "--foreground",
                    "--force",
                    f"--socket={socket_path}",
                    f"--pid-file={folder / 'munge' / 'munged.pid'}",
                    f"--log-file={folder / 'munge' / 'munged.log'}",
                    f"--seed-file={folder / 'munge' / 'munged.seed'}",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait(socket_path.exists, "munged did not open its socket")
        for daemon in ("slurmctld", "slurmd"):
            started.append(
                subprocess.Popen(
                    [f"/usr/sbin/{daemon}", "-D", "-f", str(conf)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

        def idle() -> bool:
            done = subprocess.run(
                ["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True
            )
            return done.returncode == 0 and done.stdout.strip() in ("idle", "mix", "alloc")

        _wait(idle, "the node did not come up idle")
        yield env
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if CONF.exists() and CONF.read_text().startswith(MARK):
            CONF.unlink()


def jobs_of(env: dict) -> list[dict]:
    """Every job the controller still knows (MinJobAge keeps finished ones): name, state."""
    done = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%i|%j|%T|%k"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split("|") for line in done.stdout.splitlines() if line.strip()]
    return [{"id": i, "name": n, "state": s, "comment": c} for i, n, s, c in rows]
