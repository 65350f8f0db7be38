"""Rule preprocess: raw files of one dataset (named by its manifest) to its table and card."""

from pathlib import Path

from miarep.core.io import write_json, write_parquet
from miarep.core.logs import setup_logging
from miarep.data import process as datasets

log = setup_logging(snakemake.log[0])
dataset = snakemake.wildcards.dataset
settings = snakemake.params.settings
kinds = dict(settings["features"])
standardize = snakemake.params.standardize

if dataset == "adult":
    manifest = datasets.read_manifest(snakemake.input.manifest)
    folders = {str(Path(entry["path"]).parent) for entry in manifest["files"]}
    table, card = datasets.process_adult(
        folders.pop(),
        kinds,
        settings["missing"],
        standardize,
        sources={entry["name"]: entry["source"] for entry in manifest["files"]},
    )
else:
    process = {"texas": datasets.process_texas, "purchase": datasets.process_purchase}[dataset]
    table, card = process(
        snakemake.input.manifest,
        kinds,
        settings["n_records"],
        settings["chunk_rows"],
        standardize,
        snakemake.params.seed,
    )

write_parquet(snakemake.output.table, table)
write_json(snakemake.output.card, card)
log.info(
    "%s: %d records, %d features, rows %s", dataset, len(table), card["n_features"], card["rows"]
)
