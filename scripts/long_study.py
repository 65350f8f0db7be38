"""Rule long_study: Long et al.'s GMIA study on one dataset (docs/account.md G1-G5)."""

import torch

from miarep.core.io import read_parquet, write_atomic, write_parquet
from miarep.core.logs import setup_logging
from miarep.data.one_hot import one_hot
from miarep.experiments.long import LongStudy, run_long

log = setup_logging(snakemake.log[0])
params, out = snakemake.params, snakemake.output
torch.set_num_threads(params.engine["threads"])
study = LongStudy.from_config({k: v for k, v in params.study.items() if k != "dataset"})
table = read_parquet(snakemake.input.table)
x, names = one_hot(table, params.kinds)
log.info("long: %d records, %d one-hot inputs", len(x), x.shape[1])
tables = run_long(
    x, table["label"].to_numpy(), study, params.engine, params.evaluation, params.seed
)
write_atomic(out.records, lambda tmp: tables["records"].to_csv(tmp, index=False))
write_parquet(out.inferences, tables["inferences"])
write_atomic(out.accuracy, lambda tmp: tables["accuracy"].to_csv(tmp, index=False))
log.info("long study: %d inferences on candidate records", len(tables["inferences"]))
