"""Rule nasr_study: the AdvReg study on one dataset (docs/account.md N5)."""

import torch

from miarep.core.io import write_atomic
from miarep.core.logs import setup_logging
from miarep.experiments.nasr import NasrStudy, load_records, run_nasr

log = setup_logging(snakemake.log[0])
params, out = snakemake.params, snakemake.output
torch.set_num_threads(params.engine["threads"])
settings = params.settings
study = NasrStudy.from_config(settings["study"])
x, y = load_records(snakemake.input.table)
tables = run_nasr(x, y, study, settings["models"], params.engine, params.evaluation, params.seed)
for name, frame in tables.items():
    write_atomic(out[name], lambda tmp, frame=frame: frame.to_csv(tmp, index=False))
log.info("nasr study: %d result rows on %d records", len(tables["results"]), len(y))
