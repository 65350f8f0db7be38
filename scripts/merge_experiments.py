"""Rule merge_experiments: a study's job shares (chunking.jobs > 1) joined into its tables."""

from miarep.core.io import read_parquet, write_parquet
from miarep.core.logs import setup_logging
from miarep.experiments import chunks

log = setup_logging(snakemake.log[0])
inputs = snakemake.input
parts = [
    (read_parquet(results), read_parquet(scores))
    for results, scores in zip(inputs.results, inputs.scores, strict=True)
]
n_experiments = len(read_parquet(inputs.experiments))
results, scores = chunks.merge(parts, n_experiments)
write_parquet(snakemake.output.results, results)
write_parquet(snakemake.output.scores, scores, compression="zstd")
log.info("merged %d jobs: %d experiments, %d score rows", len(parts), len(results), len(scores))
