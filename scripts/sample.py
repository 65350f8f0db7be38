"""Rule sample: draw the target and shadow datasets of every experiment of a study."""

import pandas as pd

from miarep.io import write_json, write_parquet
from miarep.logs import setup_logging
from miarep.sampling import Pool
from miarep.splits import draw_all, pool_summary

log = setup_logging(snakemake.log[0])
params = snakemake.params
design = pd.read_csv(snakemake.input.design)
pool = Pool.from_table(
    pd.read_parquet(snakemake.input.table), dict(params.kinds), params.bins, params.top_k
)
splits, experiments = draw_all(design, pool, params.seed)
write_parquet(snakemake.output.splits, splits)
write_parquet(snakemake.output.experiments, experiments)
write_json(snakemake.output.pool, pool_summary(pool))
log.info("%d experiments drawn", len(experiments))
