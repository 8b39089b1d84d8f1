"""What pairing on common random numbers buys: paired vs unpaired SD of the headline differences.

    .venv/bin/python benchmarks/crn_pairing.py [--seeds 12] [--days 600 --warmup 250] [--workers 2]

Every regime preset runs on the same seeds (the headline experiment's replication seeds).
For each regime other than unlimited responsibility and each headline outcome, the
difference regime − unlimited is taken two ways:

- paired: on the same seed, d_i = y_regime(seed i) − y_unlimited(seed i); its SD is sd(d);
- unpaired: two independent runs, whose difference has SD √(var(y_regime) + var(y_unlimited)).

With common random numbers (both regimes face the same arrivals and efforts) the paired SD
should be smaller; issue 13 asks for paired ≤ 0.5 × unpaired. Pairing can only remove the
variance the two arms share: where a relieved regime hardly varies at all (no blame, no
crisis, lead times at their floor) the difference's SD is the baseline's own, and the ratio
stays near 1 whatever the random streams (the rows give each arm's SD to show it). The script also checks
the CRN contract from the outside (same seed, same `tasks_created` and
`effort_created_hours_total` in every regime but data sharing) and reports how many
replications a paired comparison needs for a 95% half-width of 10% of the effect
(`--relative`), which is what the headline's replications are cut to.

Writes results/benchmarks/crn_pairing.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats as st

from sim import load_scenario, run, with_overrides
from sim.sweep.seeds import replication_seeds

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "unlimited-responsibility"
REGIMES = [BASELINE, "admission-list", "leaky-admission-list", "resources-follow-tasks",
           "gate-and-resources", "service-stations", "purchased-services"]
HEADLINE = [  # issue 13's discriminating outcomes; those a model version lacks are skipped
    "committee_self_governance_hours_mean",
    "resident_lead_time_days_p90",
    "committee_overload_days_share",
    "days_to_first_crisis",
    "blame_committee_share",
    "tasks_done_on_time_share",
    "committee_utilisation_mean",
    "committee_self_governance_share",
    "regime_cost_yuan_per_day",
]
MASTER_SEED = 20240601  # experiments/unlimited-vs-gated.yaml's


def one_run(job: tuple[str, int, int, int, float]) -> tuple[str, int, dict]:
    regime, seed, days, warmup, demand = job
    scenario = load_scenario(ROOT / "scenarios" / f"{regime}.yaml")
    overrides = {"days": days, "warmup_days": warmup}
    if demand != 1.0:
        overrides["levers.demand_multiplier"] = demand
    scenario = with_overrides(scenario, overrides, source="crn_pairing")
    summary = run(scenario, seed, timeseries=False).summary
    return regime, seed, {k: v for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def replications_needed(sd: float, effect: float, relative: float) -> int | None:
    """Smallest n with t(0.975, n−1)·sd/√n ≤ relative·|effect| (None when the effect is 0)."""
    if not effect or not np.isfinite(sd):
        return None
    if sd == 0:
        return 2
    target = relative * abs(effect)
    for n in range(2, 100_000):
        if st.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= target:
            return n
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--days", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=250)
    parser.add_argument("--demand", type=float, default=1.0, help="levers.demand_multiplier (default 1)")
    parser.add_argument("--relative", type=float, default=0.10,
                        help="target 95%% half-width as a share of the effect (default 0.10)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "crn_pairing.json"))
    args = parser.parse_args()

    seeds = replication_seeds(MASTER_SEED, args.seeds)
    jobs = [(r, s, args.days, args.warmup, args.demand) for r in REGIMES for s in seeds]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(one_run, jobs))
    elapsed = time.perf_counter() - start
    table = {(r, s): summary for r, s, summary in results}
    outcomes = [o for o in HEADLINE if o in table[(BASELINE, seeds[0])]]

    # the CRN contract, from the outside
    crn = {}
    for key in ("tasks_created", "effort_created_hours_total"):
        if key not in table[(BASELINE, seeds[0])]:
            continue
        crn[key] = {r: sum(table[(r, s)][key] == table[(BASELINE, s)][key] for s in seeds) for r in REGIMES[1:]}

    rows = []
    for regime in REGIMES[1:]:
        for outcome in outcomes:
            y = np.array([table[(regime, s)][outcome] for s in seeds], float)
            b = np.array([table[(BASELINE, s)][outcome] for s in seeds], float)
            d = y - b
            paired = float(d.std(ddof=1))
            unpaired = float(math.sqrt(y.var(ddof=1) + b.var(ddof=1)))
            ratio = paired / unpaired if unpaired > 0 else float("nan")
            rows.append({"regime": regime, "outcome": outcome, "mean_difference": float(d.mean()),
                         "regime_sd": float(y.std(ddof=1)), "baseline_sd": float(b.std(ddof=1)),
                         "paired_sd": paired, "unpaired_sd": unpaired, "ratio": ratio,
                         "replications_needed": replications_needed(paired, float(d.mean()), args.relative),
                         "replications_needed_unpaired": replications_needed(unpaired, float(d.mean()), args.relative)})

    print(f"{len(jobs)} runs ({len(REGIMES)} regimes x {args.seeds} seeds, {args.days} days, warm-up "
          f"{args.warmup}, demand x{args.demand}) in {elapsed:.0f} s on {args.workers} workers\n")
    for key, by_regime in crn.items():
        print(f"same seed, same {key} as {BASELINE}: "
              + ", ".join(f"{r} {n}/{len(seeds)}" for r, n in by_regime.items()))
    print(f"\n| regime | outcome | mean difference | paired SD | unpaired SD | paired/unpaired | "
          f"n for ±{args.relative:.0%} paired | unpaired |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['regime']} | {r['outcome']} | {r['mean_difference']:+.4g} | {r['paired_sd']:.3g} | "
              f"{r['unpaired_sd']:.3g} | {r['ratio']:.2f} | {r['replications_needed'] or '–'} | "
              f"{r['replications_needed_unpaired'] or '–'} |")
    finite = [r["ratio"] for r in rows if np.isfinite(r["ratio"])]
    if finite:
        print(f"\nratio paired/unpaired: median {np.median(finite):.2f}, max {max(finite):.2f} "
              f"over {len(finite)} regime x outcome cells; {sum(x <= 0.5 for x in finite)} of them <= 0.5")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({
        "command": "benchmarks/crn_pairing.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k not in ("out", "workers")),
        "seeds": seeds, "days": args.days, "warmup_days": args.warmup, "demand_multiplier": args.demand,
        "elapsed_seconds": round(elapsed, 1), "workers": args.workers,
        "crn_identical_seeds": crn, "rows": rows,
    }, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
