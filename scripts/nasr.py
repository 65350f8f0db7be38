"""Rule nasr: 004 Table 2's analogue over the study's datasets and the verdict per dataset and
protocol (docs/account.md N5), from the AdvReg study's result tables."""

import pandas as pd

from miarep.core.io import read_csv, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import nasr, tables

log = setup_logging(snakemake.log[0])
params, out = snakemake.params, snakemake.output
ours, verdicts = [], []
for dataset, path in zip(params.datasets, snakemake.input.results, strict=True):
    results, study = read_csv(path), params.studies[dataset]
    lam, l2 = study["table_lambda"], study["table_l2"]
    ours.append(nasr.song_table_2(results, dataset, lam, l2))
    verdict = nasr.verdict(results, lam, l2)
    verdict.insert(0, "dataset", dataset)
    verdicts.append(verdict)
frame = nasr.with_paper_rows(
    pd.concat(ours, ignore_index=True), read_csv(snakemake.input.reference)
)
tables.write_table(
    frame,
    [out.csv, out.md, out.tex],
    "Song and Mittal's Table 2: accuracy (%) of the target and of each attack, ours ± 95% CI over "
    "repetitions, the paper's rows beside",
    1,
    nasr.song_table_2_readable(frame),
)
verdict = pd.concat(verdicts, ignore_index=True)
write_atomic(out.verdict, lambda tmp: verdict.to_csv(tmp, index=False))
for row in verdict.itertuples():
    log.info(
        "nasr %s, %s: %s (AdvReg - early stopping %.1f ± %.1f points)",
        row.dataset,
        row.protocol,
        row.verdict,
        row.difference_pct,
        row.difference_ci,
    )
