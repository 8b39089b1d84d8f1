"""What pairing on common random numbers buys: paired vs unpaired SD of the headline
differences, and where each outcome's variance comes from (demand or decisions).

    .venv/bin/python benchmarks/crn_pairing.py [--seeds 12] [--days 600 --warmup 250]
        [--decomposition-seeds 8] [--workers 2]

Every arm of the headline experiment (experiments/unlimited-vs-gated.yaml: seven regime
presets and four matched-cost arms) runs on the same seeds, the headline's replication
seeds. For each arm other than unlimited responsibility and each headline outcome, the
difference arm − unlimited is taken two ways:

- paired: on the same seed, d_i = y_arm(seed i) − y_unlimited(seed i); its SD is sd(d);
- unpaired: two independent runs, whose difference has SD √(var(y_arm) + var(y_unlimited)).

Their ratio is √(1 − 2ρ·sA·sB / (sA² + sB²)), ρ the arms' correlation over seeds. Even
with ρ = 1 it cannot fall below |sA − sB| / √(sA² + sB²) (column "best"): where one arm
hardly varies (a relieved regime: no blame, no overload, lead times at their floor) the
difference's SD is the other arm's own, and no random-number scheme can pair it away.
Issue 13 asks for paired ≤ 0.5 × unpaired.

The variance decomposition (`--decomposition-seeds n`, 0 to skip) runs every arm n times
with demand varying and decisions held (seed s_i, decisions of seed s_0) and n times with
demand held and decisions varying (seed s_0, decisions of seed s_i; `TiaokuaiModel(...,
decision_seed=)`), and reports each source's share of the sum of the two variances.
"Demand" is everything drawn from the seed that no regime can change: arrivals, efforts,
campaigns, the offices' differences; "decisions" is every draw a rule makes (sim.draws:
tasks' decisions and who leaves).

The script also checks the CRN contract from the outside (same seed, same
`tasks_created` and `effort_created_hours_total` in every arm but data sharing) and
reports how many replications a paired comparison needs for a 95% half-width of 10% of
the effect (`--relative`), which is what the headline's replications are cut to.

Writes results/benchmarks/crn_pairing.json and prints the tables.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats as st

from sim import TiaokuaiModel, with_overrides
from sim.sweep.plan import arm_scenarios
from sim.sweep.seeds import replication_seeds
from sim.sweep.spec import load_experiment

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "unlimited-vs-gated.yaml"
BASELINE = "unlimited-responsibility"
HEADLINE = [  # the headline's outcomes that vary between runs (staff_total is fixed by the arm)
    "committee_self_governance_hours_mean",
    "resident_lead_time_days_p90",
    "resident_lead_time_days_p99",
    "committee_overload_days_share",
    "days_to_first_crisis",
    "blame_committee_share",
    "tasks_done_on_time_share",
    "committee_utilisation_mean",
    "street_utilisation_mean",
    "department_utilisation_mean",
    "regime_cost_yuan_per_day",
]


@functools.cache
def arms_of_headline() -> dict:
    return arm_scenarios(load_experiment(EXPERIMENT), str(EXPERIMENT))


def one_run(job: tuple[str, int, int | None, int, int, float]) -> tuple[tuple[str, int, int | None], dict]:
    arm, seed, decision_seed, days, warmup, demand = job
    scenario = arms_of_headline()[arm]
    overrides: dict = {"days": days, "warmup_days": warmup}
    if demand != 1.0:
        overrides["levers.demand_multiplier"] = demand
    scenario = with_overrides(scenario, overrides, source="crn_pairing")
    model = TiaokuaiModel(scenario, seed, decision_seed=decision_seed)
    for _ in range(scenario.days):
        model.step()
    summary = model.summary()
    model.release()
    return (arm, seed, decision_seed), {
        k: v for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


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


def pairing_rows(table: dict, arms: list[str], seeds: list[int], outcomes: list[str], relative: float) -> list[dict]:
    rows = []
    for arm in arms:
        if arm == BASELINE:
            continue
        for outcome in outcomes:
            y = np.array([table[(arm, s, None)][outcome] for s in seeds], float)
            b = np.array([table[(BASELINE, s, None)][outcome] for s in seeds], float)
            d = y - b
            sa, sb = float(y.std(ddof=1)), float(b.std(ddof=1))
            paired = float(d.std(ddof=1))
            unpaired = math.hypot(sa, sb)
            rho = float(np.corrcoef(y, b)[0, 1]) if sa > 0 and sb > 0 else float("nan")
            rows.append({
                "arm": arm, "outcome": outcome, "mean_difference": float(d.mean()),
                "arm_sd": sa, "baseline_sd": sb, "correlation": rho,
                "paired_sd": paired, "unpaired_sd": unpaired,
                "ratio": paired / unpaired if unpaired > 0 else float("nan"),
                "best_ratio": abs(sa - sb) / unpaired if unpaired > 0 else float("nan"),
                "replications_needed": replications_needed(paired, float(d.mean()), relative),
                "replications_needed_unpaired": replications_needed(unpaired, float(d.mean()), relative),
            })
    return rows


def decomposition_rows(table: dict, arms: list[str], seeds: list[int], outcomes: list[str]) -> list[dict]:
    rows = []
    s0 = seeds[0]
    for arm in arms:
        for outcome in outcomes:
            by_demand = np.array([table[(arm, s, s0)][outcome] for s in seeds], float)
            by_decisions = np.array([table[(arm, s0, s)][outcome] for s in seeds], float)
            vd, vc = float(by_demand.var(ddof=1)), float(by_decisions.var(ddof=1))
            total = vd + vc
            rows.append({
                "arm": arm, "outcome": outcome, "demand_sd": math.sqrt(vd), "decisions_sd": math.sqrt(vc),
                "demand_share": vd / total if total > 0 else float("nan"),
                "decisions_share": vc / total if total > 0 else float("nan"),
            })
    return rows


def fmt(x: float, spec: str = ".2f") -> str:
    return "–" if x is None or not np.isfinite(x) else format(x, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--days", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=250)
    parser.add_argument("--demand", type=float, default=1.0, help="levers.demand_multiplier (default 1)")
    parser.add_argument("--decomposition-seeds", type=int, default=8,
                        help="runs per arm and source of chance for the variance decomposition (0: skip)")
    parser.add_argument("--arms", default="", help="comma-separated arms (default: every arm of the headline)")
    parser.add_argument("--relative", type=float, default=0.10,
                        help="target 95%% half-width as a share of the effect (default 0.10)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "crn_pairing.json"))
    args = parser.parse_args()

    all_arms = list(load_experiment(EXPERIMENT).arms)
    arms = [a for a in args.arms.split(",") if a] or all_arms
    if BASELINE not in arms:
        arms.insert(0, BASELINE)
    seeds = replication_seeds(load_experiment(EXPERIMENT).master_seed, args.seeds)
    n_dec = min(args.decomposition_seeds, args.seeds)
    jobs = {(a, s, None) for a in arms for s in seeds}
    if n_dec > 1:
        dseeds = seeds[:n_dec]
        jobs |= {(a, s, dseeds[0]) for a in arms for s in dseeds} | {(a, dseeds[0], s) for a in arms for s in dseeds}
    # (s0, decisions of s0) is the plain run on s0: the same draws
    jobs = {j for j in jobs if not (j[2] is not None and j[1] == j[2])}
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        done = dict(pool.map(one_run, [(*j, args.days, args.warmup, args.demand) for j in sorted(jobs, key=str)]))
    for a in arms:
        for s in seeds:
            done.setdefault((a, s, s), done[(a, s, None)])
    elapsed = time.perf_counter() - start
    outcomes = [o for o in HEADLINE if o in done[(BASELINE, seeds[0], None)]]

    # the CRN contract, from the outside
    crn = {}
    for key in ("tasks_created", "effort_created_hours_total"):
        crn[key] = {a: sum(done[(a, s, None)][key] == done[(BASELINE, s, None)][key] for s in seeds)
                    for a in arms if a != BASELINE}
    rows = pairing_rows(done, arms, seeds, outcomes, args.relative)
    decomposition = decomposition_rows(done, arms, seeds[:n_dec], outcomes) if n_dec > 1 else []
    share = {(r["arm"], r["outcome"]): r["demand_share"] for r in decomposition}

    print(f"{len(jobs)} runs ({len(arms)} arms x {args.seeds} seeds, decomposition on {n_dec}; {args.days} days, "
          f"warm-up {args.warmup}, demand x{args.demand}) in {elapsed:.0f} s on {args.workers} workers\n")
    for key, by_arm in crn.items():
        print(f"same seed, same {key} as {BASELINE}: " + ", ".join(f"{a} {n}/{len(seeds)}" for a, n in by_arm.items()))
    print(f"\n| arm − {BASELINE} | outcome | mean difference | SD arm | SD base | ρ | paired SD | unpaired SD | "
          f"paired/unpaired | best (ρ=1) | demand share arm / base | n for ±{args.relative:.0%} paired | unpaired |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        shares = f"{fmt(share.get((r['arm'], r['outcome'])))} / {fmt(share.get((BASELINE, r['outcome'])))}"
        print(f"| {r['arm']} | {r['outcome']} | {r['mean_difference']:+.4g} | {r['arm_sd']:.3g} | "
              f"{r['baseline_sd']:.3g} | {fmt(r['correlation'])} | {r['paired_sd']:.3g} | {r['unpaired_sd']:.3g} | "
              f"{fmt(r['ratio'])} | {fmt(r['best_ratio'])} | {shares} | {r['replications_needed'] or '–'} | "
              f"{r['replications_needed_unpaired'] or '–'} |")
    finite = [r for r in rows if np.isfinite(r["ratio"])]
    if finite:
        ratios = [r["ratio"] for r in finite]
        reachable = [r for r in finite if r["best_ratio"] <= 0.5]
        print(f"\nratio paired/unpaired: median {np.median(ratios):.2f} over {len(finite)} arm x outcome cells; "
              f"{sum(x <= 0.5 for x in ratios)} of them <= 0.5. Cells where 0.5 is reachable at all (best <= 0.5): "
              f"{len(reachable)}, median ratio {np.median([r['ratio'] for r in reachable]) if reachable else float('nan'):.2f}, "
              f"{sum(r['ratio'] <= 0.5 for r in reachable)} of them <= 0.5")
    if decomposition:
        print(f"\nvariance by source ({n_dec} runs each): SD with demand varying / decisions varying, demand's share")
        print("| arm | " + " | ".join(outcomes) + " |")
        print("|---|" + "---|" * len(outcomes))
        for a in arms:
            cells = {r["outcome"]: r for r in decomposition if r["arm"] == a}
            print(f"| {a} | " + " | ".join(
                f"{cells[o]['demand_sd']:.3g} / {cells[o]['decisions_sd']:.3g} ({fmt(cells[o]['demand_share'])})"
                for o in outcomes) + " |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({
        "command": "benchmarks/crn_pairing.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k not in ("out", "workers", "arms")
        ) + (f" --arms {args.arms}" if args.arms else ""),
        "seeds": seeds, "days": args.days, "warmup_days": args.warmup, "demand_multiplier": args.demand,
        "elapsed_seconds": round(elapsed, 1), "workers": args.workers,
        "crn_identical_seeds": crn, "rows": rows, "decomposition": decomposition,
    }, indent=1, default=lambda x: None) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
