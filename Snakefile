# Replication of "Data and Model Dependencies of Membership Inference Attacks" (Tonni et al.)
# and the systems it stands on. Entry point only: rules live in workflow/rules/.
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

# Which config is in force, the same whatever --directory is: without --configfile, the paper's
# protocol beside this Snakefile; a config given with --configfile stands alone on the schema's
# defaults (give config/config.yaml first to layer on the protocol). config/README.md, "Configs".
if not workflow.overwrite_configfiles:

    configfile: Path(workflow.basedir) / "config" / "config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/sampling.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/song.smk"
include: "workflow/rules/readings.smk"
include: "workflow/rules/defenses.smk"
include: "workflow/rules/long.smk"
include: "workflow/rules/lira.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/checks.smk"


report: landing_page()


rule all:
    default_target: True
    input:
        processed_outputs(),
        sample_outputs(),
        result_outputs(),
        figure_outputs(),
        table_outputs(),
        song_outputs(),
        table_5_outputs(),
        "results/claims.csv",
        "results/digests.json",
