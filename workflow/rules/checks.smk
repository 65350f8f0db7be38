# Checks on a whole run: the digests that say whether any result table changed.


rule digests:
    input:
        digest_inputs(),
    output:
        "results/digests.json",
    log:
        LOG_DIR / "digests.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        config=config,
    script:
        "../../scripts/digests.py"
