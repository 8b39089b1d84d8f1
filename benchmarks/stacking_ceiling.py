"""Issue 19: the ceiling of stacking — CPU per task of a stack of K worlds, of the same
rules on one large world, and of a bare NumPy queue kernel of the same volume.

    .venv/bin/python benchmarks/stacking_ceiling.py [--days 250] [--stacks 32 128] [--city-days 250] [--rounds 2]

The claim it tests: a stack of K worlds is one World of K disjoint cities, so it cannot
be cheaper per task than the same rules on one large world of the same size (no glue of
a single run is left to save, and the large world has no per-world loops at all); if the
large world itself runs at a fraction f of the kernel's tasks per second, stacking alone
cannot do better than about f.

In one process, round after round (alternating, so a shared machine's load falls on
every arm alike), each measured as CPU seconds (`time.process_time`):

- `stack K`: `sim.run_stack` of the district preset (scenarios/unlimited-responsibility.yaml)
  with K seeds, for each K of `--stacks`;
- `one world, K districts`: the preset with `structure.districts = K` as one run (a stack
  of one): the same rules and the same load per district, one roster of the same size;
- `city`: scenarios/city-scale.yaml (16 districts, its own rates and staffing), run alone
  for `--city-days` days;
- after each of these, `kernel`: benchmarks/stacking.py's bare queue kernel at that
  measurement's volume (its tasks a day, its offices, its days).

Tasks per CPU second is tasks created (every world's) over CPU seconds; `of_kernel` is
that over the kernel's tasks per CPU second measured right after it. Medians over rounds.
Writes results/benchmarks/stacking-ceiling.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stacking import cpu, kernel  # noqa: E402

from sim import load_scenario, run_stack  # noqa: E402
from sim.world import World  # noqa: E402

PRESET = ROOT / "scenarios" / "unlimited-responsibility.yaml"
CITY = ROOT / "scenarios" / "city-scale.yaml"


def horizon(scenario, days: int):
    return scenario.model_copy(update={"days": days, "warmup_days": min(scenario.warmup_days, days - 1)})


def measure(name: str, scenario, seeds: list[int]) -> dict:
    """Run `scenario` on `seeds` as one stack; then the kernel at the same volume."""
    box: dict = {}
    seconds = cpu(lambda: box.update(results=run_stack(scenario, seeds, timeseries=False)))
    tasks = float(sum(r.summary["tasks_created"] for r in box.pop("results")))
    offices = World.build_stack(scenario, seeds).roster.size
    days = scenario.days
    hours = 1.2 * tasks / days * 2.0 / offices  # as benchmarks/stacking.py: offices a little above their load
    kernel_s = cpu(lambda: kernel(days, tasks / days, offices, hours))
    row = {
        "arm": name, "worlds": len(seeds), "days": days, "offices": offices, "tasks": tasks, "cpu_s": seconds,
        "tasks_per_cpu_s": tasks / seconds, "kernel_cpu_s": kernel_s, "kernel_tasks_per_cpu_s": tasks / kernel_s,
        "of_kernel": kernel_s / seconds, "load_average": os.getloadavg()[0],
    }
    print(f"  {name:28s} {seconds:7.2f} s CPU, {tasks / 1e6:7.2f} M tasks, {tasks / seconds / 1e6:5.2f} M tasks/s; "
          f"kernel {tasks / kernel_s / 1e6:5.2f} M tasks/s ({kernel_s:.2f} s); of the kernel {kernel_s / seconds:.3f} "
          f"(load {row['load_average']:.1f})", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=250, help="days of the preset's stacks and large worlds")
    ap.add_argument("--stacks", type=int, nargs="+", default=[32, 128])
    ap.add_argument("--city-days", type=int, default=250)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default="results/benchmarks/stacking-ceiling.json")
    args = ap.parse_args()
    preset = horizon(load_scenario(PRESET), args.days)
    city = horizon(load_scenario(CITY), args.city_days)
    arms = []
    for k in args.stacks:
        arms.append((f"stack K={k}", preset, list(range(1, k + 1))))
        structure = preset.structure.model_copy(update={"districts": k})
        arms.append((f"one world, {k} districts", preset.model_copy(update={"structure": structure}), [1]))
    arms.append(("city", city, [1]))
    rows: list[dict] = []
    for r in range(args.rounds):
        print(f"round {r + 1}", flush=True)
        for name, scenario, seeds in arms:
            rows.append({"round": r + 1, **measure(name, scenario, seeds)})
    summary = {}
    for name, _, _ in arms:
        mine = [row for row in rows if row["arm"] == name]
        summary[name] = {key: statistics.median(row[key] for row in mine)
                         for key in ("cpu_s", "tasks", "tasks_per_cpu_s", "kernel_tasks_per_cpu_s", "of_kernel")}
        print(f"{name:28s} median {summary[name]['tasks_per_cpu_s'] / 1e6:5.2f} M tasks/s, "
              f"of the kernel {summary[name]['of_kernel']:.3f}")
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "command": "benchmarks/stacking_ceiling.py " + " ".join(sys.argv[1:]),
        "preset": str(PRESET.relative_to(ROOT)), "city": str(CITY.relative_to(ROOT)),
        "days": args.days, "city_days": args.city_days, "median": summary, "rows": rows,
    }, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
