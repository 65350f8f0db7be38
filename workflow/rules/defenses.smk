# Table 5 of Tonni et al. (docs/account.md R): the defended models of one study (config:
# table_5.study), beside the paper's values; part of `all` when the config holds the study.


rule table_5:
    input:
        results=lambda wildcards: sum(table_5_results().values(), []),
        reference=REFERENCE_DIR / "table_5.csv",
    output:
        csv=report(
            TABLES_DIR / "table_5.csv",
            caption="../report/table_5.rst",
            category="Tables",
        ),
        md=TABLES_DIR / "table_5.md",
        tex=TABLES_DIR / "table_5.tex",
        grid=TABLES_DIR / "table_5_grid.csv",
        pdf=FIGURES_DIR / "table_5_privacy_utility.pdf",
        png=report(
            FIGURES_DIR / "table_5_privacy_utility.png",
            caption="../report/table_5_privacy_utility.rst",
            category="Tables",
        ),
        trajectories=FIGURE_DATA_DIR / "table_5_trajectories.csv",
        trajectories_pdf=FIGURES_DIR / "table_5_trajectories.pdf",
        trajectories_png=report(
            FIGURES_DIR / "table_5_trajectories.png",
            caption="../report/table_5_trajectories.rst",
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
