"""Issue #8: a city-scale year — wall time, peak memory, tasks per second — and the ratio
to an object-per-task Mesa implementation of the same rules, measured in the same run.

    .venv/bin/python benchmarks/city_scale.py                       # 5 years, 5 yardstick pairs of 25 days
    .venv/bin/python benchmarks/city_scale.py --repeats 7 --yardstick-days 250 --yardstick-repeats 1

Every run is a fresh process (`_child.py`), so its peak RSS is its own (interpreter and
imports included). The machine is shared: medians are reported, and the ledger/objects
ratio is taken pair by pair, each pair run back to back, then the median of the ratios.
Writes results/benchmarks/city_scale.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "_child.py"


def timed(impl: str, scenario: str, days: int, seed: int, overrides: list[str] = ()) -> dict:
    out = subprocess.run(
        [sys.executable, str(CHILD), impl, scenario, str(days), str(seed), *overrides],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/city-scale.yaml")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--yardstick-days", type=int, default=25, help="days per object-per-task pair (0: skip)")
    ap.add_argument("--yardstick-repeats", type=int, default=5)
    ap.add_argument("--out", default="results/benchmarks/city_scale.json")
    args = ap.parse_args()

    years = []
    for i in range(args.repeats):
        r = timed("ledger", args.scenario, args.days, seed=i)
        years.append(r)
        print(f"year {i}: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, {r['peak_rss_mib']:.0f} MiB, "
              f"{r['tasks_created']:,} tasks", flush=True)
    result = {
        "scenario": args.scenario,
        "days": args.days,
        "repeats": args.repeats,
        "wall_s_median": median(years, "wall_s"),
        "cpu_s_median": median(years, "cpu_s"),
        "peak_rss_mib_max": max(r["peak_rss_mib"] for r in years),
        "tasks_created_median": median(years, "tasks_created"),
        "tasks_per_s_median": statistics.median(r["tasks_created"] / r["wall_s"] for r in years),
        "tasks_per_cpu_s_median": statistics.median(r["tasks_created"] / r["cpu_s"] for r in years),
        "runs": years,
    }

    if args.yardstick_days:
        pairs = []
        for i in range(args.yardstick_repeats):
            led = timed("ledger", args.scenario, args.yardstick_days, seed=100 + i)
            obj = timed("objects", args.scenario, args.yardstick_days, seed=100 + i)
            pairs.append({"ledger": led, "objects": obj,
                          "ratio_wall": obj["wall_s"] / led["wall_s"], "ratio_cpu": obj["cpu_s"] / led["cpu_s"]})
            print(f"pair {i} ({args.yardstick_days} days): ledger {led['wall_s']:.2f} s, objects {obj['wall_s']:.2f} s "
                  f"-> {pairs[-1]['ratio_wall']:.1f}x wall, {pairs[-1]['ratio_cpu']:.1f}x CPU; "
                  f"tasks {led['tasks_created']:,} vs {obj['tasks_created']:,}, "
                  f"lead time {led['lead_time_days_mean']:.2f} vs {obj['lead_time_days_mean']:.2f} days", flush=True)
        result["yardstick"] = {
            "days": args.yardstick_days,
            "ratio_wall_median": statistics.median(p["ratio_wall"] for p in pairs),
            "ratio_cpu_median": statistics.median(p["ratio_cpu"] for p in pairs),
            "objects_tasks_per_s_median": statistics.median(
                p["objects"]["tasks_created"] / p["objects"]["wall_s"] for p in pairs),
            "pairs": pairs,
        }

    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"\nmedian of {args.repeats}: {result['wall_s_median']:.2f} s wall ({result['cpu_s_median']:.2f} s CPU), "
          f"peak {result['peak_rss_mib_max']:.0f} MiB, {result['tasks_per_s_median']:,.0f} tasks/s")
    if args.yardstick_days:
        y = result["yardstick"]
        print(f"object-per-task / ledger: {y['ratio_wall_median']:.1f}x wall, {y['ratio_cpu_median']:.1f}x CPU "
              f"(median of {args.yardstick_repeats} pairs of {args.yardstick_days} days)")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
