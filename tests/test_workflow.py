"""The workflow itself: lint, formatting, dry run and a tiny end-to-end run with Snakemake."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tiny_setups import figure_3_config, place_adult

from miarep.data.checksums import git_blob_sha1
from miarep.experiments.scores import attack_columns
from miarep.report.claims import claims_of
from synthetic import write_kaggle, write_pudf, write_shokri_texas

pytestmark = pytest.mark.workflow


def run(args, cwd, check=True):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done


def snakemake_args(repo, workdir, cores=2):
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(repo / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        str(cores),
    ]


def snakemake(repo, workdir, *args, check=True, cores=2):
    """Run Snakemake on the repository's workflow in ``workdir`` (put --configfile last)."""
    return run([*snakemake_args(repo, workdir, cores), *map(str, args)], cwd=repo, check=check)


def kill_once_running(args, job_logs, since, limit_s=600):
    """Start Snakemake, SIGKILL it and its jobs once every one of ``job_logs`` was rewritten
    (those jobs have started, so Snakemake removed their outputs); True if it was killed."""
    process = subprocess.Popen(
        [str(a) for a in args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + limit_s
    while process.poll() is None and time.monotonic() < deadline:
        if all(log.is_file() and log.stat().st_mtime > since for log in job_logs):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.1)
    process.kill()
    process.wait()
    return False


def test_snakemake_lint_is_clean(repo):
    done = run([sys.executable, "-m", "snakemake", "--lint"], cwd=repo)
    assert "Congratulations" in done.stdout + done.stderr


def test_snakefmt_is_clean(repo):
    snakefmt = Path(sys.executable).with_name("snakefmt")
    run([snakefmt, "--check", "Snakefile", "workflow"], cwd=repo)


def test_ruff_is_clean(repo):
    run([sys.executable, "-m", "ruff", "check", "."], cwd=repo)
    run([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=repo)


def test_the_default_profile_is_loaded_with_its_resources(repo, tmp_path):
    done = snakemake(repo, tmp_path, "-n", "--configfile", repo / "config" / "config.yaml")
    assert "Using workflow specific profile profiles/default" in done.stdout + done.stderr
    assert "mem_mb=2000" in done.stdout


def test_every_paper_artefact_has_a_rule_named_after_it(repo, tmp_path):
    listed = snakemake(repo, tmp_path, "--list-rules").stdout.split()
    expected = [f"figure_{n}" for n in range(2, 12)] + [f"table_{n}" for n in (2, 3, 4)]
    assert set(expected) <= set(listed)
    by_rule = snakemake(repo, tmp_path, "-n", "figure_4").stdout
    by_file = snakemake(repo, tmp_path, "-n", "figures/figure_4.pdf").stdout
    for done in (by_rule, by_file):
        assert "rule figure_4:" in done and "rule figure_5:" not in done


def test_dry_run_of_the_default_config(repo, tmp_path):
    done = snakemake(repo, tmp_path, "-n", "--configfile", repo / "config" / "config.yaml")
    assert "acquire_adult" in done.stdout and "preprocess" in done.stdout


@pytest.fixture
def tiny_config(repo, tmp_path):
    config = yaml.safe_load((repo / "tests" / "config" / "tiny.yaml").read_text())
    write_pudf(tmp_path / "pudf", [2006], rows=250, seed=1)
    write_kaggle(tmp_path / "kaggle", customers=60, transactions=900, seed=2)
    config["data"]["texas"]["source_dir"] = str(tmp_path / "pudf")
    config["data"]["purchase"]["source_dir"] = str(tmp_path / "kaggle")
    release = write_shokri_texas(tmp_path / "shokri", rows=600, features=30, classes=10, seed=3)
    config["data"]["texas100"] = {
        "source_dir": str(release.parent),
        "download": False,
        "git_blob_sha1": git_blob_sha1(release),
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_tiny_end_to_end_is_complete_and_reproducible(repo, tmp_path, tiny_config, request):
    work = tmp_path / "work"
    snakemake(repo, work, "all", "--configfile", tiny_config)
    processed = work / "results" / "data" / "processed"
    cards = {
        d: json.loads((processed / f"{d}.json").read_text()) for d in ("adult", "texas", "purchase")
    }
    adult = cards["adult"]["rows"]
    assert adult["source"] == 48_842
    assert adult["kept"] + sum(adult["dropped"].values()) == 48_842
    assert cards["adult"]["n_features"] == 14
    assert cards["texas"]["n_features"] == cards["purchase"]["n_features"] == 16
    assert cards["texas"]["rows"]["kept"] == cards["purchase"]["rows"]["kept"] == 300
    for dataset in cards:
        assert (work / "results" / "logs" / f"preprocess_{dataset}.log").stat().st_size > 0
    samples = work / "results" / "samples" / "tiny_check"
    for dataset in cards:
        experiments = pd.read_parquet(samples / f"{dataset}.experiments.parquet")
        assert len(experiments) == 4
        achieved = experiments["achieved_target_share_label_1"]
        assert (achieved - experiments["class_balance"]).abs().max() <= 0.5
    for dataset in cards:
        results = pd.read_parquet(
            work / "results" / "experiments" / "tiny_check" / f"{dataset}.parquet"
        )
        assert len(results) == 4
        for column in (
            "train_accuracy",
            "shokri_mia_balanced_accuracy",
            "shokri_stated_paper_mia_accuracy",
            "metric_best_mia_auc",
            "oracle_cv_mia_balanced_accuracy",
            "risk_score_mia_auc",
            "delta_g",
            "mutual_information",
        ):
            assert results[column].notna().all(), (dataset, column)
    for number in range(2, 12):
        for ext in ("pdf", "png"):
            assert (work / "figures" / f"figure_{number}.{ext}").stat().st_size > 1000
        drawn = pd.read_csv(work / "results" / "figure_data" / f"figure_{number}.csv")
        assert set(drawn["dataset"]) == {"adult", "texas", "purchase"}, number
    configs = pd.read_csv(work / "results" / "tables" / "figure_8_pruned.csv")
    assert len(configs) == 3 * 3 * 4  # datasets x sweeps x (2 depths x 2 values)
    tables_dir = work / "results" / "tables"
    for number in (2, 3, 4):
        for ext in ("md", "tex"):
            assert (tables_dir / f"table_{number}.{ext}").stat().st_size > 200
    table_2 = pd.read_csv(tables_dir / "table_2.csv")
    assert len(table_2) == 30 and table_2["paper_mia_pct"].notna().all()
    assert table_2["shokri_balanced_pct"].between(0, 100).all()
    for name in ("song_figure_1", "song_figure_3", "song_figure_8"):
        assert (work / "figures" / f"{name}.png").stat().st_size > 1000
        assert len(pd.read_csv(work / "results" / "figure_data" / f"{name}.csv")) > 0
    song_table = pd.read_csv(tables_dir / "song_table_6.csv")
    assert set(song_table["configuration"]) == {"default", "leaky"} and len(song_table) == 20
    table_3 = pd.read_csv(tables_dir / "table_3.csv")
    assert len(table_3) == 12 and (table_3["repetitions"] == 2).all()
    table_4 = pd.read_csv(tables_dir / "table_4.csv")
    assert len(table_4) == 36 and table_4["paper_pearson_r"].notna().all()
    table_5 = pd.read_csv(tables_dir / "table_5.csv", keep_default_na=False, na_values=[""])
    assert table_5["regularizer"].tolist()[:3] == ["None", "L1", "delta_g"]
    assert table_5["paper_train_pct"].iloc[:4].notna().all() and (table_5["repetitions"] == 2).all()
    assert table_5.loc[table_5["regularizer"] == "delta_g", "max_diff"].notna().all()
    assert len(pd.read_csv(tables_dir / "table_5_grid.csv")) == 3 + 4 * 2
    for name in ("privacy_utility", "trajectories"):
        assert (work / "figures" / f"table_5_{name}.png").stat().st_size > 1000
    tables = {d: pd.read_parquet(processed / f"{d}.parquet") for d in cards}
    tables |= {
        f"{d}-results": pd.read_parquet(
            work / "results" / "experiments" / "tiny_check" / f"{d}.parquet"
        )
        for d in cards
    }
    tables |= {f"{d}-splits": pd.read_parquet(samples / f"{d}.parquet") for d in cards}

    # the claims scorecard: every claim of the spec judged, and the report opens with it
    card = pd.read_csv(work / "results" / "claims.csv", keep_default_na=False)
    assert set(card["id"]) == {
        c.id
        for c in claims_of(
            yaml.safe_load((repo / "reference" / "claims.yaml").read_text())["claims"]
        )
    }
    verdicts = {"reproduces", "partly", "does not reproduce", "cannot be tested"}
    assert set(card["verdict"]) <= verdicts
    assert "Commit " in (work / "results" / "claims.md").read_text()
    assert (
        "Claims and verdicts: **T-F4**"
        in (work / "results" / "captions" / "figure_4.rst").read_text()
    )
    snakemake(repo, work, "--report", "report.html", "--configfile", tiny_config)
    assert "Table 2" in (work / "report.html").read_text(errors="replace")
    kept = request.config.cache.mkdir("tiny_report")
    shutil.copy(work / "report.html", kept / "report.html")
    (kept / "expected.json").write_text(
        json.dumps(
            {
                "claims": sorted(set(card["id"])),
                "figures": sorted(p.name for p in (work / "figures").glob("*.png")),
            }
        )
    )

    scores = {
        d: pd.read_parquet(work / "results" / "scores" / "tiny_check" / f"{d}.parquet")
        for d in cards
    }
    for dataset, frame in scores.items():
        assert len(frame) == 4 * 100 and frame["score_shokri"].dtype == np.float32
        names = [c.removeprefix("score_") for c in frame if c.startswith("score_")]
        recomputed = attack_columns(frame, names)
        results = tables[f"{dataset}-results"]
        for e, metrics in enumerate(recomputed):
            for column in ("shokri_mia_auc", "risk_score_paper_mia_accuracy", "oracle_mia_auc"):
                assert metrics[column] == results.loc[e, column], (dataset, column)

    # nothing left to do
    assert "Nothing to be done" in snakemake(repo, work, "-n", "--configfile", tiny_config).stdout

    snakemake(repo, work, "benchmark_engine", "--configfile", tiny_config)
    report = json.loads((work / "results" / "benchmarks" / "engine.json").read_text())
    assert {m["method"] for m in report["measurements"]} == {
        "sklearn",
        "torch_one_by_one",
        "batched_k1",
        "batched_k3",
    }
    assert {m["round"] for m in report["measurements"]} == {0, 1}
    seconds = {(m["round"], m["method"]): m["seconds_per_model"] for m in report["measurements"]}
    for ratio in report["ratios"]:
        by_round = [
            seconds[(r, "sklearn")] / seconds[(r, f"batched_k{ratio['k']}")] for r in (0, 1)
        ]
        assert ratio["speedup_vs_sklearn_by_round"] == pytest.approx(by_round, rel=1e-12)
        assert ratio["speedup_vs_sklearn"] == pytest.approx(
            sorted(by_round)[0] / 2 + sorted(by_round)[1] / 2
        )
    # the threading round: every setting, quiet and beside the busy process it started itself
    threading = report["threading"]["summary"]
    assert {(r["load"], r["setting"]) for r in threading} == {
        (load, setting)
        for load in ("quiet", "loaded")
        for setting in ("one_thread", "two_threads", "two_threads_passive", "side_by_side")
    }
    assert all(r["seconds"] > 0 for r in threading)

    # the AdvReg study, not part of `all`, on the same processed Adult and on a placed (synthetic)
    # Texas100 release, verified by its blob SHA-1 and read into arrays
    snakemake(repo, work, "nasr", "--configfile", tiny_config)
    release = json.loads((processed / "texas100.release.json").read_text())
    assert release["rows"] == 600 and release["n_classes"] == 10
    assert release["provenance"]["source"] == "placed by user"
    song_table = pd.read_csv(tables_dir / "song_table_2.csv")
    ours = song_table[song_table["source"] == "ours"]
    assert set(ours["dataset"]) == {"adult", "texas100"}
    assert len(ours) == 2 * 2 * 4 and (ours["repetitions"] == 2).all()
    assert ours["metric_correctness_pct"].between(0, 100).all()
    assert (song_table["source"] == "paper").sum() == 6
    verdict = pd.read_csv(tables_dir / "nasr_verdict.csv")
    assert len(verdict) == 4 and set(verdict["protocol"]) == {"known_half", "adaptive"}
    for name in ("nasr_privacy_utility", "song_figure_2", "song_figure_5"):
        for dataset in ("adult", "texas100"):
            assert (work / "figures" / f"{name}_{dataset}.png").stat().st_size > 1000

    # the GMIA study, not part of `all`, on the same processed Adult
    snakemake(repo, work, "long", "--configfile", tiny_config)
    table_1 = pd.read_csv(tables_dir / "long_table_1.csv")
    assert table_1["cutoff"].tolist() == [0.001, 0.002, 0.01]
    assert (table_1["paper_vulnerable_records"] == 13).all()
    assert len(pd.read_csv(tables_dir / "long_table_2.csv")) == 4
    accuracy = pd.read_csv(tables_dir / "long_table_6.csv")
    assert accuracy.set_index("model").loc["target", "models"] == 6
    table_7 = pd.read_csv(tables_dir / "long_table_7.csv")
    assert table_7["attack"].tolist()[:2] == ["Shokri", "Shokri"]
    for number in (8, 9):
        assert (work / "figures" / f"long_figure_{number}.png").stat().st_size > 1000

    # LiRA and RMIA on the property studies' samples (sklearn references for Table 2's kinds)
    snakemake(repo, work, "lira", "--configfile", tiny_config)
    lira = pd.read_csv(tables_dir / "lira_summary.csv")
    assert set(lira["study"]) == {
        "figure_4",
        "figure_5",
        "figure_8_units",
        "figure_8_learning_rate",
        "figure_8_l2",
        "table_2",
    }
    assert lira["lira_online_auc_pct"].between(0, 100).all() and not lira["resolves_1pct"].any()
    for name in ("figure_4", "figure_5", "figure_8", "roc"):
        assert (work / "figures" / "lira" / f"{name}.png").stat().st_size > 1000
    table_2 = pd.read_csv(tables_dir / "lira_table_2.csv")
    assert table_2["target_model"].tolist() == ["ann", "knn", "lr", "rf", "svm"]
    assert {"shokri AUC", "lira_online AUC", "rmia_offline TPR@1%"} <= set(table_2)
    assert len(pd.read_csv(tables_dir / "lira_table_3.csv")) == 4
    roc = pd.read_csv(work / "results" / "figure_data" / "lira_roc.csv")
    assert set(roc["panel"]) == {"default", "leaky", "minority records"}

    # Last, a forced rerun of preprocessing (so of the tiny_check study after
    # it; the other studies would only repeat the same path at more cost) is killed with SIGKILL,
    # Snakemake and its job alike: the README's resume command first meets the lock, then, after
    # --unlock, resumes at one core (the first run had two) and gives identical tables, so
    # results do not depend on the core count either.
    # (the processed tables are named too: a killed preprocess job's table is gone, and nothing
    # downstream asks for it while its old results stand)
    resumed = [
        *(
            f"results/data/processed/{dataset}.{ext}"
            for dataset in cards
            for ext in ("parquet", "json")
        ),
        *(
            f"results/{kind}/tiny_check/{dataset}.parquet"
            for kind in ("experiments", "scores")
            for dataset in cards
        ),
        # and the samples: a sampling job killed mid-run loses its outputs too, and a study
        # whose table still stands by checksum would not ask for them again
        *(
            f"results/samples/tiny_check/{dataset}{ext}"
            for dataset in cards
            for ext in (".parquet", ".experiments.parquet")
        ),
    ]
    started = time.time()
    killed = kill_once_running(
        [
            *snakemake_args(repo, work),
            *resumed,
            "--forcerun",
            "preprocess",
            "--configfile",
            tiny_config,
        ],
        [work / "results" / "logs" / f"preprocess_{dataset}.log" for dataset in cards],
        started,
    )
    assert killed, "the rerun ended before it could be killed"
    locked = snakemake(
        repo, work, "--rerun-incomplete", *resumed, "--configfile", tiny_config, check=False
    )
    assert locked.returncode != 0 and "--unlock" in locked.stdout + locked.stderr
    snakemake(repo, work, "--unlock", "--configfile", tiny_config)
    snakemake(repo, work, "--rerun-incomplete", *resumed, "--configfile", tiny_config, cores=1)
    # Adult's processed table (over 1 MB) was rewritten, so everything after it reran; for the
    # small synthetic tables Snakemake may see identical bytes by checksum and keep what follows.
    rebuilt = work / "results" / "experiments" / "tiny_check" / "adult.parquet"
    assert rebuilt.stat().st_mtime > started, f"{rebuilt} was not rebuilt by the resume"
    for dataset in cards:
        pd.testing.assert_frame_equal(
            tables[dataset], pd.read_parquet(processed / f"{dataset}.parquet")
        )
        pd.testing.assert_frame_equal(
            tables[f"{dataset}-splits"], pd.read_parquet(samples / f"{dataset}.parquet")
        )
        pd.testing.assert_frame_equal(
            tables[f"{dataset}-results"],
            pd.read_parquet(work / "results" / "experiments" / "tiny_check" / f"{dataset}.parquet"),
        )
        assert json.loads((processed / f"{dataset}.json").read_text()) == cards[dataset]
        pd.testing.assert_frame_equal(
            scores[dataset],
            pd.read_parquet(work / "results" / "scores" / "tiny_check" / f"{dataset}.parquet"),
        )


def chromium(reason_if_missing: str) -> str:
    """Debian's headless Chromium; installed when CI runs as root, else the test skips."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", "chromium"],
        ):
            subprocess.run(command, check=True, env=env, capture_output=True)
        return shutil.which("chromium")
    pytest.skip(reason_if_missing)


def test_the_report_opens_with_the_scorecard_in_a_browser(request):
    kept = request.config.cache.mkdir("tiny_report")
    if not (kept / "report.html").exists():
        pytest.skip("needs the report of test_tiny_end_to_end_is_complete_and_reproducible")
    browser = chromium("Chromium is not installed (apt-get install chromium; CI installs it)")
    expected = json.loads((kept / "expected.json").read_text())
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            (kept / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dom = done.stdout
    # the landing view (rendered by the report's scripts) is the scorecard with every claim id
    landing = dom[re.search(r'<div class="document"[^>]*>', dom).start() :]
    landing = landing[: landing.index('id="brand"')]
    assert "Claims scorecard" in landing
    for claim in expected["claims"]:
        assert f"<strong>{claim}</strong>" in landing, claim
    # the navigation offers the scorecard's category and every figure
    assert "0 Claims scorecard" in dom
    for figure in expected["figures"]:
        assert figure in dom, figure


def test_lira_all_attacks_every_undefended_study(repo, tmp_path, tiny_config):
    config = yaml.safe_load(tiny_config.read_text())
    config["lira"]["studies"] = "all"
    tiny_config.write_text(yaml.safe_dump(config))
    done = snakemake(repo, tmp_path / "work", "-n", "lira", "--configfile", tiny_config)
    attacked = re.findall(r"rule lira_study:\n(?:.*\n)*?\s+wildcards: study=(\w+)", done.stdout)
    expected = {
        study
        for study, spec in config["studies"].items()
        if spec.get("in_all", True) and "defense" not in json.dumps(spec.get("grid", {}))
    }
    assert set(attacked) == expected and "table_5" not in expected and "figure_9" in expected


def test_missing_raw_data_is_named_at_dag_build_before_any_job(repo, tmp_path, monkeypatch):
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle"))
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    config["datasets"] = ["adult", "texas", "purchase"]
    config["data"]["texas"]["source_dir"] = str(tmp_path / "empty")
    config["data"]["purchase"]["source_dir"] = str(tmp_path / "empty")
    path = tmp_path / "texas.yaml"
    path.write_text(yaml.safe_dump(config))
    done = snakemake(repo, tmp_path / "work", "-n", "all", "--configfile", path, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "PUDF-1Q2006-tab-delimited.zip" in output and "trainHistory.csv.gz" in output
    assert "datasets=[adult]" in output and "Traceback" not in output
    assert not (tmp_path / "work" / "results").exists()  # no job ran, not even Adult's


def test_a_config_without_studies_fails_at_dag_build(repo, tmp_path):
    path = tmp_path / "none.yaml"
    path.write_text(yaml.safe_dump({"datasets": ["adult"]}))
    done = snakemake(repo, tmp_path / "work", "-n", "--configfile", path, check=False)
    assert done.returncode != 0
    assert "defines no studies" in done.stdout + done.stderr


def dry_run_jobs(args, cwd):
    """Every job of a forced dry run (``-n -F``), as the job table Snakemake prints."""
    done = run([sys.executable, "-m", "snakemake", "-n", "-F", "--cores", "2", *args], cwd=cwd)
    counts = {}
    for line in done.stdout.split("Job stats:")[1].splitlines()[3:]:
        rule, count = line.split()
        counts[rule] = int(count)
        if rule == "total":
            break
    return done.stdout, counts


def test_quick_config_stands_alone_wherever_snakemake_runs(repo, tmp_path):
    # from the repository root, where config/config.yaml sits beside the Snakefile
    stdout, jobs = dry_run_jobs(["--configfile", "config/quick.yaml"], repo)
    assert "class_balance_check" not in stdout
    assert "results/experiments/figure_4/adult.parquet" in stdout
    # and the same from elsewhere
    _, elsewhere = dry_run_jobs(
        [
            "--snakefile",
            str(repo / "Snakefile"),
            "--directory",
            str(tmp_path),
            "--configfile",
            str(repo / "config" / "quick.yaml"),
        ],
        repo,
    )
    assert elsewhere == jobs
    # without --configfile the paper's protocol is in force, also from elsewhere
    default, _ = dry_run_jobs(
        ["--snakefile", str(repo / "Snakefile"), "--directory", str(tmp_path)], tmp_path
    )
    assert "results/experiments/class_balance_check/adult.parquet" in default


def test_placed_adult_files_survive_the_acquisition_rule(repo, tmp_path, adult_raw):
    placed = place_adult(tmp_path / "work", adult_raw)
    before = {p.name: p.read_bytes() for p in placed.iterdir()}
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    config["data"]["adult"] |= {"sources": ["uci"], "uci_base_url": "http://127.0.0.1:9"}
    path = tmp_path / "placed.yaml"
    path.write_text(yaml.safe_dump(config))
    snakemake(repo, tmp_path / "work", "results/data/raw/adult/manifest.json", "--configfile", path)
    after = {p.name: p.read_bytes() for p in placed.iterdir() if p.name != "manifest.json"}
    assert after == before
    manifest = json.loads((placed / "manifest.json").read_text())
    assert {f["source"] for f in manifest["files"]} == {"placed by user"}


def test_misspelt_config_key_is_named(repo, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"data": {"adult": {"missng": "drop"}}}))
    done = snakemake(repo, tmp_path, "-n", "--configfile", path, check=False)
    assert done.returncode != 0
    assert "missng" in done.stdout + done.stderr


def test_another_workflow_imports_this_one_as_a_module(repo, tmp_path, adult_raw):
    """`module miarep: snakefile: ...` and `use rule * from miarep` with the host's own config:
    the host builds one figure in its own folder."""
    host = tmp_path / "host"
    place_adult(host, adult_raw)
    config = figure_3_config()
    (host / "config.yaml").write_text(yaml.safe_dump(config))
    (host / "Snakefile").write_text(
        'configfile: "config.yaml"\n\n\n'
        "module miarep:\n"
        f'    snakefile: "{repo / "Snakefile"}"\n'
        "    config: config\n\n\n"
        "use rule * from miarep as miarep_*\n"
    )
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "miarep_figure_3"]
    run(command, cwd=host)
    assert (host / "figures" / "figure_3.png").stat().st_size > 1000
    results = pd.read_parquet(host / "results" / "experiments" / "figure_3" / "adult.parquet")
    assert sorted(results["target_size"].unique()) == [40, 80] and len(results) == 4
