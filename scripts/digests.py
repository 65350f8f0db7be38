"""Rule digests: one SHA-256 per column of every result table of the run."""

from miarep.core.digests import run_digests
from miarep.core.io import write_json
from miarep.core.logs import setup_logging

log = setup_logging(snakemake.log[0])
digests = run_digests(snakemake.input, snakemake.params.config)
write_json(snakemake.output[0], digests)
log.info(
    "%d tables, %d columns digested",
    len(digests["tables"]),
    sum(len(t["columns"]) for t in digests["tables"].values()),
)
