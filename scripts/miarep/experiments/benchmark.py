"""Engine benchmark: seconds per model and test accuracy, scikit-learn against the batched engine.

Every measurement runs in a fresh child process, so that its peak memory (ru_maxrss) is its own
and no warm cache favours a later one. All measurements of a report come from the same run on
the same machine; the report states ratios, never absolute targets.

A shared VM's speed drifts by 20-40% over minutes, which moves a ratio of two timings taken
minutes apart. So the whole set of measurements runs in ``rounds`` back-to-back rounds, each
ratio is taken within a round (sklearn and the engine measured a minute apart at most), and the
report gives every round's ratio with their median.
"""

import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from miarep.core.errors import ConfigError
from miarep.core.io import read_parquet
from miarep.core.seeding import int_seed, rng
from miarep.data.encoding import ENCODED_PREFIX
from miarep.train.allocator import keep_freed_memory
from miarep.train.engine import BatchedMLP, TrainConfig, generators

log = logging.getLogger(__name__)


def load_benchmark_data(table_path: str, records: int, test_records: int, seed: int):
    """x, y and disjoint train/test rows drawn from the processed table."""
    table = read_parquet(table_path)
    x = table[[c for c in table.columns if c.startswith(ENCODED_PREFIX)]].to_numpy(np.float32)
    y = table["label"].to_numpy(np.int64)
    if records + test_records > len(table):
        raise ConfigError(
            f"benchmark.records + benchmark.test_records = {records + test_records}, but "
            f"{table_path} has {len(table)} records: lower them"
        )
    order = rng(seed, "benchmark").permutation(len(table))
    return x, y, order[:records], order[records : records + test_records]


def _measure(job: dict) -> dict:
    """Run one measurement (in a child process): train, time, score, report peak memory."""
    torch.set_num_threads(job["threads"])
    keep_freed_memory()  # every method runs under the same allocator settings
    x, y, train, test = load_benchmark_data(
        job["table"], job["records"], job["test_records"], job["seed"]
    )
    config = TrainConfig(**job["config"])
    seeds = [int_seed(job["seed"], "benchmark-model", i) for i in range(job["models"])]
    accuracies = []
    start = time.perf_counter()
    if job["method"] == "sklearn":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        for seed in seeds:
            model = MLPClassifier(
                hidden_layer_sizes=config.hidden,
                activation=config.activation,
                solver="sgd",
                learning_rate_init=config.learning_rate,
                momentum=config.momentum,
                nesterovs_momentum=config.nesterov,
                alpha=config.alpha,
                batch_size=config.batch_size,
                max_iter=config.epochs,
                tol=config.tol if config.tol is not None else 0.0,
                n_iter_no_change=config.n_iter_no_change
                if config.tol is not None
                else config.epochs,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(x[train], y[train])
            accuracies.append(model.score(x[test], y[test]))
    else:
        per_call = 1 if job["method"] == "torch_one_by_one" else job["models"]
        x_t, y_t = torch.as_tensor(x), torch.as_tensor(y)
        for first in range(0, job["models"], per_call):
            chunk = seeds[first : first + per_call]
            engine = BatchedMLP(config, x.shape[1], len(chunk), job["device"])
            engine.fit(x_t, y_t, [train] * len(chunk), gens=generators(chunk, engine.device))
            probabilities = engine.predict_proba(x_t, np.tile(test, (len(chunk), 1)))
            accuracies.extend(((probabilities[..., 1] > 0.5) == y[test]).mean(1).tolist())
    seconds = time.perf_counter() - start
    return {
        "method": job["method"],
        "hidden": list(config.hidden),
        "models": job["models"],
        "seconds_total": seconds,
        "seconds_per_model": seconds / job["models"],
        "test_accuracy_mean": float(np.mean(accuracies)),
        "test_accuracy_min": float(np.min(accuracies)),
        "test_accuracy_max": float(np.max(accuracies)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_benchmark(
    table_path: str,
    base: TrainConfig,
    architectures: list[list[int]],
    batch_sizes: list[int],
    one_by_one_models: int,
    records: int,
    test_records: int,
    seed: int,
    threads: int,
    device: str = "auto",
    rounds: int = 1,
) -> dict:
    """All measurements of the report, each in its own process, ``rounds`` times, and the
    speed-up ratios per round with their median."""
    plan = []  # (hidden, method label, job) of one round, in the order they run
    for hidden in architectures:
        config = asdict(replace(base, hidden=tuple(hidden)))
        jobs = [("sklearn", one_by_one_models), ("torch_one_by_one", one_by_one_models)]
        jobs += [(f"batched_k{k}", k) for k in batch_sizes]
        for method, models in jobs:
            job = {
                "method": method if not method.startswith("batched") else "batched",
                "models": models,
                "config": config,
                "table": table_path,
                "records": records,
                "test_records": test_records,
                "seed": seed,
                "threads": threads,
                "device": device,
            }
            plan.append((hidden, method, job))
    measurements = []
    for round_ in range(rounds):
        for hidden, method, job in plan:
            result = {"round": round_, **_in_child_process(job), "method": method}
            log.info(
                "round %d/%d, %s %s: %.3f s/model, test accuracy %.4f",
                round_ + 1,
                rounds,
                method,
                hidden,
                result["seconds_per_model"],
                result["test_accuracy_mean"],
            )
            measurements.append(result)
    return {
        "machine": _machine(threads, device),
        "settings": {
            "records": records,
            "test_records": test_records,
            "base_config": asdict(base),
            "architectures": architectures,
            "batch_sizes": batch_sizes,
            "one_by_one_models": one_by_one_models,
            "rounds": rounds,
            "seed": seed,
        },
        "measurements": measurements,
        "ratios": _ratios(measurements, batch_sizes),
    }


def _in_child_process(job: dict) -> dict:
    """Run :func:`_measure` in a fresh interpreter (``python -m miarep.experiments.benchmark``)."""
    return _in_child_processes([job])[0]


def _in_child_processes(jobs: list[dict]) -> list[dict]:
    """Run several measurements side by side, each in its own interpreter, with the extra
    environment variables of its ``env`` (e.g. OMP_WAIT_POLICY, read when torch starts). The
    workflow's own OMP_WAIT_POLICY is dropped, so a job without one runs at OpenMP's default, as
    every measurement before the threading round did."""
    package_parent = str(Path(__file__).resolve().parents[2])  # the folder that holds miarep/
    children = []
    for job in jobs:
        env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"} | job.get("env", {})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "miarep.experiments.benchmark", json.dumps(job)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    results = []
    for job, child in zip(jobs, children, strict=True):
        stdout, stderr = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"benchmark job {job['method']} failed:\n{stderr[-2000:]}")
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    return results


#: the threading settings compared, as (name, intra-op threads, extra environment)
THREAD_SETTINGS = (
    ("one_thread", 1, {}),
    ("two_threads", 2, {}),
    ("two_threads_passive", 2, {"OMP_WAIT_POLICY": "PASSIVE"}),
)


def run_threading_benchmark(
    table_path: str,
    base: TrainConfig,
    models: int,
    epochs: int,
    records: int,
    seed: int,
    rounds: int = 1,
    device: str = "cpu",
) -> dict:
    """Seconds for ``models`` 1x50 models (``base``'s other settings, ``epochs`` epochs, every
    one run) on ``records`` rows, quiet and beside a busy neighbour process that this function
    starts and stops: at one thread, two threads, two threads with a passive OpenMP wait policy,
    and two one-thread jobs side by side (each of ``models`` models; seconds per job)."""
    config = asdict(replace(base, hidden=(50,), epochs=epochs, tol=None))
    job = {
        "method": "batched",
        "models": models,
        "config": config,
        "table": table_path,
        "records": records,
        "test_records": 1000,
        "seed": seed,
        "device": device,
    }
    measurements = []
    for round_ in range(rounds):
        for load in ("quiet", "loaded"):
            neighbour = _busy_neighbour() if load == "loaded" else None
            try:
                for name, threads, env in THREAD_SETTINGS:
                    (result,) = _in_child_processes([job | {"threads": threads, "env": env}])
                    measurements.append(_threading_row(round_, load, name, result["seconds_total"]))
                start = time.perf_counter()
                _in_child_processes([job | {"threads": 1}] * 2)
                seconds = (time.perf_counter() - start) / 2
                measurements.append(_threading_row(round_, load, "side_by_side", seconds))
            finally:
                if neighbour is not None:
                    neighbour.kill()
                    neighbour.wait()
            for row in measurements[-len(THREAD_SETTINGS) - 1 :]:
                log.info("round %d/%d, %s: %s %.1f s", round_ + 1, rounds, *list(row.values())[1:])
    return {
        "settings": {"models": models, "epochs": epochs, "records": records, "rounds": rounds},
        "measurements": measurements,
        "summary": _threading_summary(measurements),
    }


def _busy_neighbour() -> subprocess.Popen:
    """Another process keeping one core busy (a Python spin loop), as a shared machine has."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _threading_row(round_: int, load: str, setting: str, seconds: float) -> dict:
    return {"round": round_, "load": load, "setting": setting, "seconds": seconds}


def _threading_summary(measurements: list[dict]) -> list[dict]:
    """Median and range of the seconds of each (load, setting) over the rounds."""
    out = []
    for load in ("quiet", "loaded"):
        for setting in [name for name, _, _ in THREAD_SETTINGS] + ["side_by_side"]:
            seconds = [
                m["seconds"] for m in measurements if m["load"] == load and m["setting"] == setting
            ]
            if seconds:
                out.append(
                    {
                        "load": load,
                        "setting": setting,
                        "seconds": float(np.median(seconds)),
                        "seconds_min": min(seconds),
                        "seconds_max": max(seconds),
                    }
                )
    return out


def _ratios(measurements: list[dict], batch_sizes: list[int]) -> list[dict]:
    """Speed-up of each batched size over sklearn and over torch one by one, taken within each
    round, with the median and range over rounds and the accuracy difference in points."""
    out = []
    for hidden in {tuple(m["hidden"]) for m in measurements}:
        by_round: dict[int, dict[str, dict]] = {}
        for m in measurements:
            if tuple(m["hidden"]) == hidden:
                by_round.setdefault(m["round"], {})[m["method"]] = m
        rounds = [by_round[r] for r in sorted(by_round)]
        for k in batch_sizes:
            vs_sklearn, vs_torch, accuracy = [], [], []
            for rows in rounds:
                batched, sklearn = rows[f"batched_k{k}"], rows["sklearn"]
                seconds = batched["seconds_per_model"]
                vs_sklearn.append(sklearn["seconds_per_model"] / seconds)
                vs_torch.append(rows["torch_one_by_one"]["seconds_per_model"] / seconds)
                accuracy.append(
                    100 * (batched["test_accuracy_mean"] - sklearn["test_accuracy_mean"])
                )
            out.append(
                {
                    "hidden": list(hidden),
                    "k": k,
                    "speedup_vs_sklearn": float(np.median(vs_sklearn)),
                    "speedup_vs_sklearn_min": min(vs_sklearn),
                    "speedup_vs_sklearn_max": max(vs_sklearn),
                    "speedup_vs_sklearn_by_round": vs_sklearn,
                    "speedup_vs_torch_one_by_one": float(np.median(vs_torch)),
                    "accuracy_difference_points": float(np.mean(accuracy)),
                }
            )
    return sorted(out, key=lambda r: (len(r["hidden"]), r["hidden"], r["k"]))


def _machine(threads: int, device: str) -> dict:
    return {
        "platform": platform.platform(),
        "processor": platform.processor(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": threads,
        "device": str(device),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


if __name__ == "__main__":
    print(json.dumps(_measure(json.loads(sys.argv[1]))))
