# LiRA and RMIA on the property studies (docs/account.md L1-L4): reference models per sample,
# shared by every experiment on it; the summary, Figures 4, 5, 8 and Tables 2-3 redrawn with them
# and a log-log ROC figure. Not part of `all` (`snakemake lira`; config: lira).
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
        engine=ENGINE,
        lira=lambda wildcards: lira_block(wildcards.study),
        seed=config["seed"],
    script:
        "../../scripts/lira_study.py"


rule lira:
    input:
        lambda wildcards: lira_outputs(),


rule lira_summary:
    input:
        unpack(lira_summary_inputs),
    output:
        csv=report(
            TABLES_DIR / "lira_summary.csv",
            caption=caption_file("lira_summary"),
            category="LiRA and RMIA",
        ),
        md=TABLES_DIR / "lira_summary.md",
        tex=TABLES_DIR / "lira_summary.tex",
    log:
        LOG_DIR / "lira_summary.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("lira"),
        studies=lambda wildcards: lira_studies(),
        attacks=LIRA["attacks"],
        grid_fields=lambda wildcards: {s: lira_grid_fields(s) for s in lira_studies()},
    script:
        "../../scripts/lira.py"


rule lira_figure:
    input:
        unpack(lira_artefact_inputs),
    output:
        pdf=FIGURES_DIR / "lira" / "{artefact}.pdf",
        png=report(
            FIGURES_DIR / "lira" / "{artefact}.png",
            caption=caption_file("lira_figure"),
            category="LiRA and RMIA",
        ),
        data=FIGURE_DATA_DIR / "lira_{artefact}.csv",
    log:
        LOG_DIR / "lira_{artefact}.log",
    wildcard_constraints:
        artefact="figure_4|figure_5|figure_8|roc",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("lira_artefact"),
        studies=lambda wildcards: lira_artefact_studies(wildcards.artefact),
        roc=LIRA.get("roc", {}),
    script:
        "../../scripts/lira_artefact.py"


rule lira_table:
    input:
        unpack(lira_artefact_inputs),
    output:
        csv=report(
            TABLES_DIR / "lira_{artefact}.csv",
            caption=caption_file("lira_table"),
            category="LiRA and RMIA",
        ),
        md=TABLES_DIR / "lira_{artefact}.md",
        tex=TABLES_DIR / "lira_{artefact}.tex",
    log:
        LOG_DIR / "lira_{artefact}.log",
    wildcard_constraints:
        artefact="table_2|table_3",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("lira_artefact"),
        studies=lambda wildcards: lira_artefact_studies(wildcards.artefact),
        roc={},
    script:
        "../../scripts/lira_artefact.py"
