"""Rule preprocess_release: a Shokri release as arrays (features uint8, labels 0..99) in one
compressed .npz, with a card of its counts."""

import numpy as np

from miarep.core.io import atomic_open, read_json, write_json
from miarep.core.logs import setup_logging
from miarep.data import shokri_releases

log = setup_logging(snakemake.log[0])
name = snakemake.wildcards.release
entry = read_json(snakemake.input.manifest)["files"][0]
features, labels = shokri_releases.read(name, entry["path"])
with atomic_open(snakemake.output.arrays) as handle:
    np.savez_compressed(handle, features=features, labels=labels)
card = {
    "release": name,
    "rows": int(len(labels)),
    "n_features": int(features.shape[1]),
    "n_classes": int(labels.max()) + 1,
    "provenance": entry,
}
write_json(snakemake.output.card, card)
log.info("%s: %d records, %d features", name, len(labels), features.shape[1])
