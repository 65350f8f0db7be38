"""Rule run_experiments: train, attack and measure the experiments of a study on one dataset
(all of them, or with chunking.jobs > 1 one job's share of its blocks: experiments.chunks)."""

import os

import torch

from miarep.attacks.registry import DEFAULT_ATTACKS
from miarep.core.io import read_parquet, write_parquet
from miarep.core.logs import setup_logging
from miarep.experiments import chunks
from miarep.experiments.runner import RunSettings, run_study
from miarep.sampling.draw import Pool
from miarep.sampling.groups import protected_group

log = setup_logging(snakemake.log[0])
params = snakemake.params
# the config's thread count, not Snakemake's (capped by --cores): results must not depend on it
torch.set_num_threads(params.engine["threads"])
log.info(
    "torch threads %d, OMP_WAIT_POLICY=%s",
    torch.get_num_threads(),
    os.environ.get("OMP_WAIT_POLICY", "(unset: OpenMP's default, spin then sleep)"),
)
kinds = dict(params.kinds)
table = read_parquet(snakemake.input.table)
pool = Pool.from_table(table, kinds, params.bins, params.top_k)
models = params.models
settings = RunSettings.from_blocks(
    models,
    params.engine,
    fairness_pairs=params.fairness_pairs,
    risk_score_bins=params.risk_score_bins,
    attacks=tuple(params.attacks or DEFAULT_ATTACKS),
    n_shadows=models["n_shadows"],
)
experiments = read_parquet(snakemake.input.experiments)
splits = read_parquet(snakemake.input.splits)
group = protected_group(table, pool, params.protected["feature"], params.protected["value"])
job, jobs = params.job
share = chunks.share(len(experiments), params.chunking["experiments"], jobs, job)
log.info(
    "job %d of %d: experiments %s",
    job + 1,
    jobs,
    ", ".join(f"{r.start}-{r.stop - 1}" for r in share) or "none",
)
results, scores = chunks.run_blocks(
    lambda part: run_study(table, kinds, splits, part, pool, group, settings, params.seed),
    experiments,
    share,
)
write_parquet(snakemake.output.results, results)
write_parquet(snakemake.output.scores, scores, compression="zstd")
for name in settings.attacks if len(results) else ():
    log.info(
        "%s on %d experiments: mean balanced MIA accuracy %.4f, paper-protocol accuracy %.4f",
        name,
        len(results),
        results[f"{name}_mia_balanced_accuracy"].mean(),
        results[f"{name}_paper_mia_accuracy"].mean(),
    )
