"""Rule lira: LiRA and RMIA on the property studies, one summary table (docs/account.md L3)."""

from miarep.core.io import read_parquet
from miarep.core.logs import setup_logging
from miarep.report import lira, tables

log = setup_logging(snakemake.log[0])
params, out = snakemake.params, snakemake.output
results = {s: read_parquet(p) for s, p in zip(params.studies, snakemake.input.results, strict=True)}
designs = {
    s: read_parquet(p) for s, p in zip(params.studies, snakemake.input.experiments, strict=True)
}
frame = lira.summary(results, designs, params.attacks, params.grid_fields)
tables.write_table(
    frame,
    [out.csv, out.md, out.tex],
    "LiRA and RMIA on the property studies: AUC and TPR at 1% and 0.1% FPR (%), mean ± 95% CI",
    1,
    lira.sections(frame, params.attacks),
)
log.info("lira: %d rows over %d studies", len(frame), len(results))
