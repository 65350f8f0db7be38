# The claims scorecard (docs/account.md C): every claim of reference/claims.yaml judged from the
# result tables under every recorded reading; part of `all`, the report's first section.


rule claims:
    input:
        spec=REPO_DIR / "reference" / "claims.yaml",
        studies=list(claim_studies().values()),
        tables=list(claim_tables().values()),
    output:
        csv=report(
            "results/claims.csv",
            caption=caption_file("claims"),
            category="0 Claims scorecard",
        ),
        md=report(
            "results/claims.md",
            caption=caption_file("claims"),
            category="0 Claims scorecard",
        ),
        landing="results/claims.rst",
        captions=directory("results/captions"),
    log:
        LOG_DIR / "claims.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("claims"),
        claims=claim_entries(),
        studies=claim_studies(),
        tables=claim_tables(),
        datasets=config["datasets"],
        commit=workflow_commit(),
        config_hash=config_hash(),
        caption_dir=REPO_DIR / "workflow" / "report",
    script:
        "../../scripts/claims.py"
