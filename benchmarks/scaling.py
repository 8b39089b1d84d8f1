"""Issue #8: cost grows no worse than linearly with the number of agents and with demand.

Runs the city-scale scenario at 1/8, 1/4, 1/2 and 1x city size (2, 4, 8, 16 districts:
agents scale in proportion) and at 1x, 2x and 4x demand (every arrival rate and the
assessment intensity multiplied; staff, station and organisation staff and budgets
multiplied too, so every office is as loaded as at 1x and only the number of tasks
changes — without that, 4x demand on 1x staff is a different, overloaded regime whose
backlog grows all year). Each run is a fresh process; medians of --repeats.

    .venv/bin/python benchmarks/scaling.py [--repeats 5] [--days 250]

Writes results/benchmarks/scaling.json and the log-log plot results/benchmarks/scaling.png
with the fitted slope of each series (1 = linear).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from city_scale import ROOT, timed  # noqa: E402

SIZES = (2, 4, 8, 16)  # districts: 1/8 .. 1 city
DEMANDS = (1, 2, 4)


def demand_overrides(scenario, factor: float) -> list[str]:
    """--set pairs multiplying arrivals, and the capacity that serves them, by `factor`."""
    sets = [f"task_kinds.{i}.rate_per_day={k.rate_per_day * factor}" for i, k in enumerate(scenario.task_kinds)]
    lv = scenario.levers
    sets += [
        f"levers.assessment_intensity={lv.assessment_intensity * factor}",
        f"department.staff={round(scenario.department.staff * factor)}",
        f"department.budget_per_day={scenario.department.budget_per_day * factor}",
        f"street.staff={round(scenario.street.staff * factor)}",
        f"street.budget_per_day={scenario.street.budget_per_day * factor}",
        f"committee.staff={round(scenario.committee.staff * factor)}",
        f"levers.station_staff={round(lv.station_staff * factor)}",
        f"levers.social_organisation_staff={round(lv.social_organisation_staff * factor)}",
    ]
    return sets


def slope(x, y) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/city-scale.yaml")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default="results/benchmarks/scaling")
    args = ap.parse_args()
    from sim import load_scenario

    base = load_scenario(ROOT / args.scenario)
    cases = [("size", d, [f"structure.districts={d}"]) for d in SIZES]
    cases += [("demand", f, demand_overrides(base, f)) for f in DEMANDS if f != 1]
    runs: dict[tuple[str, float], list[dict]] = {(s, v): [] for s, v, _ in cases}
    # interleave the cases repeat by repeat, so that a busy spell of the shared machine
    # falls on all of them rather than on one
    for rep in range(args.repeats):
        for series, value, sets in cases:
            r = timed("ledger", args.scenario, args.days, seed=rep, overrides=sets)
            runs[(series, value)].append(r)
            print(f"{series}={value} rep {rep}: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, "
                  f"{r['tasks_created']:,} tasks, {r['peak_rss_mib']:.0f} MiB", flush=True)

    def row(series, value, agents_factor):
        rs = runs[(series, value)]
        return {
            "series": series, "factor": value, "agents_factor": agents_factor,
            "wall_s": statistics.median(r["wall_s"] for r in rs),
            "cpu_s": statistics.median(r["cpu_s"] for r in rs),
            "tasks": statistics.median(r["tasks_created"] for r in rs),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in rs),
        }

    size_rows = [row("size", d, d / 16) for d in SIZES]
    demand_rows = [size_rows[-1] | {"series": "demand", "factor": 1}] + [row("demand", f, 1.0) for f in DEMANDS[1:]]
    result = {
        "scenario": args.scenario, "days": args.days, "repeats": args.repeats,
        "size": size_rows, "demand": demand_rows,
        "slope_wall_vs_size": slope([r["agents_factor"] for r in size_rows], [r["wall_s"] for r in size_rows]),
        "slope_cpu_vs_size": slope([r["agents_factor"] for r in size_rows], [r["cpu_s"] for r in size_rows]),
        "slope_wall_vs_demand": slope([r["factor"] for r in demand_rows], [r["wall_s"] for r in demand_rows]),
        "slope_cpu_vs_demand": slope([r["factor"] for r in demand_rows], [r["cpu_s"] for r in demand_rows]),
    }
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1))
    plot(result, out.with_suffix(".png"))
    print(json.dumps({k: v for k, v in result.items() if k.startswith("slope")}, indent=1))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.png')}")


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for series, x_key, label, marker, colour in (
        ("size", "agents_factor", "city size (agents), demand 1x", "o", "tab:blue"),
        ("demand", "factor", "demand (tasks), city size 1x", "s", "tab:red"),
    ):
        rows = result[series]
        x = np.array([r[x_key] for r in rows], dtype=float)
        for key, style in (("wall_s", "-"), ("cpu_s", ":")):
            y = np.array([r[key] for r in rows])
            s = result[f"slope_{key.split('_')[0]}_vs_{series}"]
            ax.plot(x, y, style, marker=marker, color=colour, label=f"{label}, {key.split('_')[0]} (slope {s:.2f})")
    x = np.array([1 / 8, 4])
    ref = result["size"][-1]["cpu_s"]
    ax.plot(x, ref * x, color="grey", lw=0.8, label="linear (slope 1)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("factor (1 = Shanghai-sized city, ≈5M tasks a year)")
    ax.set_ylabel(f"seconds for {result['days']} working days (median)")
    ax.set_title("tiaokuai: cost of a simulated year")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", lw=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
