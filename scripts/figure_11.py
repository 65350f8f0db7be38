"""Rule figure_11: MIA accuracy against group, predictive and individual fairness."""

from miarep.core.io import write_atomic
from miarep.core.logs import setup_logging
from miarep.report.figures import load_results
from miarep.report.model_figures import render_figure_11

log = setup_logging(snakemake.log[0])
summary = render_figure_11(
    load_results(snakemake.params.paths),
    snakemake.params.bins,
    snakemake.output.pdf,
    snakemake.output.png,
)
write_atomic(snakemake.output.data, lambda tmp: summary.to_csv(tmp, index=False))
log.info("figure 11 drawn from %s", dict(snakemake.params.paths))
