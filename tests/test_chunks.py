"""A study's blocks shared out among jobs and merged back (miarep.experiments.chunks)."""

import numpy as np
import pandas as pd
import pytest

from miarep.experiments import chunks


def test_blocks_cover_the_study_once_and_jobs_take_contiguous_shares():
    assert chunks.blocks(7, None) == [range(7)]
    assert chunks.blocks(7, 3) == [range(0, 3), range(3, 6), range(6, 7)]
    for jobs in (1, 2, 3, 5):
        shares = [chunks.share(7, 3, jobs, job) for job in range(jobs)]
        flat = [b for share in shares for b in share]
        assert flat == chunks.blocks(7, 3), jobs
    # more jobs than blocks: some jobs get none
    assert sum(chunks.share(7, 3, 5, job) == [] for job in range(5)) == 2
    with pytest.raises(ValueError, match="job 3 is not one of 3"):
        chunks.share(7, 3, 3, 3)
    with pytest.raises(ValueError, match="at least one"):
        chunks.blocks(7, 0)


def fake_run(part: pd.DataFrame):
    """A study's run on some experiments: a row each, two score rows each numbered by position."""
    results = part[["experiment"]].assign(value=part["experiment"] * 10.0)
    scores = pd.DataFrame(
        {
            "experiment": np.repeat(np.arange(len(part), dtype=np.int32), 2),
            "score": np.repeat(part["experiment"].to_numpy(), 2).astype(np.float32),
        }
    )
    return results.reset_index(drop=True), scores


def test_jobs_merged_equal_one_job_running_every_block():
    experiments = pd.DataFrame({"experiment": np.arange(7)})
    unsplit = chunks.run_blocks(fake_run, experiments, chunks.share(7, 2, 1, 0))
    assert unsplit[1]["experiment"].dtype == np.int32
    for jobs in (2, 3, 4, 6):
        parts = [
            chunks.run_blocks(fake_run, experiments, chunks.share(7, 2, jobs, job))
            for job in range(jobs)
        ]
        merged = chunks.merge(parts, 7)
        pd.testing.assert_frame_equal(merged[0], unsplit[0])
        pd.testing.assert_frame_equal(merged[1], unsplit[1])
    # the score rows' experiment numbers are the study's positions
    assert (unsplit[1]["experiment"] == unsplit[1]["score"]).all()
    # without blocks the run sees the whole study at once
    whole = chunks.run_blocks(fake_run, experiments, chunks.share(7, None, 1, 0))
    pd.testing.assert_frame_equal(whole[0], fake_run(experiments)[0])


def test_a_merge_missing_a_share_fails():
    experiments = pd.DataFrame({"experiment": np.arange(6)})
    parts = [chunks.run_blocks(fake_run, experiments, chunks.share(6, 2, 3, j)) for j in (0, 2)]
    with pytest.raises(ValueError, match="study of 6 experiments"):
        chunks.merge(parts, 6)
    empty = chunks.run_blocks(fake_run, experiments, [])
    with pytest.raises(ValueError, match="no job"):
        chunks.merge([empty], 6)
