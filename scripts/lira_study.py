"""Rule lira_study: LiRA and RMIA with reference models on one study's experiments
(docs/account.md L3)."""

import torch

from miarep.core.io import read_parquet, write_parquet
from miarep.core.logs import setup_logging
from miarep.experiments.lira import LiraSettings, run_lira
from miarep.experiments.runner import RunSettings

log = setup_logging(snakemake.log[0])
params = snakemake.params
torch.set_num_threads(params.engine["threads"])
run = RunSettings.from_blocks(params.models, params.engine)
block = dict(params.lira)
settings = LiraSettings(
    references=block["references"],
    repetitions=block["repetitions"],
    population=block["population"],
    attacks=tuple(block["attacks"]),
    only=dict(block.get("only", {})),
)
results, scores = run_lira(
    read_parquet(snakemake.input.table),
    dict(params.kinds),
    read_parquet(snakemake.input.splits),
    read_parquet(snakemake.input.experiments),
    run,
    settings,
    params.seed,
    workers=snakemake.threads,
)
write_parquet(snakemake.output.results, results)
write_parquet(snakemake.output.scores, scores, compression="zstd")
for name in settings.attacks:
    log.info(
        "%s on %d experiments: mean AUC %.4f, TPR at 1%% FPR %.4f",
        name,
        len(results),
        results[f"{name}_mia_auc"].mean(),
        results[f"{name}_mia_tpr_at_1pct_fpr"].mean(),
    )
