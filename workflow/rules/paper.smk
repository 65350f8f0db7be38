# One rule per paper artefact, named after it and generated from PAPER_ARTEFACTS (common.smk);
# they read result tables only, never train.

# Figures drawn by scripts/figure.py: they differ only in their number and studies.
for _author, _kind, _number, _studies, _category in PAPER_ARTEFACTS:
    if _kind != "figure" or _number in OWN_FIGURE_SCRIPTS:
        continue
    _name = artefact_name(_author, _kind, _number)

    rule:
        name:
            _name
        input:
            lambda wildcards, n=_number: sum(figure_results(n).values(), []),
        output:
            pdf=FIGURES_DIR / f"{_name}.pdf",
            png=report(
                FIGURES_DIR / f"{_name}.png",
                caption=caption_file(_name),
                category=_category,
            ),
            data=FIGURE_DATA_DIR / f"{_name}.csv",
        log:
            LOG_DIR / f"{_name}.log",
        conda:
            "../../envs/analysis.yaml"
        threads: 1
        params:
            code=script_code("figure"),
            number=_number,
            paths=lambda wildcards, n=_number: figure_results(n),
        script:
            "../../scripts/figure.py"


rule figure_8:
    input:
        lambda wildcards: sum(figure_results(8).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_8.pdf",
        png=report(
            FIGURES_DIR / "figure_8.png",
            caption=caption_file("figure_8"),
            category=CATEGORY["figure_8"],
        ),
        data=FIGURE_DATA_DIR / "figure_8.csv",
        pruned=report(
            TABLES_DIR / "figure_8_pruned.csv",
            caption=caption_file("figure_8_pruned"),
            category=CATEGORY["figure_8"],
        ),
    log:
        LOG_DIR / "figure_8.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("figure_8"),
        paths=lambda wildcards: results_by_study(FIGURE_STUDIES[8]),
        ann=config["models"]["ann"],
        prune_ratio=config["evaluation"]["prune_ratio"],
    script:
        "../../scripts/figure_8.py"


rule figure_11:
    input:
        lambda wildcards: sum(figure_results(11).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_11.pdf",
        png=report(
            FIGURES_DIR / "figure_11.png",
            caption=caption_file("figure_11"),
            category=CATEGORY["figure_11"],
        ),
        data=FIGURE_DATA_DIR / "figure_11.csv",
    log:
        LOG_DIR / "figure_11.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("figure_11"),
        paths=lambda wildcards: figure_results(11),
        bins=10,
    script:
        "../../scripts/figure_11.py"


# Tables drawn by scripts/table.py, beside the paper's values in reference/paper_tables/.
for _author, _kind, _number, _studies, _category in PAPER_ARTEFACTS:
    if _kind != "table":
        continue
    _name = artefact_name(_author, _kind, _number)

    rule:
        name:
            _name
        input:
            results=lambda wildcards, n=_number: sum(table_results(n).values(), []),
            reference=REFERENCE_DIR / f"{_name}.csv",
        output:
            report(
                TABLES_DIR / f"{_name}.csv",
                caption=caption_file(_name),
                category=_category,
            ),
            TABLES_DIR / f"{_name}.md",
            TABLES_DIR / f"{_name}.tex",
        log:
            LOG_DIR / f"{_name}.log",
        conda:
            "../../envs/analysis.yaml"
        threads: 1
        params:
            code=script_code("table"),
            number=_number,
            paths=lambda wildcards, n=_number: table_results(n),
            ann=config["models"]["ann"],
            title=TABLE_SETTINGS[_number][0],
            digits=TABLE_SETTINGS[_number][1],
        script:
            "../../scripts/table.py"
