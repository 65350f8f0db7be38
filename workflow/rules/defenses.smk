# Table 5 of Tonni et al. (docs/account.md R): the defended models of one study (config:
# table_5.study), beside the paper's values; part of `all` when the config holds the study.


rule table_5:
    input:
        results=lambda wildcards: sum(table_5_results().values(), []),
        reference=REFERENCE_DIR / "table_5.csv",
    output:
        csv=report(
            TABLES_DIR / "table_5.csv",
            caption=caption_file("table_5"),
            category="Tables",
        ),
        md=TABLES_DIR / "table_5.md",
        tex=TABLES_DIR / "table_5.tex",
        grid=TABLES_DIR / "table_5_grid.csv",
        pdf=FIGURES_DIR / "table_5_privacy_utility.pdf",
        png=report(
            FIGURES_DIR / "table_5_privacy_utility.png",
            caption=caption_file("table_5_privacy_utility"),
            category="Tables",
        ),
        trajectories=FIGURE_DATA_DIR / "table_5_trajectories.csv",
        trajectories_pdf=FIGURES_DIR / "table_5_trajectories.pdf",
        trajectories_png=report(
            FIGURES_DIR / "table_5_trajectories.png",
            caption=caption_file("table_5_trajectories"),
            category="Tables",
        ),
    log:
        LOG_DIR / "table_5.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("table_5"),
        paths=lambda wildcards: table_5_results(),
        settings=config["table_5"],
        epochs=lambda wildcards: study_models(config["table_5"]["study"])["ann"][
            "epochs"
        ],
    script:
        "../../scripts/table_5.py"


# The AdvReg study (docs/account.md N5): Nasr et al.'s adversarial regularization re-evaluated as
# Song and Mittal prescribe, on each of nasr.datasets; not part of `all` (`snakemake nasr`).
NASR_DATASETS = config["nasr"]["datasets"]
NASR_CATEGORY = "AdvReg (Nasr; Song and Mittal)"


rule nasr_study:
    input:
        table=lambda wildcards: nasr_input(wildcards.dataset),
    output:
        results=NASR_DIR / "{dataset}.results.csv",
        curves=NASR_DIR / "{dataset}.curves.csv",
        risk=NASR_DIR / "{dataset}.risk.csv",
    log:
        LOG_DIR / "nasr_study_{dataset}.log",
    benchmark:
        BENCHMARK_DIR / "nasr_study_{dataset}.tsv"
    wildcard_constraints:
        dataset="adult|texas|purchase|purchase100|texas100",
    conda:
        "../../envs/models.yaml"
    threads: config["engine"]["threads"]
    resources:
        gpu=1,
    params:
        code=script_code("nasr_study"),
        settings=lambda wildcards: nasr_settings(config, wildcards.dataset),
        engine=ENGINE,
        evaluation=config["evaluation"],
        seed=config["seed"],
    script:
        "../../scripts/nasr_study.py"


rule nasr_figures:
    input:
        results=rules.nasr_study.output.results,
        curves=rules.nasr_study.output.curves,
        risk=rules.nasr_study.output.risk,
    output:
        points=FIGURE_DATA_DIR / "nasr_privacy_utility_{dataset}.csv",
        privacy_utility_pdf=FIGURES_DIR / "nasr_privacy_utility_{dataset}.pdf",
        privacy_utility_png=report(
            FIGURES_DIR / "nasr_privacy_utility_{dataset}.png",
            caption=caption_file("nasr_privacy_utility"),
            category=NASR_CATEGORY,
        ),
        curves=FIGURE_DATA_DIR / "song_figure_2_{dataset}.csv",
        figure_2_pdf=FIGURES_DIR / "song_figure_2_{dataset}.pdf",
        figure_2_png=report(
            FIGURES_DIR / "song_figure_2_{dataset}.png",
            caption=caption_file("song_figure_2"),
            category=NASR_CATEGORY,
        ),
        figure_5_pdf=FIGURES_DIR / "song_figure_5_{dataset}.pdf",
        figure_5_png=report(
            FIGURES_DIR / "song_figure_5_{dataset}.png",
            caption=caption_file("song_figure_5"),
            category=NASR_CATEGORY,
        ),
    log:
        LOG_DIR / "nasr_figures_{dataset}.log",
    wildcard_constraints:
        dataset="adult|texas|purchase|purchase100|texas100",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("nasr_figures"),
        study=lambda wildcards: nasr_settings(config, wildcards.dataset)["study"],
    script:
        "../../scripts/nasr_figures.py"


rule nasr:
    input:
        results=expand(NASR_DIR / "{dataset}.results.csv", dataset=NASR_DATASETS),
        figures=expand(
            FIGURES_DIR / "{name}_{dataset}.png",
            name=["nasr_privacy_utility", "song_figure_2", "song_figure_5"],
            dataset=NASR_DATASETS,
        ),
        reference=REFERENCE_DIR / "song_table_2.csv",
    output:
        csv=report(
            TABLES_DIR / "song_table_2.csv",
            caption=caption_file("song_table_2"),
            category=NASR_CATEGORY,
        ),
        md=TABLES_DIR / "song_table_2.md",
        tex=TABLES_DIR / "song_table_2.tex",
        verdict=TABLES_DIR / "nasr_verdict.csv",
    log:
        LOG_DIR / "nasr.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("nasr"),
        datasets=NASR_DATASETS,
        studies={d: nasr_settings(config, d)["study"] for d in NASR_DATASETS},
    script:
        "../../scripts/nasr.py"
