"""Layer 0, core: what every other layer needs and nothing of the papers' science: errors whose
messages say what to do, atomic writes and checked reads, logging, seeds derived from one root
seed, digests of result tables, and the import closure behind each rule's rerun digest."""
