"""How training jobs use threads (stdlib only: the workflow imports it while it loads).

OpenMP reads OMP_WAIT_POLICY once, when torch starts in a job; jobs inherit the environment of
the Snakemake process that starts them, so setting it there sets it for every job.

Waiting threads either spin (OpenMP's default: a short spin, then sleep) or sleep at once
(``PASSIVE``). Spinning is much faster when the job has its cores to itself: the engine's steps are
many small parallel operations, and a sleeping thread takes a wake-up per operation (a leaky 5x50
Table 5 cell: 26 s spinning, 73 s passive). Beside a busy process spinning is several times slower
(docs/account.md T8). ``auto`` spins when Snakemake can never run more threads than the machine
has cores, and waits passively otherwise.
"""

import os

WAIT_POLICIES = ("auto", "passive", "active")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity: a SLURM or cgroup allocation)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS)
        return os.cpu_count() or 1


def wait_policy_for(policy: str, cores: int | None, usable: int) -> str | None:
    """The OMP_WAIT_POLICY a run at ``cores`` (Snakemake's --cores; None: unbounded) should set on
    a machine with ``usable`` cores: ``PASSIVE``, ``ACTIVE``, or None for OpenMP's default spin."""
    if policy not in WAIT_POLICIES:
        raise ValueError(f"engine.wait_policy must be one of {WAIT_POLICIES}, got {policy!r}")
    if policy == "auto":
        return None if cores is not None and cores <= usable else "PASSIVE"
    return policy.upper()


def set_wait_policy(policy: str, cores: int | None = None) -> None:
    """Set (or, for OpenMP's default, remove) OMP_WAIT_POLICY for the jobs this run starts."""
    chosen = wait_policy_for(policy, cores, usable_cores())
    if chosen is None:
        os.environ.pop("OMP_WAIT_POLICY", None)
    else:
        os.environ["OMP_WAIT_POLICY"] = chosen
