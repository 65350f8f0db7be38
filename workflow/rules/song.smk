# Song and Mittal's privacy risk score artefacts (prefixed song_, named after their numbers in
# that paper), from the score table of one study (config: song.study, song.dataset); they never
# train.

for _name, _title in SONG_FIGURES.items():

    rule:
        name:
            _name
        input:
            unpack(lambda wildcards: song_inputs()),
        output:
            pdf=FIGURES_DIR / f"{_name}.pdf",
            png=report(
                FIGURES_DIR / f"{_name}.png",
                caption=caption_file(_name),
                category="Song & Mittal",
            ),
            data=FIGURE_DATA_DIR / f"{_name}.csv",
        log:
            LOG_DIR / f"{_name}.log",
        conda:
            "../../envs/analysis.yaml"
        threads: 1
        params:
            code=script_code("song"),
            artefact=_name,
            study=config["song"]["study"],
            settings=config["song"],
        script:
            "../../scripts/song.py"


rule song_table_6:
    input:
        unpack(lambda wildcards: song_inputs()),
    output:
        csv=report(
            TABLES_DIR / "song_table_6.csv",
            caption=caption_file("song_table_6"),
            category="Song & Mittal",
        ),
        md=TABLES_DIR / "song_table_6.md",
        tex=TABLES_DIR / "song_table_6.tex",
    log:
        LOG_DIR / "song_table_6.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    params:
        code=script_code("song"),
        artefact="song_table_6",
        study=config["song"]["study"],
        settings=config["song"],
    script:
        "../../scripts/song.py"
