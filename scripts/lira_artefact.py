"""Rules lira_figure and lira_table: a figure or table of Tonni et al. redrawn with LiRA and RMIA
beside the study's attacks, or the log-log ROC figure (docs/account.md L4)."""

from miarep.core.io import read_parquet, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import lira_figures as lf
from miarep.report import tables
from miarep.report.lira import with_design

log = setup_logging(snakemake.log[0])
artefact = snakemake.wildcards.artefact
params, inputs, out = snakemake.params, snakemake.input, snakemake.output
pairs = zip(params.studies, inputs.studies, inputs.lira, strict=True)
if artefact == "roc":  # LiRA's results with the design's fields (the sampler's balances)
    frames = {s: with_design(read_parquet(lira), read_parquet(d)) for s, d, lira in pairs}
else:
    frames = {s: lf.beside(read_parquet(main), read_parquet(lira)) for s, main, lira in pairs}
if artefact in lf.TABLE_TITLES:
    (frame,) = frames.values()
    table = lf.redrawn_table(artefact, frame)
    tables.write_table(table, [out.csv, out.md, out.tex], lf.TABLE_TITLES[artefact], 1)
else:
    if artefact in lf.SWEEPS:
        (frame,) = frames.values()
        data = lf.sweep_figure(frame, *lf.SWEEPS[artefact], out.pdf, out.png)
    elif artefact == "figure_8":
        sweeps = {s: (frames[s], *lf.FIGURE_8_SWEEPS[s]) for s in frames}
        data = lf.figure_8(sweeps, out.pdf, out.png)
    else:
        labels = read_parquet(inputs.table)["label"].to_numpy()
        scores = {s: read_parquet(p) for s, p in zip(params.studies, inputs.scores, strict=True)}
        data = lf.roc_panels(scores, frames, params.roc, labels, out.pdf, out.png)
    write_atomic(out.data, lambda tmp: data.to_csv(tmp, index=False))
log.info("lira %s drawn from %s", artefact, list(frames))
