"""How training jobs use threads (stdlib only: the workflow imports it while it loads).

OpenMP reads OMP_WAIT_POLICY once, when torch starts in a job; jobs inherit the environment of
the Snakemake process that starts them, so setting it there sets it for every job.
"""

import os

WAIT_POLICIES = ("passive", "active")


def set_wait_policy(policy: str) -> None:
    """Passive threads sleep while they wait for work, active ones spin: spinning is a little
    faster alone and several times slower beside a busy process (docs/account.md T8)."""
    if policy not in WAIT_POLICIES:
        raise ValueError(f"engine.wait_policy must be one of {WAIT_POLICIES}, got {policy!r}")
    os.environ["OMP_WAIT_POLICY"] = policy.upper()
