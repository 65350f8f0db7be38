"""Rule design: expand one study of the config into the experiment table of one dataset."""

from miarep.core.io import write_atomic
from miarep.core.logs import setup_logging
from miarep.sampling.design import expand_study

log = setup_logging(snakemake.log[0])
table = expand_study(
    snakemake.params.study, snakemake.wildcards.dataset, snakemake.params.member_rate
)
write_atomic(snakemake.output[0], lambda tmp: table.to_csv(tmp, index=False))
log.info(
    "%s/%s: %d experiments", snakemake.wildcards.study, snakemake.wildcards.dataset, len(table)
)
