"""Rule sample: draw the target and shadow datasets of every experiment of a study."""

from miarep.core.io import read_csv, read_parquet, write_json, write_parquet
from miarep.core.logs import setup_logging
from miarep.sampling.draw import Pool
from miarep.sampling.splits import draw_all, pool_summary

log = setup_logging(snakemake.log[0])
params = snakemake.params
study, dataset = snakemake.wildcards.study, snakemake.wildcards.dataset
design = read_csv(snakemake.input.design)
pool = Pool.from_table(
    read_parquet(snakemake.input.table), dict(params.kinds), params.bins, params.top_k
)
splits, experiments = draw_all(design, pool, params.seed, where=f"study {study} on {dataset}")
write_parquet(snakemake.output.splits, splits)
write_parquet(snakemake.output.experiments, experiments)
write_json(snakemake.output.pool, pool_summary(pool))
log.info("%d experiments drawn", len(experiments))
