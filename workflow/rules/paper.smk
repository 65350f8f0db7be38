# One rule per paper artefact; they read result tables only, never train.


rule figure_2:
    input:
        lambda wildcards: sum(figure_results(2).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_2.pdf",
        png=report(
            FIGURES_DIR / "figure_2.png",
            caption="../report/figure_2.rst",
            category="Section 4.1",
        ),
        data=FIGURE_DATA_DIR / "figure_2.csv",
    log:
        LOG_DIR / "figure_2.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=2,
        paths=lambda wildcards: figure_results(2),
    script:
        "../../scripts/figure.py"


rule figure_3:
    input:
        lambda wildcards: sum(figure_results(3).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_3.pdf",
        png=report(
            FIGURES_DIR / "figure_3.png",
            caption="../report/figure_3.rst",
            category="Section 4.1",
        ),
        data=FIGURE_DATA_DIR / "figure_3.csv",
    log:
        LOG_DIR / "figure_3.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=3,
        paths=lambda wildcards: figure_results(3),
    script:
        "../../scripts/figure.py"


rule figure_4:
    input:
        lambda wildcards: sum(figure_results(4).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_4.pdf",
        png=report(
            FIGURES_DIR / "figure_4.png",
            caption="../report/figure_4.rst",
            category="Section 4.1",
        ),
        data=FIGURE_DATA_DIR / "figure_4.csv",
    log:
        LOG_DIR / "figure_4.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=4,
        paths=lambda wildcards: figure_results(4),
    script:
        "../../scripts/figure.py"


rule figure_5:
    input:
        lambda wildcards: sum(figure_results(5).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_5.pdf",
        png=report(
            FIGURES_DIR / "figure_5.png",
            caption="../report/figure_5.rst",
            category="Section 4.1",
        ),
        data=FIGURE_DATA_DIR / "figure_5.csv",
    log:
        LOG_DIR / "figure_5.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=5,
        paths=lambda wildcards: figure_results(5),
    script:
        "../../scripts/figure.py"


rule figure_6:
    input:
        lambda wildcards: sum(figure_results(6).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_6.pdf",
        png=report(
            FIGURES_DIR / "figure_6.png",
            caption="../report/figure_6.rst",
            category="Section 4.1",
        ),
        data=FIGURE_DATA_DIR / "figure_6.csv",
    log:
        LOG_DIR / "figure_6.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=6,
        paths=lambda wildcards: figure_results(6),
    script:
        "../../scripts/figure.py"


rule figure_7:
    input:
        lambda wildcards: sum(figure_results(7).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_7.pdf",
        png=report(
            FIGURES_DIR / "figure_7.png",
            caption="../report/figure_7.rst",
            category="Section 4.1",
        ),
        data=FIGURE_DATA_DIR / "figure_7.csv",
    log:
        LOG_DIR / "figure_7.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=7,
        paths=lambda wildcards: figure_results(7),
    script:
        "../../scripts/figure.py"


rule figure_8:
    input:
        lambda wildcards: sum(figure_results(8).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_8.pdf",
        png=report(
            FIGURES_DIR / "figure_8.png",
            caption="../report/figure_8.rst",
            category="Section 4.2",
        ),
        data=FIGURE_DATA_DIR / "figure_8.csv",
        pruned=report(
            TABLES_DIR / "figure_8_pruned.csv",
            caption="../report/figure_8_pruned.rst",
            category="Section 4.2",
        ),
    log:
        LOG_DIR / "figure_8.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        paths=lambda wildcards: results_by_study(FIGURE_STUDIES[8]),
        ann=config["models"]["ann"],
        prune_ratio=config["evaluation"]["prune_ratio"],
    script:
        "../../scripts/figure_8.py"


rule figure_9:
    input:
        lambda wildcards: sum(figure_results(9).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_9.pdf",
        png=report(
            FIGURES_DIR / "figure_9.png",
            caption="../report/figure_9.rst",
            category="Section 4.2",
        ),
        data=FIGURE_DATA_DIR / "figure_9.csv",
    log:
        LOG_DIR / "figure_9.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=9,
        paths=lambda wildcards: figure_results(9),
    script:
        "../../scripts/figure.py"


rule figure_10:
    input:
        lambda wildcards: sum(figure_results(10).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_10.pdf",
        png=report(
            FIGURES_DIR / "figure_10.png",
            caption="../report/figure_10.rst",
            category="Section 4.2",
        ),
        data=FIGURE_DATA_DIR / "figure_10.csv",
    log:
        LOG_DIR / "figure_10.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=10,
        paths=lambda wildcards: figure_results(10),
    script:
        "../../scripts/figure.py"


rule figure_11:
    input:
        lambda wildcards: sum(figure_results(11).values(), []),
    output:
        pdf=FIGURES_DIR / "figure_11.pdf",
        png=report(
            FIGURES_DIR / "figure_11.png",
            caption="../report/figure_11.rst",
            category="Section 4.2",
        ),
        data=FIGURE_DATA_DIR / "figure_11.csv",
    log:
        LOG_DIR / "figure_11.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        paths=lambda wildcards: figure_results(11),
        bins=10,
    script:
        "../../scripts/figure_11.py"


rule table_2:
    input:
        results=lambda wildcards: sum(table_results(2).values(), []),
        reference=REFERENCE_DIR / "table_2.csv",
    output:
        report(
            TABLES_DIR / "table_2.csv",
            caption="../report/table_2.rst",
            category="Tables",
        ),
        TABLES_DIR / "table_2.md",
        TABLES_DIR / "table_2.tex",
    log:
        LOG_DIR / "table_2.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=2,
        paths=lambda wildcards: table_results(2),
        title="Table 2: MIA accuracy (%) per target and shadow model, ours beside the paper's",
        digits=2,
    script:
        "../../scripts/table.py"


rule table_3:
    input:
        results=lambda wildcards: sum(table_results(3).values(), []),
        reference=REFERENCE_DIR / "table_3.csv",
    output:
        report(
            TABLES_DIR / "table_3.csv",
            caption="../report/table_3.rst",
            category="Tables",
        ),
        TABLES_DIR / "table_3.md",
        TABLES_DIR / "table_3.tex",
    log:
        LOG_DIR / "table_3.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=3,
        paths=lambda wildcards: table_results(3),
        ann=config["models"]["ann"],
        title="Table 3: train, test and MIA accuracy (%) for 1 and 5 hidden layers, L2 0 and 0.01",
        digits=2,
    script:
        "../../scripts/table.py"


rule table_4:
    input:
        results=lambda wildcards: sum(table_results(4).values(), []),
        reference=REFERENCE_DIR / "table_4.csv",
    output:
        report(
            TABLES_DIR / "table_4.csv",
            caption="../report/table_4.rst",
            category="Tables",
        ),
        TABLES_DIR / "table_4.md",
        TABLES_DIR / "table_4.tex",
    log:
        LOG_DIR / "table_4.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=FIGURE_CODE,
        number=4,
        paths=lambda wildcards: table_results(4),
        title="Table 4: Pearson and Spearman correlations between properties, ours beside the paper's",
        digits=3,
    script:
        "../../scripts/table.py"
