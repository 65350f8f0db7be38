"""Rules song_figure_1, song_figure_3, song_table_6 and song_figure_8: Song and Mittal's privacy
risk score artefacts from one study's result and score tables."""

from miarep.core.io import read_parquet, write_atomic
from miarep.core.logs import setup_logging
from miarep.report import song, tables

log = setup_logging(snakemake.log[0])
params = snakemake.params
columns = ["experiment", "label", "member", "balanced", song.RISK, song.SHOKRI, song.CORRECT]
scores = read_parquet(snakemake.input.scores, columns=columns)
results = read_parquet(snakemake.input.results)
by_config = song.configuration_scores(results, scores, params.settings["configurations"])
out = snakemake.output
if params.artefact == "song_figure_1":
    frame = song.member_cdf(by_config, out.pdf, out.png)
elif params.artefact == "song_figure_3":
    frame = song.calibration_figure(
        by_config, params.settings["calibration_bins"], out.pdf, out.png
    )
elif params.artefact == "song_figure_8":
    frame = song.generalization_figure(song.class_points(scores), params.study, out.pdf, out.png)
else:
    frame = song.precision_recall(by_config, params.settings["thresholds"])
    title = "Song & Mittal Table 6: precision and recall (%) of r(z) >= threshold"
    tables.write_table(frame, [out.csv, out.md, out.tex], title, 2)
if params.artefact != "song_table_6":
    write_atomic(out.data, lambda tmp: frame.to_csv(tmp, index=False))
log.info("%s: %d rows from %s", params.artefact, len(frame), snakemake.input.scores)
