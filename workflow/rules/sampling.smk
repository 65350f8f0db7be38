# Studies to experiment tables, experiment tables to split files.


rule design:
    output:
        EXPERIMENTS_DIR / "{study}" / "{dataset}" / "design.csv",
    log:
        LOG_DIR / "design_{study}_{dataset}.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    params:
        code=script_code("design"),
        study=lambda wildcards: config["studies"][wildcards.study],
        member_rate=config["sampling"]["member_rate"],
    script:
        "../../scripts/design.py"


rule sample:
    input:
        design=EXPERIMENTS_DIR / "{study}" / "{dataset}" / "design.csv",
        table=PROCESSED_DIR / "{dataset}.parquet",
    output:
        splits=SAMPLES_DIR / "{study}" / "{dataset}.parquet",
        experiments=SAMPLES_DIR / "{study}" / "{dataset}.experiments.parquet",
        pool=SAMPLES_DIR / "{study}" / "{dataset}.pool.json",
    log:
        LOG_DIR / "sample_{study}_{dataset}.log",
    benchmark:
        BENCHMARK_DIR / "sample_{study}_{dataset}.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    params:
        code=script_code("sample"),
        kinds=lambda wildcards: dataset_config(wildcards.dataset)["features"],
        bins=config["sampling"]["bins"],
        top_k=config["sampling"]["top_k_features"],
        seed=config["seed"],
    script:
        "../../scripts/sample.py"
