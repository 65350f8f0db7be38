"""Rule table_5: Table 5 of Tonni et al. (Algorithm 1's regularizers against no defense, L1, L2
and early stopping), its privacy-utility figure and the regularizers' r per epoch."""

from miarep.core.io import read_csv, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import table_5, tables
from miarep.report.figures import load_results

log = setup_logging(snakemake.log[0])
params, out = snakemake.params, snakemake.output
results = load_results(params.paths)
epochs = int(params.epochs)
grid = table_5.grid_table(results, epochs)
lambdas = {"default": params.settings["table_lambda"], **params.settings["lambdas"]}
frame = table_5.table_5(grid, read_csv(snakemake.input.reference), lambdas, epochs)
tables.write_table(
    frame,
    [out.csv, out.md, out.tex],
    "Table 5: train, test and MIA accuracy (%) and Max Diff per regularizer, ours ± 95% CI "
    "(paper's)",
    2,
    table_5.table_5_readable(frame),
)
write_atomic(out.grid, lambda tmp: grid.to_csv(tmp, index=False))
table_5.privacy_utility_figure(grid, epochs, out.pdf, out.png)
curves = table_5.trajectories(results, epochs)
write_atomic(out.trajectories, lambda tmp: curves.to_csv(tmp, index=False))
table_5.trajectory_figure(curves, out.trajectories_pdf, out.trajectories_png)
log.info("table 5: %d rows, %d grid cells from %s", len(frame), len(grid), dict(params.paths))
