"""Rules figure_2 ... figure_7: draw one paper figure from result tables."""

from miarep.core.io import write_atomic
from miarep.core.logs import setup_logging
from miarep.report.figures import FIGURES, load_results, render

log = setup_logging(snakemake.log[0])
spec = FIGURES[snakemake.params.number]
summary = render(
    spec, load_results(snakemake.params.paths), snakemake.output.pdf, snakemake.output.png
)
write_atomic(snakemake.output.data, lambda tmp: summary.to_csv(tmp, index=False))
log.info("figure %d drawn from %s", spec.number, dict(snakemake.params.paths))
