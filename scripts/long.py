"""Rule long: Long et al.'s Tables 1, 2, 6 and 7 and Figures 8 and 9 on Adult, beside the
paper's values (docs/account.md G5)."""

from miarep.core.io import read_csv, read_parquet, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import long, tables

log = setup_logging(snakemake.log[0])
params, inp, out = snakemake.params, snakemake.input, snakemake.output
study = params.study
records, accuracy = read_csv(inp.records), read_csv(inp.accuracy)
inferences = read_parquet(inp.inferences)
delta, beta, splits = study["delta"], study["beta"], study["splits"]
sweep = [tuple(pair) for pair in study["sweep"]]
made = {
    "table_1": long.table_1(
        inferences, records, delta, beta, study["cutoffs"], splits, read_csv(inp.table_1)
    ),
    "table_2": long.table_2(inferences, records, sweep, splits, read_csv(inp.table_2)),
    "table_6": long.table_6(accuracy, read_csv(inp.table_6)),
    "table_7": long.table_7(
        inferences,
        records,
        delta,
        beta,
        study["shokri_thresholds"],
        0.01,
        splits,
        read_csv(inp.table_7),
    ),
}
titles = {
    "table_1": f"Long et al. Table 1 on Adult: direct inference at delta {delta:g}, beta {beta:g}",
    "table_2": "Long et al. Table 2 on Adult: the selection thresholds at p < 0.01",
    "table_6": "Long et al. Table 6 on Adult: train and test accuracy of the models",
    "table_7": "Long et al. Table 7 on Adult: Shokri's attack and the metric attacks, same records",
}
for name, frame in made.items():
    paths = [out[f"{name}_{ext}"] for ext in ("csv", "md", "tex")]
    tables.write_table(frame, paths, titles[name], 2)
curves = long.pr_curves(inferences, records, sweep, splits)
write_atomic(out.curves, lambda tmp: curves.to_csv(tmp, index=False))
headline = curves[(curves["delta"] == delta) & (curves["beta"] == beta)]
long.pr_figure(headline, out.figure_8_pdf, out.figure_8_png, "direct inference, Adult")
long.pr_figure(curves, out.figure_9_pdf, out.figure_9_png, "direct inference by delta and beta")
row = made["table_1"].iloc[-1]
log.info(
    "long: %d vulnerable records; p < %g: precision %.1f%%, recall %.2f%% (TP %d, FP %d)",
    row["vulnerable_records"],
    row["cutoff"],
    row["precision_pct"],
    row["recall_pct"],
    row["tp"],
    row["fp"],
)
