"""Layer 1, data: raw files to processed tables. Acquisition with checksums (one module per
dataset), streaming readers, encoding and labels, the discretisation behind every data property,
the dataset card. Imports only core. ``rawfiles`` uses the standard library alone, so the
Snakefile can ask it at DAG build."""
