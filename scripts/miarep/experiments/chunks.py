"""A study cut into blocks of experiments, the blocks shared out among cluster jobs, and the merge.

Models of one block train in batches of their own (the runner sees only that block), so a
study's numbers depend on the block size and never on how many jobs share the blocks: one job
running every block (the unsplit mode) and J jobs each running a contiguous share give equal
tables, which rule merge_experiments joins (docs/account.md T14). Without a block size the study
is one block, as it always was.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

Run = Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]


def blocks(n_experiments: int, size: int | None) -> list[range]:
    """Consecutive ranges of experiment positions, ``size`` each (the last may be shorter)."""
    if size is None:
        return [range(n_experiments)]
    if size < 1:
        raise ValueError(f"a block holds at least one experiment, got {size}")
    return [range(s, min(s + size, n_experiments)) for s in range(0, n_experiments, size)]


def share(n_experiments: int, size: int | None, jobs: int, job: int) -> list[range]:
    """The blocks job ``job`` of ``jobs`` runs: a contiguous share, as even as whole blocks allow
    (a job may get none when there are fewer blocks than jobs)."""
    if not 0 <= job < jobs:
        raise ValueError(f"job {job} is not one of {jobs} jobs")
    every = blocks(n_experiments, size)
    bounds = np.linspace(0, len(every), jobs + 1).round().astype(int)
    return every[bounds[job] : bounds[job + 1]]


def run_blocks(
    run: Run, experiments: pd.DataFrame, ranges: list[range]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``run`` on each block's experiments: the result rows in order, and the score tables with
    their positional experiment numbers shifted to the study's positions."""
    if len(ranges) == 1 and ranges[0] == range(len(experiments)):
        return run(experiments)
    results, scores = [], []
    for positions in ranges:
        part, part_scores = run(experiments.iloc[positions.start : positions.stop])
        part_scores["experiment"] += np.int32(positions.start)
        results.append(part)
        scores.append(part_scores)
    if not results:
        return empty_share(experiments)
    return (
        pd.concat(results, ignore_index=True),
        pd.concat(scores, ignore_index=True),
    )


def empty_share(experiments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a job with no block writes: no rows (the merge skips it)."""
    return experiments.iloc[:0].copy(), pd.DataFrame({"experiment": np.array([], np.int32)})


def merge(
    parts: list[tuple[pd.DataFrame, pd.DataFrame]], n_experiments: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The jobs' tables joined in job order, checked to hold every experiment exactly once."""
    kept = [(r, s) for r, s in parts if len(r)]
    if not kept:
        raise ValueError("no job of the study produced any experiment")
    results = pd.concat([r for r, _ in kept], ignore_index=True)
    scores = pd.concat([s for _, s in kept], ignore_index=True)
    seen = np.unique(scores["experiment"])
    if len(results) != n_experiments or not np.array_equal(seen, np.arange(n_experiments)):
        raise ValueError(
            f"the jobs hold {len(results)} result rows and score experiments "
            f"{seen.min()}..{seen.max()} for a study of {n_experiments} experiments"
        )
    return results, scores
