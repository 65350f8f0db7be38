# Helpers shared by every rule file, and the checks that must fail before any job runs. No rules.
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))
# stdlib only; found through the path above
from miarep.rawfiles import unobtainable

if not config["studies"]:
    raise WorkflowError(
        "The config defines no studies, so there is nothing to run. Without --configfile the "
        "workflow reads config/config.yaml (the paper's studies); a config given with "
        "--configfile stands alone, so define 'studies' in it, or give config/config.yaml "
        "first: --configfile config/config.yaml yours.yaml"
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
    """Params function: where the user places (or the rule downloads) a dataset's raw files.

    Defaults to the folder of the rule's manifest, i.e. <raw_dir>/<dataset>.
    """

    def from_output(wildcards, output):
        return dataset_config(dataset)["source_dir"] or str(
            Path(output.manifest).parent
        )

    return from_output


def processed_outputs():
    """The processed table and card of every enabled dataset."""
    return [
        str(PROCESSED_DIR / f"{dataset}.{ext}")
        for dataset in config["datasets"]
        for ext in ("parquet", "json")
    ]


SAMPLES_DIR = Path("results/samples")
EXPERIMENTS_DIR = Path("results/experiments")


def study_datasets(study):
    """Enabled datasets of a study (its own list, or every enabled dataset)."""
    wanted = config["studies"][study].get("datasets", config["datasets"])
    return [dataset for dataset in config["datasets"] if dataset in wanted]


def sample_outputs():
    """Split files of every study on every one of its enabled datasets."""
    return [
        str(SAMPLES_DIR / study / f"{dataset}.experiments.parquet")
        for study in config["studies"]
        for dataset in study_datasets(study)
    ]


def result_outputs():
    """Result tables of every study on every one of its enabled datasets."""
    return [
        str(EXPERIMENTS_DIR / study / f"{dataset}.parquet")
        for study in config["studies"]
        for dataset in study_datasets(study)
    ]


def code_digest(*modules):
    """SHA-256 of the named miarep modules: as a param, a change of that code reruns the rule
    (Snakemake tracks the rule's script, not the package behind it)."""
    import hashlib

    digest = hashlib.sha256()
    for module in sorted(modules):
        digest.update(
            Path(workflow.basedir, "scripts", "miarep", f"{module}.py").read_bytes()
        )
    return digest.hexdigest()[:16]


DATA_CODE = code_digest(
    "adult", "texas", "purchase", "datasets", "preprocess", "stream_sample"
)
SAMPLING_CODE = code_digest("sampling", "design", "splits", "discretize", "properties")
MODEL_CODE = code_digest(
    "engine",
    "models",
    "attack",
    "experiments",
    "metrics",
    "properties",
    "groups",
    "splits",
    "design",
    "sampling",
)
BENCHMARK_CODE = code_digest("engine", "benchmark", "allocator")
FIGURE_CODE = code_digest(
    "figures", "model_figures", "tables", "style", "metrics", "models"
)


FIGURES_DIR = Path("figures")
FIGURE_DATA_DIR = Path("results/figure_data")
TABLES_DIR = Path("results/tables")
# The paper's numbers, shipped with the workflow (not with the results)
REFERENCE_DIR = Path(workflow.basedir) / "reference" / "paper_tables"
# Studies behind each figure and table. Figure 7 pools the class- and feature-balance sweeps
# (A.6 #8); Table 3 reads Figure 8's L2 sweep; Table 4 pools Figures 4, 5 (= 7) and 11 (A.6 #18).
FIGURE_STUDIES = {
    2: ["figure_2"],
    3: ["figure_3"],
    4: ["figure_4"],
    5: ["figure_5"],
    6: ["figure_6"],
    7: ["figure_4", "figure_5"],
    8: ["figure_8_units", "figure_8_learning_rate", "figure_8_l2"],
    9: ["figure_9"],
    10: ["figure_10"],
    11: ["figure_11"],
}
TABLE_STUDIES = {
    2: ["table_2"],
    3: ["figure_8_l2"],
    4: ["figure_4", "figure_5", "figure_11"],
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


def figure_outputs():
    """Every figure whose studies the config defines."""
    return [
        str(FIGURES_DIR / f"figure_{n}.{ext}")
        for n, studies in FIGURE_STUDIES.items()
        if all(s in config["studies"] for s in studies)
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
