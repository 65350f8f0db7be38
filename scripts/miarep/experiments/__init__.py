"""Layer 7, experiments: the study runner (train, attack, measure, one row per experiment) and
the engine benchmark. Imports every layer below; layer 6 (defenses) is still to come."""
