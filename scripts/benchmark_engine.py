"""Rule benchmark_engine: time sklearn against the batched engine and write the ratios."""

from miarep.core.io import write_json
from miarep.core.logs import setup_logging
from miarep.experiments.benchmark import run_benchmark, run_threading_benchmark
from miarep.train.config import train_config

log = setup_logging(snakemake.log[0])
settings = snakemake.params.settings
report = run_benchmark(
    table_path=snakemake.input.table,
    base=train_config(snakemake.params.ann),
    architectures=settings["architectures"],
    batch_sizes=settings["batch_sizes"],
    one_by_one_models=settings["one_by_one_models"],
    records=settings["records"],
    test_records=settings["test_records"],
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    device=snakemake.params.device,
    rounds=settings["rounds"],
)
threading = settings["threading"]
report["threading"] = run_threading_benchmark(
    table_path=snakemake.input.table,
    base=train_config(snakemake.params.ann),
    models=threading["models"],
    epochs=threading["epochs"],
    records=threading["records"],
    seed=snakemake.params.seed,
    rounds=threading["rounds"],
    device=snakemake.params.device,
)
write_json(snakemake.output[0], report)
for ratio in report["ratios"]:
    log.info(
        "hidden %s, K=%d: %.1fx faster than sklearn (median; rounds %.1f-%.1fx), "
        "accuracy %+.2f points",
        ratio["hidden"],
        ratio["k"],
        ratio["speedup_vs_sklearn"],
        ratio["speedup_vs_sklearn_min"],
        ratio["speedup_vs_sklearn_max"],
        ratio["accuracy_difference_points"],
    )
for row in report["threading"]["summary"]:
    log.info(
        "threading, %s, %s: %.1f s (rounds %.1f-%.1f s)",
        row["load"],
        row["setting"],
        row["seconds"],
        row["seconds_min"],
        row["seconds_max"],
    )
