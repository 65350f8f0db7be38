"""Rule acquire_texas: check (or fetch, with the DUA accepted) the Texas PUDF quarterly zips."""

from miarep.core.io import write_json
from miarep.core.logs import setup_logging
from miarep.data import texas

setup_logging(snakemake.log[0])
params = snakemake.params
manifest = texas.acquire(
    source_dir=params.source_dir,
    years=list(params.years),
    columns=list(params.columns),
    accept_dua=params.accept_dua,
    url_template=params.url_template,
    timeout_s=params.timeout_s,
)
write_json(snakemake.output.manifest, manifest)
