"""Rule acquire_release: check a placed Shokri release tarball or fetch it, and write its
manifest (docs/account.md D7)."""

from miarep.core.io import write_json
from miarep.core.logs import setup_logging
from miarep.data import shokri_releases

setup_logging(snakemake.log[0])
params = snakemake.params
entry = shokri_releases.acquire(
    snakemake.wildcards.release,
    params.source_dir,
    download=params.settings["download"],
    base_url=params.settings["base_url"],
    timeout_s=params.settings["timeout_s"],
    expected=params.settings["git_blob_sha1"],
)
write_json(snakemake.output.manifest, {"files": [entry]})
