"""Runs per second of a 200-run sweep of a district preset: serially, on 2 local workers and
on a loopback Dask cluster of 2 workers (median of 3 each), plus the pure per-run overhead
of the local pool with a do-nothing run.

    .venv/bin/python benchmarks/sweep_executors.py [--runs 200] [--days 60] [--repeats 3]

Each sweep is the real command (`python -m sim sweep EXP --out DIR ...`) in a fresh folder.
"runs/s" is measured over the run loop (from the result manifest); "wall" includes
start-up (imports, forking, connecting to Dask).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.sweep.executors import LocalExecutor, RunTask  # noqa: E402
from sim.sweep.loopback import LoopbackCluster  # noqa: E402


def noop(scenario, seed, timeseries):
    class Result:
        summary = {"seed": seed}
        timeseries = None

    return Result()


def noop_plain(task):
    return task


def write_experiment(folder: Path, runs: int, days: int, preset: str) -> Path:
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump({
        "name": "bench", "base": str(REPO / "scenarios" / preset),
        "days": days, "warmup_days": min(50, days // 5), "replications": runs, "master_seed": 1,
        "outcomes": ["tasks_done_on_time_share"],
    }, sort_keys=False))
    return path


def one_sweep(experiment: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "sweep", str(experiment), "--out", str(out), "--quiet", *extra],
                   cwd=REPO, check=True)
    wall = time.perf_counter() - start
    session = json.loads((out / "manifest.json").read_text())["last_session"]
    return session["runs_per_second"], wall


def overhead(n: int = 4000) -> dict[str, float]:
    """Microseconds per do-nothing run through the sweep's pool and through a plain Pool."""
    tasks = [RunTask(f"r{i}", None, i) for i in range(n)]
    with LocalExecutor(2) as pool:
        start = time.perf_counter()
        sum(len(b) for b in pool.map("__main__:noop", tasks))
        ours = (time.perf_counter() - start) / n
    with multiprocessing.get_context("fork").Pool(2) as pool:
        start = time.perf_counter()
        for _ in pool.imap_unordered(noop_plain, tasks, chunksize=8):
            pass
        plain = (time.perf_counter() - start) / n
    return {"sweep pool (adaptive batches)": 1e6 * ours, "multiprocessing.Pool imap_unordered(chunksize=8)": 1e6 * plain}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--days", type=int, default=60, help="working days per run (preset: 250)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--preset", default="unlimited-responsibility.yaml")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tiaokuai-bench-") as tmp:
        folder = Path(tmp)
        experiment = write_experiment(folder, args.runs, args.days, args.preset)
        modes = {"serial": ["--workers", "1"], "2 local workers": ["--workers", "2"]}
        results: dict[str, list[tuple[float, float]]] = {}
        for name, extra in modes.items():
            results[name] = [one_sweep(experiment, folder / f"{name}-{i}".replace(" ", "_"), extra)
                             for i in range(args.repeats)]
        if not args.skip_dask:
            with LoopbackCluster(workers=2, log_dir=folder) as address:
                results["Dask loopback, 2 workers"] = [
                    one_sweep(experiment, folder / f"dask-{i}", ["--scheduler", address]) for i in range(args.repeats)
                ]
    print(f"\n{args.runs} runs of {args.preset} ({args.days} days each), median of {args.repeats}:\n")
    print("| executor | runs/s (run loop) | wall incl. start-up (s) | all repeats, runs/s |")
    print("|---|---|---|---|")
    for name, values in results.items():
        rates = [r for r, _ in values]
        walls = [w for _, w in values]
        print(f"| {name} | {statistics.median(rates):.2f} | {statistics.median(walls):.1f} | "
              f"{', '.join(f'{r:.2f}' for r in rates)} |")
    print("\nPer-run overhead of the local pool with a do-nothing run (2 workers):")
    for name, us in overhead().items():
        print(f"  {name}: {us:.0f} µs per run")


if __name__ == "__main__":
    main()
