"""Issue 19: runs per second per core of the district preset, single runs against stacks.

    .venv/bin/python benchmarks/stacking.py [--days 250 600] [--stacks 1 8 32 128] [--single-runs 8]

For each horizon: `sim.run` run by run, and `sim.run_stack` with stacks of K seeds (each
stack's summaries bit for bit the single runs'). Times are this process's CPU seconds
(`time.process_time`), so a shared machine's waiting does not count; runs/s per core is
runs / CPU second, and tasks/s is tasks created / CPU second. The yardstick is a bare
NumPy queue kernel of the same task volume (the preset's tasks a day, its offices,
arrivals drawn, gamma efforts, each office working its queue first come first served
with a day's hours, departures dropped), timed in the same process between the model's
measurements. Memory per world is the bytes of every array the stacked World holds at
the end of the run (ledger, roster, tally with its per-day records) divided by K.

Writes results/benchmarks/stacking.json and prints one line per measurement.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_scenario, run, run_stack  # noqa: E402
from sim.rules import play_day  # noqa: E402
from sim.world import World  # noqa: E402

PRESET = ROOT / "scenarios" / "unlimited-responsibility.yaml"


def cpu(fn) -> float:
    gc.collect()
    start = time.process_time()
    fn()
    return time.process_time() - start


def kernel(days: int, tasks_per_day: float, offices: int, hours: float, seed: int = 0) -> int:
    """A bare queue of the same volume: Poisson arrivals to uniformly drawn offices, gamma
    efforts, each office works its queue in arrival order with `hours` a day; finished
    tasks leave. Returns the tasks created."""
    rng = np.random.default_rng(seed)
    holder = np.zeros(0, dtype=np.int64)
    left = np.zeros(0)
    created = 0
    for _ in range(days):
        n = int(rng.poisson(tasks_per_day))
        created += n
        holder = np.concatenate([holder, rng.integers(0, offices, n)])
        left = np.concatenate([left, rng.standard_gamma(2.0, n)])
        order = np.argsort(holder, kind="stable")
        h, w = holder[order], left[order]
        total = np.cumsum(w)
        first = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        before = np.repeat(np.r_[0.0, total[first[1:] - 1]], np.diff(np.r_[first, h.size]))
        within = total - before
        done = within <= hours
        partial = ~done & np.r_[True, done[:-1] | (h[1:] != h[:-1])]  # the first unfinished of each queue
        w = np.where(partial, within - hours, w)
        keep = np.sort(order[~done])
        rest = np.empty_like(left)
        rest[order] = w
        holder, left = holder[keep], rest[keep]
    return created


def array_bytes(world: World) -> int:
    """Bytes of every NumPy array the World holds (ledger, roster, topology, tally, behaviour)."""
    seen: set[int] = set()
    total = 0

    def add(obj) -> None:
        nonlocal total
        if isinstance(obj, np.ndarray):
            if id(obj) not in seen:
                seen.add(id(obj))
                total += obj.nbytes
        elif isinstance(obj, dict):
            for v in obj.values():
                add(v)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                add(v)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            for v in vars(obj).values():
                add(v)

    for name in ("tasks", "roster", "topology", "tally", "behaviour"):
        add(getattr(world, name))
    for name, value in vars(world).items():
        if isinstance(value, np.ndarray):
            add(value)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, nargs="+", default=[250, 600])
    ap.add_argument("--stacks", type=int, nargs="+", default=[1, 8, 32, 128])
    ap.add_argument("--single-runs", type=int, default=8, help="single runs timed per horizon")
    ap.add_argument("--out", default="results/benchmarks/stacking.json")
    args = ap.parse_args()
    base = load_scenario(PRESET)
    rows = []
    for days in args.days:
        scenario = base.model_copy(update={"days": days, "warmup_days": min(base.warmup_days, days - 1)})
        seeds = list(range(1, args.single_runs + 1))
        created = []
        single = cpu(lambda: created.extend(run(scenario, s, timeseries=False).summary["tasks_created"] for s in seeds))
        per_run = single / len(seeds)
        tasks = float(np.mean(created))
        probe = World.build(scenario, 1)
        offices = probe.roster.size
        hours = 1.2 * tasks / days * 2.0 / offices  # the kernel's offices a little above their load
        kernel_s = cpu(lambda: kernel(days, tasks / days, offices, hours))
        kernel_rate = tasks / kernel_s
        row = {"days": days, "offices": offices, "tasks_per_run": tasks, "load_average": os.getloadavg()[0],
               "single": {"cpu_s_per_run": per_run, "runs_per_s": 1 / per_run, "tasks_per_s": tasks / per_run},
               "kernel": {"cpu_s": kernel_s, "tasks_per_s": kernel_rate}, "stacks": []}
        print(f"{days} days: single {per_run:.3f} s/run ({1 / per_run:.2f} runs/s, {tasks / per_run / 1e6:.2f} M tasks/s); "
              f"kernel {kernel_rate / 1e6:.2f} M tasks/s; single/kernel {tasks / per_run / kernel_rate:.2f}", flush=True)
        for k in args.stacks:
            stack_seeds = list(range(1, k + 1))
            world_box = {}

            def stacked():
                world = World.build_stack(scenario, stack_seeds)
                for _ in range(scenario.days):
                    play_day(world)
                world_box["world"] = world

            t = cpu(stacked)
            per_world_bytes = array_bytes(world_box.pop("world")) / k
            per = t / k
            rate = tasks / per
            entry = {"k": k, "cpu_s_per_run": per, "runs_per_s": 1 / per, "tasks_per_s": rate,
                     "speedup_vs_single": per_run / per, "of_kernel": rate / kernel_rate,
                     "bytes_per_world": per_world_bytes, "load_average": os.getloadavg()[0]}
            row["stacks"].append(entry)
            print(f"  K={k:4d}: {per:.3f} s/run, {1 / per:.2f} runs/s per core, x{per_run / per:.2f} single, "
                  f"{rate / kernel_rate:.2f} of the kernel, {per_world_bytes / 2**20:.1f} MiB per world "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
        rows.append(row)
    # the check that makes the figures mean something: a stack's runs are the single runs
    scenario = base.model_copy(update={"days": 30, "warmup_days": 5})
    assert [r.summary for r in run_stack(scenario, [1, 2], timeseries=False)] == [
        run(scenario, s, timeseries=False).summary for s in (1, 2)]
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"scenario": str(PRESET.relative_to(ROOT)), "rows": rows}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
