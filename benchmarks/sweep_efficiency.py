"""Issue #8: parallel efficiency of sweeps (local workers, Dask) and memory of a long sweep.

Efficiency = (runs/s with 2 workers) / (2 x runs/s with 1 worker), each from the wall time
of the whole `tiaokuai sweep` command (interpreter start-up, planning, forking, storing
included). Because the machine may be shared, it also reports how busy the workers were
inside runs (the store's `run_seconds` over workers x wall): contention slows runs and wall
alike, so the ratio of that share with 2 workers to serial's is the engine's own
efficiency. Serial, 2 local workers and a 2-worker Dask loopback cluster take turns, repeat
by repeat, on benchmarks/sweep-district.yaml (200 runs); medians of --repeats, and the
median of the ratios paired within a repeat. The Dask cluster is started for its own
measurement and stopped after it (start-up reported apart): idle, with Dask's defaults, it took ~9% of a
core, which would slow the serial and local measurements if it stayed up.

With --memory (or --memory-only), a 10,000-run sweep (benchmarks/sweep-memory.yaml) runs on
2 workers while the memory of the driver and its workers is sampled every half second: RSS,
and PSS, which counts a page shared by forked processes once. Flat memory means the last
decile's PSS is close to the second's (the first holds the start-up).

    .venv/bin/python benchmarks/sweep_efficiency.py [--repeats 5] [--no-dask] [--memory]
    .venv/bin/python benchmarks/sweep_efficiency.py --memory-only

Writes results/benchmarks/sweep_efficiency.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
TIAOKUAI = Path(sys.executable).with_name("tiaokuai")


def sweep_seconds(experiment: Path, extra: list[str], sample_memory: bool = False) -> tuple[float, list, float]:
    """Wall time of one `tiaokuai sweep` command, memory samples, and the sum of its runs'
    own times (the store's `run_seconds`)."""
    out = Path(tempfile.mkdtemp(prefix="tiaokuai-bench-sweep-"))
    samples: list[tuple[float, float]] = []
    try:
        start = time.perf_counter()
        proc = subprocess.Popen([str(TIAOKUAI), "sweep", str(experiment), "--out", str(out), "--quiet", *extra],
                                cwd=ROOT)
        if sample_memory:
            stop = threading.Event()

            def sample() -> None:
                p = psutil.Process(proc.pid)
                while not stop.is_set():
                    try:
                        procs = [p, *p.children(recursive=True)]
                        rss = sum(q.memory_info().rss for q in procs) / 2**20
                        # RSS counts a page shared by the forked workers once per process;
                        # PSS splits it among them, so its sum is the memory really in use
                        pss = sum(q.memory_full_info().pss for q in procs) / 2**20
                        samples.append((time.perf_counter() - start, rss, p.memory_info().rss / 2**20, pss))
                    except psutil.Error:
                        pass
                    stop.wait(0.5)

            thread = threading.Thread(target=sample, daemon=True)
            thread.start()
        if proc.wait() != 0:
            raise RuntimeError(f"tiaokuai sweep {' '.join(extra)} failed")
        seconds = time.perf_counter() - start
        if sample_memory:
            stop.set()
            thread.join()
        import pandas as pd

        run_seconds = float(sum(pd.read_parquet(f, columns=["run_seconds"])["run_seconds"].sum()
                                for f in (out / "runs").glob("*.parquet")))
        return seconds, samples, run_seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def memory_check() -> dict:
    """The 10,000-run sweep on 2 workers, its memory sampled every half second."""
    seconds, samples, _ = sweep_seconds(HERE / "sweep-memory.yaml", ["--workers", "2"], sample_memory=True)
    rss = [s[1] for s in samples]
    driver = [s[2] for s in samples]
    pss = [s[3] for s in samples]
    tenth = max(len(samples) // 10, 1)
    memory = {
        "runs": 10000, "seconds": seconds,
        "rss_total_mib_first_decile": statistics.median(rss[:tenth]),
        "rss_total_mib_last_decile": statistics.median(rss[-tenth:]),
        "rss_driver_mib_first_decile": statistics.median(driver[:tenth]),
        "rss_driver_mib_last_decile": statistics.median(driver[-tenth:]),
        "rss_total_mib_max": max(rss),
        "pss_total_mib_first_decile": statistics.median(pss[:tenth]),
        "pss_total_mib_second_decile": statistics.median(pss[tenth:2 * tenth]),
        "pss_total_mib_last_decile": statistics.median(pss[-tenth:]),
        "pss_total_mib_max": max(pss),
        "samples": samples[:: max(len(samples) // 200, 1)],
    }
    print(json.dumps({k: v for k, v in memory.items() if k != "samples"}, indent=1))
    return memory


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--memory", action="store_true", help="also the 10,000-run memory check")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the memory check, replacing that part of an existing --out file")
    ap.add_argument("--out", default="results/benchmarks/sweep_efficiency.json")
    args = ap.parse_args()
    exp = HERE / "sweep-district.yaml"
    runs = 200
    result: dict = {"experiment": str(exp.relative_to(ROOT)), "runs": runs, "repeats": args.repeats}
    times: dict[str, list[float]] = {"serial": [], "local2": [], "dask2": []}
    # share of the workers' wall time spent inside runs: the engine's own efficiency, which a
    # busy machine does not distort (contention slows the runs and the wall alike)
    busy: dict[str, list[float]] = {"serial": [], "local2": [], "dask2": []}
    # mean seconds a run took inside the sweep: >serial's means the cores slowed each other
    per_run: dict[str, list[float]] = {"serial": [], "local2": [], "dask2": []}
    loads: list[float] = []

    from sim.sweep.loopback import LoopbackCluster

    if args.memory_only:
        out = ROOT / args.out
        result = json.loads(out.read_text()) if out.exists() else {}
        result["memory"] = memory_check()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1))
        print(f"wrote {out}")
        return

    startups: list[float] = []
    for rep in range(args.repeats):
        # nothing of ours runs between repeats: CPU in use now is someone else's
        loads.append(psutil.cpu_percent(interval=1.0))
        if loads[-1] > 10:
            print(f"warning: the CPUs were {loads[-1]:.0f}% busy before repeat {rep}: something "
                  "else is running; efficiencies will read low", file=sys.stderr, flush=True)
        modes = [("serial", ["--workers", "1"]), ("local2", ["--workers", "2"])]
        if not args.no_dask:
            modes.append(("dask2", None))
        for name, extra in modes:
            cluster = None
            if extra is None:
                # The cluster lives only for its own measurement: idle, with Dask's default
                # settings, its scheduler and workers took ~9% of a core, slowing the others.
                t = time.perf_counter()
                cluster = LoopbackCluster(workers=2)
                extra = ["--scheduler", cluster.__enter__()]
                startups.append(time.perf_counter() - t)
            try:
                seconds, _, run_seconds = sweep_seconds(exp, extra)
            finally:
                if cluster is not None:
                    cluster.close()
            times[name].append(seconds)
            busy[name].append(run_seconds / ((1 if name == "serial" else 2) * seconds))
            per_run[name].append(run_seconds / runs)
            print(f"rep {rep} {name}: {seconds:.1f} s ({runs / seconds:.2f} runs/s), "
                  f"workers busy in runs {busy[name][-1]:.0%}", flush=True)
    if startups:
        result["dask_cluster_startup_s"] = statistics.median(startups)

    med = {k: statistics.median(v) for k, v in times.items() if v}
    result["seconds"] = times
    result["busy_in_runs"] = busy
    result["busy_in_runs_median"] = {k: statistics.median(v) for k, v in busy.items() if v}
    # the engine's efficiency with contention factored out: 2-worker busy share over serial's
    result["engine_efficiency_local2"] = result["busy_in_runs_median"]["local2"] / result["busy_in_runs_median"]["serial"]
    if busy["dask2"]:
        result["engine_efficiency_dask2"] = result["busy_in_runs_median"]["dask2"] / result["busy_in_runs_median"]["serial"]
    result["seconds_median"] = med
    result["efficiency_local2"] = med["serial"] / (2 * med["local2"])
    per_rep = [s / (2 * l) for s, l in zip(times["serial"], times["local2"])]
    result["efficiency_local2_per_repeat"] = per_rep
    result["efficiency_local2_paired_median"] = statistics.median(per_rep)
    result["load_cpu_percent_before_repeats"] = loads
    # where the rest goes: runs slowed by sharing the cores, and time outside runs
    result["run_seconds_mean"] = {k: statistics.median(v) for k, v in per_run.items() if v}
    result["run_slowdown_local2"] = result["run_seconds_mean"]["local2"] / result["run_seconds_mean"]["serial"]
    result["outside_runs_seconds"] = {
        k: statistics.median(t - r * runs / (1 if k == "serial" else 2) for t, r in zip(times[k], per_run[k]))
        for k in times if times[k]
    }
    if "dask2" in med:
        result["efficiency_dask2"] = med["serial"] / (2 * med["dask2"])
        result["dask_share_of_local"] = result["efficiency_dask2"] / result["efficiency_local2"]
        dask_rep = [s / (2 * d) for s, d in zip(times["serial"], times["dask2"])]
        result["efficiency_dask2_per_repeat"] = dask_rep
        result["dask_share_of_local_paired_median"] = statistics.median(d / l for d, l in zip(dask_rep, per_rep))
    print(json.dumps({k: v for k, v in result.items()
                      if k.startswith(("efficiency", "engine", "dask", "seconds_median", "busy_in_runs_median",
                                     "run_", "outside", "load"))}, indent=1))

    if args.memory:
        result["memory"] = memory_check()

    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
