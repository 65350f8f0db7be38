# Helpers shared by every rule file, and the checks that must fail before any job runs. No rules.
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

# The repository, from this file's own place: workflow.basedir is the host workflow's folder when
# another workflow imports this one as a module.
REPO_DIR = Path(workflow.current_basedir).parents[1]
SCRIPTS_DIR = REPO_DIR / "scripts"
sys.path.insert(0, str(SCRIPTS_DIR))
# stdlib only; found through the path above
from miarep.core.closure import closure_digest
from miarep.core.threads import set_wait_policy
from miarep.data.rawfiles import source_dir as raw_source_dir
from miarep.data.rawfiles import unobtainable
from miarep.experiments.nasr_settings import nasr_settings

# Read by OpenMP when torch starts in a job (jobs inherit this environment): spinning threads are
# fast while the run's jobs have a core each, passive ones keep a job going beside busy neighbours.
set_wait_policy(config["engine"]["wait_policy"], workflow.resource_settings.cores)
# What training jobs get of the engine block: the wait policy reaches them through the
# environment and changes their speed only, so changing it reruns nothing.
ENGINE = {key: value for key, value in config["engine"].items() if key != "wait_policy"}

if not config["studies"]:
    raise WorkflowError(
        "The config defines no studies, so there is nothing to run. Without --configfile the "
        "workflow reads config/config.yaml (the paper's studies); a config given with "
        "--configfile stands alone, so define 'studies' in it, or give config/config.yaml "
        "first: --configfile config/config.yaml yours.yaml"
    )
if config["chunking"]["jobs"] > 1 and config["chunking"]["experiments"] is None:
    raise WorkflowError(
        f"chunking.jobs is {config['chunking']['jobs']} but chunking.experiments is null: jobs "
        "share a study's blocks, so give the block size (experiments per block) too"
    )
_missing_raw = unobtainable(config)
if _missing_raw:
    raise WorkflowError(
        "Raw data are missing and the workflow cannot fetch them:\n\n"
        + "\n\n".join(_missing_raw.values())
    )

RAW_DIR = Path(config["data"]["raw_dir"])
PROCESSED_DIR = Path(config["data"]["processed_dir"])
LOG_DIR = Path("results/logs")
BENCHMARK_DIR = Path("results/benchmarks")


def dataset_config(dataset):
    """The data.<dataset> block of the config."""
    return config["data"][dataset]


def source_dir(dataset):
    """Params function: where the user places (or the rule downloads) a dataset's raw files
    (``data.<dataset>.source_dir``, else <raw_dir>/<dataset>, as the DAG-time check reads it).
    """
    return lambda wildcards: str(raw_source_dir(config, dataset))


def nasr_input(dataset):
    """The AdvReg study's input: a processed table, or a Shokri release's arrays."""
    if dataset in ("purchase100", "texas100"):
        return PROCESSED_DIR / f"{dataset}.npz"
    return PROCESSED_DIR / f"{dataset}.parquet"


def lira_grid_fields(study):
    """The fields a study's grid varies (its list of grids joined)."""
    grid = config["studies"][study].get("grid", {})
    grids = grid if isinstance(grid, list) else [grid]
    return sorted(set().union(*(g.keys() for g in grids)))


def lira_studies():
    """The studies LiRA and RMIA attack: the block's list, or with ``all`` every study of `all`
    whose grid trains no defense (the reference models would need the defense too)."""
    studies = config["lira"]["studies"]
    if studies != "all":
        unknown = [s for s in studies if s not in config["studies"]]
        if unknown:
            raise WorkflowError(
                f"lira.studies names {unknown}, which 'studies' does not define"
            )
        return list(studies)
    return [
        study
        for study in config["studies"]
        if in_all(study) and "defense" not in lira_grid_fields(study)
    ]


#: The artefacts redrawn with LiRA and RMIA -> the studies each reads (docs/account.md L4)
LIRA_ARTEFACTS = {
    "figure_4": ["figure_4"],
    "figure_5": ["figure_5"],
    "figure_8": ["figure_8_units", "figure_8_learning_rate", "figure_8_l2"],
    "table_2": ["table_2"],
    "table_3": ["figure_8_l2"],
}


def lira_artefact_studies(artefact):
    """The studies a redrawn artefact reads (the ROC figure: those its panels name)."""
    if artefact == "roc":
        return sorted(
            {panel["study"] for panel in config["lira"].get("roc", {}).values()}
        )
    return LIRA_ARTEFACTS[artefact]


def lira_artefact_inputs(wildcards):
    """A redrawn artefact's inputs: each study's result table and LiRA's (for the ROC figure
    LiRA's results and score tables, the experiment tables and the processed dataset, whose
    labels pick the minority)."""
    dataset = config["lira"]["dataset"]
    studies = lira_artefact_studies(wildcards.artefact)
    inputs = {"lira": [str(LIRA_DIR / s / f"{dataset}.parquet") for s in studies]}
    if wildcards.artefact == "roc":
        # LiRA's own tables only: the settings come from the experiment tables
        inputs["scores"] = [
            str(LIRA_DIR / s / f"{dataset}.scores.parquet") for s in studies
        ]
        inputs["studies"] = [
            str(SAMPLES_DIR / s / f"{dataset}.experiments.parquet") for s in studies
        ]
        inputs["table"] = str(PROCESSED_DIR / f"{dataset}.parquet")
    else:
        inputs["studies"] = [
            str(EXPERIMENTS_DIR / s / f"{dataset}.parquet") for s in studies
        ]
    return inputs


def lira_summary_inputs(wildcards):
    """The summary's inputs: every attacked study's LiRA results and experiment table."""
    dataset = config["lira"]["dataset"]
    return {
        "results": [str(LIRA_DIR / s / f"{dataset}.parquet") for s in lira_studies()],
        "experiments": [
            str(SAMPLES_DIR / s / f"{dataset}.experiments.parquet")
            for s in lira_studies()
        ],
    }


def lira_outputs():
    """`snakemake lira`: the summary, every redrawn artefact whose studies are attacked, and
    the ROC figure when the config names panels."""
    attacked = set(lira_studies())
    figures = [
        a
        for a, st in LIRA_ARTEFACTS.items()
        if a.startswith("figure") and set(st) <= attacked
    ]
    tables = [
        a
        for a, st in LIRA_ARTEFACTS.items()
        if a.startswith("table") and set(st) <= attacked
    ]
    if config["lira"].get("roc"):
        figures.append("roc")
    return (
        [str(TABLES_DIR / f"lira_summary.{ext}") for ext in ("csv", "md", "tex")]
        + [str(FIGURES_DIR / "lira" / f"{a}.pdf") for a in figures]
        + [str(TABLES_DIR / f"lira_{a}.md") for a in tables]
    )


def lira_block(study):
    """The lira block for one study, with its override (fewer references or repetitions)."""
    block = {k: v for k, v in config["lira"].items() if k not in ("overrides", "roc")}
    return {**block, **config["lira"].get("overrides", {}).get(study, {})}


def processed_outputs():
    """The processed table and card of every enabled dataset."""
    return [
        str(PROCESSED_DIR / f"{dataset}.{ext}")
        for dataset in config["datasets"]
        for ext in ("parquet", "json")
    ]


SAMPLES_DIR = Path("results/samples")
EXPERIMENTS_DIR = Path("results/experiments")
NASR_DIR = Path("results/nasr")
LONG_DIR = Path("results/long")
LIRA_DIR = Path("results/lira")
SCORES_DIR = Path("results/scores")
# A study's share of blocks per job (chunking.jobs > 1), joined by rule merge_experiments
CHUNKS_DIR = Path("results/chunks")
CHUNK_JOBS = config["chunking"]["jobs"]


def chunked(path):
    """Where run_experiments writes ``path`` (holding {study} and {dataset}): there, or with
    chunking.jobs > 1 one job's share under results/chunks, which the merge joins into it.
    """
    path = Path(path)
    if CHUNK_JOBS == 1:
        return str(path)
    share = path.with_name(f"{path.stem}.{{chunk}}{path.suffix}")
    return str(CHUNKS_DIR / share.relative_to("results"))


def study_job(wildcards):
    """(this job, jobs per study) of a run_experiments job."""
    return (int(wildcards.get("chunk", 0)), CHUNK_JOBS)


def chunk_outputs(path):
    """Every job's share of a study's table, for the merge."""
    return lambda wildcards: [
        chunked(path).format(
            study=wildcards.study, dataset=wildcards.dataset, chunk=chunk
        )
        for chunk in range(CHUNK_JOBS)
    ]


def study_datasets(study):
    """Enabled datasets of a study (its own list, or every enabled dataset)."""
    wanted = config["studies"][study].get("datasets", config["datasets"])
    return [dataset for dataset in config["datasets"] if dataset in wanted]


def study_models(study):
    """The models block of a study: the config's, each entry updated by the study's own
    ``models`` (a mapping entry such as ``ann`` is merged key by key)."""
    models = {key: value for key, value in config["models"].items()}
    for key, value in config["studies"][study].get("models", {}).items():
        if isinstance(value, dict):
            models[key] = {**models.get(key, {}), **value}
        else:
            models[key] = value
    return models


def in_all(study):
    """Whether `all` runs a study (the readings studies have a target of their own)."""
    return config["studies"][study].get("in_all", True)


def sample_outputs():
    """Split files of every study on every one of its enabled datasets."""
    return [
        str(SAMPLES_DIR / study / f"{dataset}.experiments.parquet")
        for study in config["studies"]
        if in_all(study)
        for dataset in study_datasets(study)
    ]


def result_outputs():
    """Result tables of every study on every one of its enabled datasets."""
    return [
        str(EXPERIMENTS_DIR / study / f"{dataset}.parquet")
        for study in config["studies"]
        if in_all(study)
        for dataset in study_datasets(study)
    ]


def script_code(script):
    """Digest of the package code behind ``scripts/<script>.py`` (its import closure).

    As a param, a change of that code reruns the rule: Snakemake tracks the script only.
    """
    return closure_digest(SCRIPTS_DIR / f"{script}.py", SCRIPTS_DIR)


FIGURES_DIR = Path("figures")
FIGURE_DATA_DIR = Path("results/figure_data")
TABLES_DIR = Path("results/tables")
# The paper's numbers, shipped with the workflow (not with the results)
REFERENCE_DIR = REPO_DIR / "reference" / "paper_tables"
# One row per paper artefact: (author, kind, number, studies it reads, report category). Tonni
# et al.'s artefacts are named figure_N / table_N; the other papers' carry their first author's
# name as a prefix (shokri_, nasr_, long_, song_: e.g. song_figure_3). Figure 7 pools the class-
# and feature-balance sweeps (docs/account.md S5); Table 3 reads Figure 8's L2 sweep; Table 4
# pools Figures 4, 5 (= 7) and 11 (S9).
PAPER_ARTEFACTS = [
    ("tonni", "figure", 2, ["figure_2"], "Section 4.1"),
    ("tonni", "figure", 3, ["figure_3"], "Section 4.1"),
    ("tonni", "figure", 4, ["figure_4"], "Section 4.1"),
    ("tonni", "figure", 5, ["figure_5"], "Section 4.1"),
    ("tonni", "figure", 6, ["figure_6"], "Section 4.1"),
    ("tonni", "figure", 7, ["figure_4", "figure_5"], "Section 4.1"),
    (
        "tonni",
        "figure",
        8,
        ["figure_8_units", "figure_8_learning_rate", "figure_8_l2"],
        "Section 4.2",
    ),
    ("tonni", "figure", 9, ["figure_9"], "Section 4.2"),
    ("tonni", "figure", 10, ["figure_10"], "Section 4.2"),
    ("tonni", "figure", 11, ["figure_11"], "Section 4.2"),
    ("tonni", "table", 2, ["table_2"], "Tables"),
    ("tonni", "table", 3, ["figure_8_l2"], "Tables"),
    ("tonni", "table", 4, ["figure_4", "figure_5", "figure_11"], "Tables"),
]
#: Figures with a layout of their own (a script each); the others share scripts/figure.py.
OWN_FIGURE_SCRIPTS = {8: "figure_8", 11: "figure_11"}


def artefact_name(author, kind, number):
    """A paper artefact's name, for its rule and files (figure_4; song_figure_3 for others)."""
    return f"{kind}_{number}" if author == "tonni" else f"{author}_{kind}_{number}"


FIGURE_STUDIES = {
    n: s for a, k, n, s, _ in PAPER_ARTEFACTS if a == "tonni" and k == "figure"
}
TABLE_STUDIES = {
    n: s for a, k, n, s, _ in PAPER_ARTEFACTS if a == "tonni" and k == "table"
}
CATEGORY = {artefact_name(a, k, n): c for a, k, n, _, c in PAPER_ARTEFACTS}
TABLE_SETTINGS = {
    2: (
        "Table 2: MIA accuracy (%) per target and shadow model, ours beside the paper's",
        2,
    ),
    3: (
        "Table 3: train, test and MIA accuracy (%) for 1 and 5 hidden layers, L2 0 and 0.01",
        2,
    ),
    4: (
        "Table 4: Pearson and Spearman correlations between properties, ours beside the paper's",
        3,
    ),
}


def results_by_study(studies):
    """Result tables of the given studies: study -> dataset -> path."""
    missing = [s for s in studies if s not in config["studies"]]
    if missing:
        raise WorkflowError(
            f"This artefact reads the studies {missing}, which the config in force does not "
            "define: add them under 'studies' (config/config.yaml has the paper's), or run "
            "without --configfile"
        )
    return {
        study: {
            dataset: str(EXPERIMENTS_DIR / study / f"{dataset}.parquet")
            for dataset in study_datasets(study)
        }
        for study in studies
    }


def pooled_results(studies):
    """Result tables of the given studies: dataset -> list of paths (studies of one dataset
    are pooled)."""
    paths = {}
    for by_dataset in results_by_study(studies).values():
        for dataset, path in by_dataset.items():
            paths.setdefault(dataset, []).append(path)
    return paths


def figure_results(number):
    """Result tables a figure reads: dataset -> list of paths."""
    return pooled_results(FIGURE_STUDIES[number])


def table_results(number):
    """Result tables a table reads: dataset -> list of paths."""
    return pooled_results(TABLE_STUDIES[number])


def drawn_figures():
    """Numbers of the figures whose studies the config defines."""
    return [
        n
        for n, studies in FIGURE_STUDIES.items()
        if all(s in config["studies"] for s in studies)
    ]


def figure_outputs():
    """Every figure whose studies the config defines."""
    return [
        str(FIGURES_DIR / f"figure_{n}.{ext}")
        for n in drawn_figures()
        for ext in ("pdf", "png")
    ]


def table_outputs():
    """Every table whose studies the config defines."""
    return [
        str(TABLES_DIR / f"table_{n}.{ext}")
        for n, studies in TABLE_STUDIES.items()
        if all(s in config["studies"] for s in studies)
        for ext in ("csv", "md", "tex")
    ]


SONG_FIGURES = {
    "song_figure_1": "CDF of the members' privacy risk scores",
    "song_figure_3": "Calibration of the risk score and of the Shokri attack's output",
    "song_figure_8": "Generalization error against mean risk per (experiment, class)",
}


def song_inputs():
    """The result and score tables the song_ artefacts read."""
    study, dataset = config["song"]["study"], config["song"]["dataset"]
    results_by_study([study])  # a clear error if the config lacks the study
    return {
        "results": str(EXPERIMENTS_DIR / study / f"{dataset}.parquet"),
        "scores": str(SCORES_DIR / study / f"{dataset}.parquet"),
    }


READING_STUDIES = ["readings_notation", "readings_sklearn", "readings_reference"]


def readings_results():
    """Result tables of the readings studies on Adult: study -> path."""
    return {
        study: paths["adult"]
        for study, paths in results_by_study(READING_STUDIES).items()
        if "adult" in paths
    }


def song_outputs():
    """Song and Mittal's artefacts, when the config holds their study and dataset."""
    study, dataset = config["song"]["study"], config["song"]["dataset"]
    if study not in config["studies"] or dataset not in study_datasets(study):
        return []
    figures = [
        str(FIGURES_DIR / f"song_figure_{n}.{ext}")
        for n in (1, 3, 8)
        for ext in ("pdf", "png")
    ]
    return figures + [
        str(TABLES_DIR / f"song_table_6.{ext}") for ext in ("csv", "md", "tex")
    ]


def table_5_results():
    """Result tables of Table 5's study: dataset -> [path]."""
    return pooled_results([config["table_5"]["study"]])


def table_5_outputs():
    """Table 5 and its figures, when the config holds its study and `all` runs it."""
    study = config["table_5"]["study"]
    if study not in config["studies"] or not in_all(study) or not study_datasets(study):
        return []
    names = [f"table_5.{ext}" for ext in ("csv", "md", "tex")] + ["table_5_grid.csv"]
    figures = [
        f"table_5_{name}.{ext}"
        for name in ("privacy_utility", "trajectories")
        for ext in ("pdf", "png")
    ]
    return [str(TABLES_DIR / n) for n in names] + [
        str(FIGURES_DIR / f) for f in figures
    ]


def digest_inputs():
    """Every result table of `all` whose digest the `digests` rule records (the per-record score
    tables are left out: tens of millions of rows, and every metric drawn from them is in the
    experiment tables recorded here)."""
    tables = [p for p in processed_outputs() if p.endswith(".parquet")]
    experiments = sample_outputs()  # each beside its split file
    tables += experiments + [
        p.replace(".experiments.parquet", ".parquet") for p in experiments
    ]
    tables += result_outputs()
    figures = drawn_figures()
    tables += [str(FIGURE_DATA_DIR / f"figure_{n}.csv") for n in figures]
    if 8 in figures:
        tables.append(str(TABLES_DIR / "figure_8_pruned.csv"))
    tables += [p for p in table_outputs() if p.endswith(".csv")]
    songs = song_outputs()
    tables += [
        str(FIGURE_DATA_DIR / Path(p).name.replace(".png", ".csv"))
        for p in songs
        if p.endswith(".png")
    ]
    tables += [p for p in songs if p.endswith(".csv")]
    table_5 = [p for p in table_5_outputs() if p.endswith(".csv")]
    if table_5:
        tables += table_5 + [str(FIGURE_DATA_DIR / "table_5_trajectories.csv")]
    return tables


#: Tables a claim of reference/claims.yaml may read -> their file (docs/account.md C1)
CLAIM_TABLES = {
    "table_4": TABLES_DIR / "table_4.csv",
    "table_5": TABLES_DIR / "table_5.csv",
    "figure_data/song_figure_3": FIGURE_DATA_DIR / "song_figure_3.csv",
    "nasr_verdict": TABLES_DIR / "nasr_verdict.csv",
    "song_table_2": TABLES_DIR / "song_table_2.csv",
    "long_table_1": TABLES_DIR / "long_table_1.csv",
}


def claim_studies():
    """The result tables the scorecard reads: "study/dataset" -> path, every study of `all`,
    and with `claims.with: [lira]` "lira:study/dataset" -> LiRA's table of each study it
    attacks (its readings are leakage instruments, docs/account.md C3)."""
    tables = {
        f"{study}/{dataset}": str(EXPERIMENTS_DIR / study / f"{dataset}.parquet")
        for study in config["studies"]
        if in_all(study)
        for dataset in study_datasets(study)
    }
    if "lira" in config["claims"]["with"]:
        tables |= {
            f"lira:{study}/{dataset}": str(LIRA_DIR / study / f"{dataset}.parquet")
            for study in lira_studies()
            for dataset in study_datasets(study)
            if f"{study}/{dataset}" in tables
        }
    return tables


def claim_tables():
    """The claims' tables this config builds: `all`'s, and AdvReg's and GMIA's when the
    claims block takes them in (it then runs `nasr` and `long` as part of `all`)."""
    built = set(table_outputs()) | set(table_5_outputs())
    built |= {str(FIGURE_DATA_DIR / "song_figure_3.csv")} if song_outputs() else set()
    if "nasr" in config["claims"]["with"]:
        built |= {
            str(TABLES_DIR / "nasr_verdict.csv"),
            str(TABLES_DIR / "song_table_2.csv"),
        }
    if "long" in config["claims"]["with"]:
        built.add(str(TABLES_DIR / "long_table_1.csv"))
    return {
        name: str(path) for name, path in CLAIM_TABLES.items() if str(path) in built
    }


def workflow_commit():
    """The workflow's git commit (with -dirty when tracked files changed), for the stamp."""
    import subprocess

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(REPO_DIR), *args], capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return commit + (
        "-dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def config_hash():
    """A digest of the config in force (the scorecard's stamp)."""
    import hashlib
    import json

    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def landing_page():
    """The report's landing page: the claims scorecard once `all` has written it (the report
    then opens with it), else a page saying so."""
    built = Path("results/claims.rst")
    if built.exists():
        return str(built.absolute())
    return str(REPO_DIR / "workflow" / "report" / "workflow.rst")


def caption_file(name):
    """An artefact's report caption: the one the claims rule wrote with its claims' verdicts,
    else the template in workflow/report (a fresh run, or an artefact no claim rests on).
    """
    built = Path("results/captions") / f"{name}.rst"
    if built.exists():
        return str(built.absolute())
    return str(REPO_DIR / "workflow" / "report" / f"{name}.rst")


def claim_entries():
    """The claims of reference/claims.yaml, parsed here (the rule's environment needs no YAML)."""
    import yaml

    return yaml.safe_load((REPO_DIR / "reference" / "claims.yaml").read_text())[
        "claims"
    ]
