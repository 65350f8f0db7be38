# Training target, shadow and attack models of a study, and the engine benchmark.


rule run_experiments:
    input:
        table=PROCESSED_DIR / "{dataset}.parquet",
        splits=SAMPLES_DIR / "{study}" / "{dataset}.parquet",
        experiments=SAMPLES_DIR / "{study}" / "{dataset}.experiments.parquet",
    output:
        results=chunked(EXPERIMENTS_DIR / "{study}" / "{dataset}.parquet"),
        scores=chunked(SCORES_DIR / "{study}" / "{dataset}.parquet"),
    log:
        chunked(LOG_DIR / "run_experiments_{study}_{dataset}.log"),
    benchmark:
        chunked(BENCHMARK_DIR / "run_experiments_{study}_{dataset}.tsv")
    conda:
        "../../envs/models.yaml"
    threads: config["engine"]["threads"]
    resources:
        gpu=1,
    params:
        code=script_code("run_experiments"),
        kinds=lambda wildcards: dataset_config(wildcards.dataset)["features"],
        protected=lambda wildcards: config["sampling"]["protected"][wildcards.dataset],
        bins=config["sampling"]["bins"],
        top_k=config["sampling"]["top_k_features"],
        models=lambda wildcards: study_models(wildcards.study),
        attacks=lambda wildcards: config["studies"][wildcards.study].get("attacks"),
        engine=ENGINE,
        fairness_pairs=config["evaluation"]["fairness_pairs"],
        risk_score_bins=config["evaluation"]["risk_score_bins"],
        seed=config["seed"],
        chunking=config["chunking"],
        job=study_job,
    script:
        "../../scripts/run_experiments.py"


# chunking.jobs > 1: the jobs' shares of a study joined into its tables (a cheap rule)
if CHUNK_JOBS > 1:

    rule merge_experiments:
        input:
            experiments=SAMPLES_DIR / "{study}" / "{dataset}.experiments.parquet",
            results=chunk_outputs(EXPERIMENTS_DIR / "{study}" / "{dataset}.parquet"),
            scores=chunk_outputs(SCORES_DIR / "{study}" / "{dataset}.parquet"),
        output:
            results=EXPERIMENTS_DIR / "{study}" / "{dataset}.parquet",
            scores=SCORES_DIR / "{study}" / "{dataset}.parquet",
        log:
            LOG_DIR / "merge_experiments_{study}_{dataset}.log",
        conda:
            "../../envs/models.yaml"
        params:
            code=script_code("merge_experiments"),
        script:
            "../../scripts/merge_experiments.py"


rule benchmark_engine:
    input:
        table=PROCESSED_DIR / f"{config['benchmark']['dataset']}.parquet",
    output:
        BENCHMARK_DIR / "engine.json",
    log:
        LOG_DIR / "benchmark_engine.log",
    conda:
        "../../envs/models.yaml"
    threads: 16  # Snakemake caps this at --cores
    resources:
        gpu=1,
    params:
        code=script_code("benchmark_engine"),
        ann=config["models"]["ann"],
        settings=config["benchmark"],
        device=config["engine"]["device"],
        seed=config["seed"],
    script:
        "../../scripts/benchmark_engine.py"
