# LiRA and RMIA on the property studies (docs/account.md L1-L3): reference models per sample,
# shared by every experiment on it; not part of `all` (`snakemake lira`; config: lira).
LIRA = config["lira"]


rule lira_study:
    input:
        table=PROCESSED_DIR / "{dataset}.parquet",
        splits=SAMPLES_DIR / "{study}" / "{dataset}.parquet",
        experiments=SAMPLES_DIR / "{study}" / "{dataset}.experiments.parquet",
    output:
        results=LIRA_DIR / "{study}" / "{dataset}.parquet",
        scores=LIRA_DIR / "{study}" / "{dataset}.scores.parquet",
    log:
        LOG_DIR / "lira_study_{study}_{dataset}.log",
    benchmark:
        BENCHMARK_DIR / "lira_study_{study}_{dataset}.tsv"
    conda:
        "../../envs/models.yaml"
    threads: config["engine"]["threads"]
    resources:
        gpu=1,
    params:
        code=script_code("lira_study"),
        kinds=lambda wildcards: dataset_config(wildcards.dataset)["features"],
        models=lambda wildcards: study_models(wildcards.study),
        engine=config["engine"],
        lira=LIRA,
        seed=config["seed"],
    script:
        "../../scripts/lira_study.py"


rule lira:
    input:
        results=expand(
            LIRA_DIR / "{study}" / "{dataset}.parquet",
            study=LIRA["studies"],
            dataset=LIRA["dataset"],
        ),
        experiments=expand(
            SAMPLES_DIR / "{study}" / "{dataset}.experiments.parquet",
            study=LIRA["studies"],
            dataset=LIRA["dataset"],
        ),
    output:
        csv=report(
            TABLES_DIR / "lira_summary.csv",
            caption="../report/lira_summary.rst",
            category="LiRA and RMIA",
        ),
        md=TABLES_DIR / "lira_summary.md",
        tex=TABLES_DIR / "lira_summary.tex",
    log:
        LOG_DIR / "lira.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("lira"),
        studies=LIRA["studies"],
        attacks=LIRA["attacks"],
        grid_fields={s: lira_grid_fields(s) for s in LIRA["studies"]},
    script:
        "../../scripts/lira.py"
