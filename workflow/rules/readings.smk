# The readings of Table 1a (docs/account.md T13): three studies of their own, not part of `all`.


rule readings:
    input:
        results=lambda wildcards: list(readings_results().values()),
        reference=REFERENCE_DIR / "table_3.csv",
    output:
        csv=report(
            TABLES_DIR / "readings.csv",
            caption=caption_file("readings"),
            category="Readings of Table 1a",
        ),
        md=TABLES_DIR / "readings.md",
        tex=TABLES_DIR / "readings.tex",
        verdicts=TABLES_DIR / "readings_verdicts.csv",
        pdf=FIGURES_DIR / "readings.pdf",
        png=FIGURES_DIR / "readings.png",
        data=FIGURE_DATA_DIR / "readings.csv",
    log:
        LOG_DIR / "readings.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("readings"),
        paths=lambda wildcards: readings_results(),
    script:
        "../../scripts/readings.py"
