"""Layer 7, experiments: the study runner (train, attack, measure, one row per experiment), the
AdvReg study (Nasr's defense re-evaluated as Song and Mittal prescribe) and the engine benchmark.
Imports every layer below."""
