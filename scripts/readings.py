"""Rule readings: which reading of Table 1a gives the paper's Table 3, and Figure 8 (ii) under
each reading."""

from miarep.core.io import read_csv, read_parquet, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import readings, tables

log = setup_logging(snakemake.log[0])
results = {study: read_parquet(path) for study, path in snakemake.params.paths.items()}
table = readings.readings_table(results, read_csv(snakemake.input.reference))
verdicts = readings.verdicts(table)
out = snakemake.output
tables.write_table(
    table,
    [out.csv, out.md, out.tex],
    "Readings of Table 1a: Table 3 on Adult under each reading and shadow split",
    2,
    {"verdict (all four configurations within tolerance)": verdicts, "per configuration": table},
)
write_atomic(out.verdicts, lambda tmp: verdicts.to_csv(tmp, index=False))
summary = readings.learning_rate_figure(results, out.pdf, out.png)
write_atomic(out.data, lambda tmp: summary.to_csv(tmp, index=False))
for row in verdicts.itertuples():
    log.info(
        "%s, %s: %d of %d configurations match; MIA %.1f points from the paper's on average",
        row.reading,
        row.split,
        row.matched,
        row.configurations,
        row.mean_mia_distance_pts,
    )
