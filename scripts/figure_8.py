"""Rule figure_8: MIA accuracy against nodes per layer, learning rate and L2 ratio, per depth."""

from miarep.core.io import read_parquet, write_atomic
from miarep.core.logs import setup_logging
from miarep.report.model_figures import render_figure_8
from miarep.train.config import ann_columns

log = setup_logging(snakemake.log[0])
params = snakemake.params
results = {
    study: {dataset: read_parquet(path) for dataset, path in paths.items()}
    for study, paths in params.paths.items()
}
summary, configs = render_figure_8(
    results,
    ann_columns(params.ann),
    params.prune_ratio,
    snakemake.output.pdf,
    snakemake.output.png,
)
write_atomic(snakemake.output.data, lambda tmp: summary.to_csv(tmp, index=False))
write_atomic(snakemake.output.pruned, lambda tmp: configs.to_csv(tmp, index=False))
log.info(
    "figure 8: %d of %d configurations pruned (test accuracy below %.2f x the default's)",
    int(configs["pruned"].sum()),
    len(configs),
    params.prune_ratio,
)
