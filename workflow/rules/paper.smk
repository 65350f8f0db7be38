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
        number=7,
        paths=lambda wildcards: figure_results(7),
    script:
        "../../scripts/figure.py"
