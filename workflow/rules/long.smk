# The GMIA study (docs/account.md G1-G5): Long et al.'s direct inference on vulnerable records of
# well-generalized models; not part of `all` (`snakemake long`; config: long).
LONG_DATASET = config["long"]["dataset"]
LONG_CATEGORY = "GMIA (Long et al.)"


rule long_study:
    input:
        table=PROCESSED_DIR / f"{LONG_DATASET}.parquet",
    output:
        records=LONG_DIR / f"{LONG_DATASET}.records.csv",
        inferences=LONG_DIR / f"{LONG_DATASET}.inferences.parquet",
        accuracy=LONG_DIR / f"{LONG_DATASET}.accuracy.csv",
    log:
        LOG_DIR / "long_study.log",
    benchmark:
        BENCHMARK_DIR / "long_study.tsv"
    conda:
        "../../envs/models.yaml"
    threads: config["engine"]["threads"]
    resources:
        gpu=1,
    params:
        code=script_code("long_study"),
        study=config["long"],
        kinds=dataset_config(LONG_DATASET)["features"],
        engine=ENGINE,
        evaluation=config["evaluation"],
        seed=config["seed"],
    script:
        "../../scripts/long_study.py"


rule long:
    input:
        records=rules.long_study.output.records,
        inferences=rules.long_study.output.inferences,
        accuracy=rules.long_study.output.accuracy,
        table_1=REFERENCE_DIR / "long_table_1.csv",
        table_2=REFERENCE_DIR / "long_table_2.csv",
        table_6=REFERENCE_DIR / "long_table_6.csv",
        table_7=REFERENCE_DIR / "long_table_7.csv",
    output:
        table_1_csv=report(
            TABLES_DIR / "long_table_1.csv",
            caption=caption_file("long_table_1"),
            category=LONG_CATEGORY,
        ),
        table_1_md=TABLES_DIR / "long_table_1.md",
        table_1_tex=TABLES_DIR / "long_table_1.tex",
        table_2_csv=TABLES_DIR / "long_table_2.csv",
        table_2_md=TABLES_DIR / "long_table_2.md",
        table_2_tex=TABLES_DIR / "long_table_2.tex",
        table_6_csv=TABLES_DIR / "long_table_6.csv",
        table_6_md=TABLES_DIR / "long_table_6.md",
        table_6_tex=TABLES_DIR / "long_table_6.tex",
        table_7_csv=report(
            TABLES_DIR / "long_table_7.csv",
            caption=caption_file("long_table_7"),
            category=LONG_CATEGORY,
        ),
        table_7_md=TABLES_DIR / "long_table_7.md",
        table_7_tex=TABLES_DIR / "long_table_7.tex",
        curves=FIGURE_DATA_DIR / "long_pr_curves.csv",
        figure_8_pdf=FIGURES_DIR / "long_figure_8.pdf",
        figure_8_png=report(
            FIGURES_DIR / "long_figure_8.png",
            caption=caption_file("long_figure_8"),
            category=LONG_CATEGORY,
        ),
        figure_9_pdf=FIGURES_DIR / "long_figure_9.pdf",
        figure_9_png=report(
            FIGURES_DIR / "long_figure_9.png",
            caption=caption_file("long_figure_9"),
            category=LONG_CATEGORY,
        ),
    log:
        LOG_DIR / "long.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("long"),
        study=config["long"],
    script:
        "../../scripts/long.py"
