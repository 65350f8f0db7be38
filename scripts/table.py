"""Rules table_2, table_3 and table_4: one paper table from result tables, beside the paper's."""

from miarep.core.io import read_csv
from miarep.core.logs import setup_logging
from miarep.report import tables
from miarep.report.figures import load_results
from miarep.train.config import ann_columns

log = setup_logging(snakemake.log[0])
params = snakemake.params
results = load_results(params.paths)
reference = read_csv(snakemake.input.reference)
sections = None
if params.number == 2:
    frame = tables.table_2(results, reference)
    sections = {
        f"{name}: balanced MIA accuracy, ours ± 95% CI (paper)": matrix
        for name, matrix in tables.table_2_matrices(frame).items()
    }
elif params.number == 3:
    default = ann_columns(params.ann)
    frame = tables.table_3(results, reference, default["hidden_units"], default["learning_rate"])
    sections = {"ours ± 95% CI (paper's)": tables.table_3_readable(frame)}
else:
    frame = tables.table_4(results, reference)
tables.write_table(frame, snakemake.output, params.title, params.digits, sections)
log.info("table %d: %d rows from %s", params.number, len(frame), dict(params.paths))
