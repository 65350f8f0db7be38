"""Rule acquire_purchase: check (or fetch via the Kaggle API) the Acquire Valued Shoppers files."""

from miarep.core.io import write_json
from miarep.core.logs import setup_logging
from miarep.data import purchase

setup_logging(snakemake.log[0])
params = snakemake.params
manifest = purchase.acquire(
    source_dir=params.source_dir,
    use_kaggle_api=params.use_kaggle_api,
    competition=params.competition,
    timeout_s=params.timeout_s,
)
write_json(snakemake.output.manifest, manifest)
