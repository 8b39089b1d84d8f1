"""Why two arms on common random numbers correlate so little over seeds: a CRN leak or a
regime effect? (issue 13)

    nice -n 10 .venv/bin/python benchmarks/crn_decorrelation.py [--seeds 12] [--days 300 --warmup 150]
        [--epsilons 0.001,0.01,0.05] [--workers 1] [--out FILE]
    .venv/bin/python benchmarks/crn_decorrelation.py --reanalyse FILE     # the stored runs, analysed again

Defaults: 7 arms x 12 seeds of 300 days, about 5 minutes of CPU. The headline's horizon:
`--days 600 --warmup 250 --epsilons ''` (4 arms, about 5 minutes of CPU). Figures and
reading: docs/verification.md, "Why ρ is low where pairing could help".

benchmarks/crn_pairing.py found differences whose pairing could reach issue 13's target
(paired SD ≤ 0.5 × unpaired) but does not, because the two arms' outcomes correlate
weakly over seeds (ρ) although they face identical tasks. This script asks why, from the
outside and without changing the model. Three tests:

1. **Audit of the draws.** Every call of a NumPy generator or of sim.draws in the model's
   source (sim/, less the tools that run no model: calibration, robustness, sweep,
   sensitivity, viz), with what it draws from. A leak would be a decision drawing from a
   shared sequential stream, whose draw then depends on how many decisions came before.

2. **Continuity (placebo) test.** Unlimited responsibility against itself with
   `levers.push_down_propensity` raised by ε. With every decision keyed by its task
   (sim.draws), only the tasks whose push draw falls in [p, p + ε) decide otherwise, so
   ρ → 1 as ε → 0. With a leak, one changed decision would re-deal every later draw and
   ρ would fall at once to what demand alone explains (the decisions' share of the
   variance is large for departments' utilisation: docs/verification.md).

3. **What each arm's variance follows.** The tasks each run creates after the warm-up
   (kind, origin, effort; recorded by wrapping the arrival rule's `create`, read-only) are
   summed into per-seed demand totals, checked identical across arms, and every arm's
   outcome is regressed on the same few totals. With one set of regressors for both arms
   OLS residuals are orthogonal to both fits, so ρ splits exactly:
   ρ = [cov(fit_A, fit_B) + cov(res_A, res_B)] / (s_A·s_B): the part the common demand
   drives the same way in both arms, and the rest. The script also reports each arm's
   correlation with every demand total and with its own mechanisms (refusals, purchases,
   escalations, leavers), which says *which* demand an arm's outcome follows.

Writes results/benchmarks/crn_decorrelation.json and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "unlimited-responsibility"
# (arm, outcome) differences with arm − unlimited responsibility reachable but unreached in
# docs/verification.md's pairing table
TARGETS = [
    ("admission-list", "department_utilisation_mean"),
    ("purchased-services", "committee_utilisation_mean"),
    ("service-stations", "tasks_done_on_time_share"),
]
OUTCOMES = sorted({o for _, o in TARGETS} | {
    "committee_overload_days_share", "committee_self_governance_hours_mean", "street_utilisation_mean",
})
MECHANISMS = [  # summary keys that say what happened in a run (not demand)
    "department_returned_hours", "street_returned_hours", "refusals_total", "escalations_total",
    "social_organisation_hours_purchased", "staff_lost_total", "committee_backlog_hours_mean",
    "department_backlog_hours_mean", "station_utilisation_mean",
]
# the regressors every arm's outcome is fitted on (few: 12 seeds)
REGRESSORS = ["hours_department", "hours_residents", "hours_assessments"]
PLACEBO = "push_down_propensity+{eps}"
BANDS = [0.0, 0.001, 0.01, 0.05, 1.0]  # bands of a kept department task's push draw above the propensity
# regressors chosen by mechanism, one set per target (few: 12 seeds)
MECHANISM_REGRESSORS = {
    "admission-list": ["hours_department_kept", "hours_department_pushed_street_unlisted"],
    "purchased-services": ["hours_residents", "hours_department_pushed_street_listed",
                           "hours_department_pushed_street_unlisted"],
    "service-stations": ["hours_residents", "hours_assessments", "hours_department"],
}
SKIP_AUDIT = ("calibration", "robustness", "sweep", "sensitivity", "viz")
DRAW_CALL = re.compile(
    r"\.(random|integers|binomial|negative_binomial|choice|poisson|normal|lognormal|standard_\w+|gamma|exponential|"
    r"uniform|permutation|permuted|shuffle|multinomial|hypergeometric|geometric|beta|triangular|weibull|pareto|"
    r"logistic|laplace|gumbel|rayleigh|wald|vonmises|chisquare|dirichlet|zipf|bytes)\("
    r"|task_uniforms\(|office_uniforms\(|binomial_by_inversion\("
)
# NumPy's legacy global generator, Python's `random` module and Mesa's generator: a model
# that draws from any of them shares one sequential stream between all its decisions
GLOBAL_GENERATOR = re.compile(
    r"np\.random\.(?!SeedSequence|default_rng|Generator)\w+\(|^\s*(import random|from random import)"
    r"|(self|model)\.(random|rng)\b"
)


# ---- 1. the audit -------------------------------------------------------------------------
def audit_draws() -> list[dict]:
    """Every draw in the model's source, and what it draws from."""
    rows = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if any(part in SKIP_AUDIT for part in path.relative_to(ROOT / "sim").parts[:-1]) or rel == "sim/draws.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if not DRAW_CALL.search(code) or code.lstrip().startswith(("def ", '"""')):
                continue
            if "task_uniforms(" in code or "office_uniforms(" in code:
                source = "keyed (sim.draws: task or office key, decision, attempt/day)"
            elif "binomial_by_inversion(" in code:
                source = "keyed (sim.draws: inverts the office's keyed uniform drawn on the line before)"
            elif rel == "sim/rules/arrivals.py" or rel == "sim/kinds.py":
                source = "demand stream of the origin (sim.streams), same draws in every regime"
            elif rel == "sim/behaviour.py":
                source = "exogenous once-per-run stream (campaign calendar, offices that differ)"
            else:
                source = "UNCLASSIFIED: check by hand"
            rows.append({"file": rel, "line": number, "code": code.strip(), "draws_from": source})
    return rows


def global_generator_uses() -> list[str]:
    """Places in the model's source that draw from a global generator (NumPy's legacy
    `np.random.*`, Python's `random`, Mesa's `Model.random` / `Model.rng`): none should."""
    found = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        if any(part in SKIP_AUDIT for part in path.relative_to(ROOT / "sim").parts[:-1]):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if GLOBAL_GENERATOR.search(line.split("#")[0]):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()}")
    return found


# ---- the runs ----------------------------------------------------------------------------
def arms_of_headline() -> dict:
    from sim.sweep.plan import arm_scenarios
    from sim.sweep.spec import load_experiment

    experiment = ROOT / "experiments" / "unlimited-vs-gated.yaml"
    return arm_scenarios(load_experiment(experiment), str(experiment))


def one_run(job: tuple[str, int, int, int]) -> tuple[tuple[str, int], dict]:
    """One run; the arrival rule's `create` is wrapped to sum the tasks created after the
    warm-up (read-only: the run's draws and results are those of an unwrapped run)."""
    from sim import TiaokuaiModel, with_overrides
    from sim.draws import Decision
    from sim.kinds import FROM_ASSESSMENT, FROM_DEPARTMENT, FROM_RESIDENTS
    from sim.rules import arrivals, campaigns

    arm, seed, days, warmup = job
    overrides: dict = {"days": days, "warmup_days": warmup}
    name = arm
    if arm.startswith("push_down_propensity+"):
        name = BASELINE
    scenario = arms_of_headline()[name]
    if name != arm:
        overrides["levers.push_down_propensity"] = scenario.levers.push_down_propensity + float(arm.split("+")[1])
    scenario = with_overrides(scenario, overrides, source="crn_decorrelation")
    demand: dict[str, float] = {}
    original = arrivals.create

    def recording_create(world, *args, **kwargs):
        rows = original(world, *args, **kwargs)
        if world.day > warmup:
            t, k = world.tasks, world.kinds
            kinds, effort = t.kind[rows], t.effort_total[rows]
            origin = k.origin[kinds]
            # each department task's own push draw (sim.draws: a hash, nothing consumed): below the
            # base propensity it is pushed down in every regime, at or above it kept (unless the
            # department's backlog raises its wish)
            u = world.task_uniforms(rows, Decision.PUSH_DEPARTMENT)
            p0 = world.levers.push_down_propensity
            push = u < p0
            dep = origin == FROM_DEPARTMENT
            for lo, hi in zip(BANDS[:-1], BANDS[1:]):  # kept tasks by how far their draw sits above p0
                key = f"hours_department_kept_band_{lo}"
                demand[key] = demand.get(key, 0.0) + float(effort[dep & (u >= p0 + lo) & (u < p0 + hi)].sum())
            for label, mask in (
                ("department_kept", (origin == FROM_DEPARTMENT) & ~push),
                ("department_pushed_street_unlisted", (origin == FROM_DEPARTMENT) & push & ~k.street_listed[kinds]),
                ("department_pushed_street_listed", (origin == FROM_DEPARTMENT) & push & k.street_listed[kinds]),
                ("department", origin == FROM_DEPARTMENT),
                ("residents", origin == FROM_RESIDENTS),
                ("assessments", origin == FROM_ASSESSMENT),
                ("department_street_unlisted", (origin == FROM_DEPARTMENT) & ~k.street_listed[kinds]),
                ("department_street_listed", (origin == FROM_DEPARTMENT) & k.street_listed[kinds]),
                ("purchasable", k.purchasable[kinds]),
                ("administrative_listed_at_street", k.is_administrative[kinds] & k.street_listed[kinds]),
                ("needs_authority", k.needs_authority[kinds]),
            ):
                demand[f"hours_{label}"] = demand.get(f"hours_{label}", 0.0) + float(effort[mask].sum())
                demand[f"tasks_{label}"] = demand.get(f"tasks_{label}", 0) + int(mask.sum())
        return rows

    arrivals.create = campaigns.create = recording_create
    try:
        model = TiaokuaiModel(scenario, seed)
        for _ in range(scenario.days):
            model.step()
        summary = model.summary()
        model.release()
    finally:
        arrivals.create = campaigns.create = original
    values = {k: float(v) for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return (arm, seed), {"summary": values, "demand": demand}


# ---- statistics --------------------------------------------------------------------------
def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")


def ratios(a: np.ndarray, b: np.ndarray) -> dict:
    sa, sb = float(a.std(ddof=1)), float(b.std(ddof=1))
    unpaired = math.hypot(sa, sb)
    rho = corr(a, b)
    return {
        "arm_sd": sa, "baseline_sd": sb, "correlation": rho,
        "ratio": float((a - b).std(ddof=1)) / unpaired if unpaired > 0 else float("nan"),
        "best_ratio": abs(sa - sb) / unpaired if unpaired > 0 else float("nan"),
    }


def split_correlation(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> dict:
    """OLS of both arms on the same regressors x (n × k, a constant added); ρ split into
    the part the fits share and the residuals' part (exact: residuals ⟂ both fits)."""
    design = np.column_stack([np.ones(len(a)), x])
    fits, resids, r2, r2_adj = [], [], [], []
    n, k = design.shape
    for y in (a, b):
        beta, *_ = np.linalg.lstsq(design, y, rcond=None)
        fit = design @ beta
        res = y - fit
        fits.append(fit)
        resids.append(res)
        ss = float(((y - y.mean()) ** 2).sum())
        r2.append(1 - float((res**2).sum()) / ss if ss > 0 else float("nan"))
        r2_adj.append(1 - (1 - r2[-1]) * (n - 1) / (n - k) if ss > 0 and n > k else float("nan"))
    sa, sb = a.std(ddof=1), b.std(ddof=1)
    if sa == 0 or sb == 0:
        nan = float("nan")
        return {"r2_arm": r2[0], "r2_baseline": r2[1], "r2_adj_arm": r2_adj[0], "r2_adj_baseline": r2_adj[1],
                "rho_demand": nan, "rho_rest": nan, "fits_correlation": nan, "residuals_correlation": nan}
    cov = lambda u, v: float(np.cov(u, v, ddof=1)[0, 1])  # noqa: E731
    return {
        "r2_arm": r2[0], "r2_baseline": r2[1], "r2_adj_arm": r2_adj[0], "r2_adj_baseline": r2_adj[1],
        "rho_demand": cov(fits[0], fits[1]) / (sa * sb), "rho_rest": cov(resids[0], resids[1]) / (sa * sb),
        "fits_correlation": corr(fits[0], fits[1]), "residuals_correlation": corr(resids[0], resids[1]),
    }


def adjusted_ratio(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> dict:
    """The paired difference with the common demand totals as control variates (their
    expectations are known from the scenario, so regressing them out is unbiased): its SD
    in-sample (residual SD with the regression's degrees of freedom) and out of sample
    (leave-one-seed-out prediction errors), both over the unpaired SD."""
    d = a - b
    n = len(d)
    design = np.column_stack([np.ones(n), x])
    k = design.shape[1]
    unpaired = math.hypot(a.std(ddof=1), b.std(ddof=1))
    if unpaired == 0 or n <= k + 1:
        return {"adjusted_ratio": float("nan"), "adjusted_ratio_loo": float("nan")}
    beta, *_ = np.linalg.lstsq(design, d, rcond=None)
    res = d - design @ beta
    hat = np.einsum("ij,ji->i", design, np.linalg.pinv(design))  # leverages
    loo = res / (1 - hat)
    return {"adjusted_ratio": float(math.sqrt((res**2).sum() / (n - k)) / unpaired),
            "adjusted_ratio_loo": float(math.sqrt((loo**2).mean()) / unpaired)}


def fmt(x, spec: str = ".2f") -> str:
    return "–" if x is None or not np.isfinite(x) else format(x, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description="Why two arms on common random numbers correlate so little "
                                     "over seeds: a CRN leak or a regime effect? (issue 13)",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--seeds", type=int, default=12, help="replication seeds of the headline (default 12)")
    parser.add_argument("--days", type=int, default=300, help="days per run (default 300)")
    parser.add_argument("--warmup", type=int, default=150, help="warm-up days (default 150)")
    parser.add_argument("--epsilons", default="0.001,0.01,0.05",
                        help="push_down_propensity increments of the placebo arms ('' for none)")
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1: the machine is shared)")
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "crn_decorrelation.json"),
                        help="the JSON written (default results/benchmarks/crn_decorrelation.json)")
    parser.add_argument("--reanalyse", metavar="JSON",
                        help="run nothing: analyse the runs stored in a JSON this script wrote (its seeds, days, arms)")
    args = parser.parse_args()
    if args.seeds < 4 or args.days <= args.warmup or args.warmup < 0 or args.workers < 1:
        parser.error("need --seeds >= 4, 0 <= --warmup < --days and --workers >= 1")

    from sim.sweep.seeds import replication_seeds
    from sim.sweep.spec import load_experiment

    audit = audit_draws()
    global_uses = global_generator_uses()
    epsilons = [e.strip() for e in args.epsilons.split(",") if e.strip()]
    try:
        if any(not 0 < float(e) < 1 for e in epsilons):
            raise ValueError
    except ValueError:
        parser.error(f"--epsilons(={args.epsilons!r}) must be comma-separated numbers between 0 and 1")
    placebos = [PLACEBO.format(eps=e) for e in epsilons]
    arms = [BASELINE, *dict.fromkeys(a for a, _ in TARGETS), *placebos]
    command = (f"benchmarks/crn_decorrelation.py --seeds {args.seeds} --days {args.days} --warmup {args.warmup} "
               f"--epsilons '{args.epsilons}' --workers {args.workers}")
    if args.reanalyse:
        try:
            stored = json.loads(Path(args.reanalyse).read_text())
            seeds, args.days, args.warmup = stored["seeds"], stored["days"], stored["warmup_days"]
            elapsed, cpu, args.workers, load = (stored["elapsed_seconds"], stored["cpu_seconds"], stored["workers"],
                                                stored["load_average"])
            done = {}
            for key, run in stored["runs"].items():
                arm, seed = key.rsplit("|", 1)
                summary = {k: float("nan") if v is None else v for k, v in run["outcomes"].items()}
                done[(arm, int(seed))] = {"summary": summary, "demand": run["demand"]}
            command = stored["command"]
        except (OSError, ValueError, KeyError) as error:
            parser.error(f"--reanalyse(={args.reanalyse!r}) must be a JSON this script wrote ({error})")
        arms = list(dict.fromkeys(a for a, _ in done))
        placebos = [a for a in arms if a.startswith(PLACEBO.format(eps=""))]
        epsilons = [a.split("+", 1)[1] for a in placebos]
        args.seeds = len(seeds)
    else:
        seeds = replication_seeds(load_experiment(ROOT / "experiments" / "unlimited-vs-gated.yaml").master_seed,
                                  args.seeds)
        jobs = [(a, s, args.days, args.warmup) for a in arms for s in seeds]
        cpu0 = time.process_time()
        children0 = os.times()
        start = time.perf_counter()
        if args.workers == 1:
            done = dict(map(one_run, jobs))
        else:
            with ProcessPoolExecutor(args.workers) as pool:
                done = dict(pool.map(one_run, jobs))
        elapsed = time.perf_counter() - start
        children1 = os.times()
        cpu = time.process_time() - cpu0 + (children1.children_user - children0.children_user) + (
            children1.children_system - children0.children_system)
        load = round(os.getloadavg()[0], 1)

    y = {(a, o): np.array([done[(a, s)]["summary"].get(o, float("nan")) for s in seeds]) for a in arms
         for o in OUTCOMES + MECHANISMS}
    demand_keys = sorted(done[(BASELINE, seeds[0])]["demand"])
    demand = {k: np.array([done[(BASELINE, s)]["demand"][k] for s in seeds]) for k in demand_keys}
    # the tasks themselves (not their split by a push draw, which the placebo's propensity moves)
    exogenous = [k for k in demand_keys if "kept" not in k and "pushed" not in k]
    same_demand = {a: sum(all(done[(a, s)]["demand"][k] == done[(BASELINE, s)]["demand"][k] for k in exogenous)
                          for s in seeds) for a in arms}
    x = np.column_stack([demand[k] for k in REGRESSORS])

    print(f"{len(done)} runs ({len(arms)} arms x {args.seeds} seeds, {args.days} days, warm-up {args.warmup}) "
          f"in {elapsed:.0f} s wall, {cpu:.0f} s CPU on {args.workers} worker(s); load average {load}"
          + (f" (stored in {args.reanalyse}, analysed again)" if args.reanalyse else "") + "\n")
    unclassified = [r for r in audit if r["draws_from"].startswith("UNCLASSIFIED")]
    print(f"1. audit: {len(audit)} draws in the model's source; "
          f"{sum(r['draws_from'].startswith('keyed') for r in audit)} keyed decisions, "
          f"{sum(r['draws_from'].startswith('demand') for r in audit)} demand, "
          f"{sum(r['draws_from'].startswith('exogenous') for r in audit)} exogenous once-per-run, "
          f"{len(unclassified)} unclassified")
    for r in audit:
        print(f"   {r['file']}:{r['line']}  {r['draws_from'][:40]:40}  {r['code'][:90]}")
    print(f"   global generators (np.random.*, random, Model.random / Model.rng) drawn from: "
          f"{len(global_uses)} place(s)" + "".join(f"\n     {u}" for u in global_uses))
    print("\n   same tasks after the warm-up as unlimited responsibility (seeds): "
          + ", ".join(f"{a} {n}/{len(seeds)}" for a, n in same_demand.items() if a != BASELINE))

    print("\n2. continuity: unlimited responsibility against itself with push_down_propensity + ε"
          + ("" if epsilons else ": not run (--epsilons '')"))
    placebo_rows = []
    if epsilons:
        print("| outcome | " + " | ".join(f"ε = {e}: ρ, ratio, mean |d|/SD base" for e in epsilons) + " |")
        print("|---|" + "---|" * len(epsilons))
    for o in OUTCOMES if epsilons else []:
        cells = []
        for e, p in zip(epsilons, placebos):
            r = ratios(y[(p, o)], y[(BASELINE, o)])
            r["mean_abs_difference_over_baseline_sd"] = (
                float(np.abs(y[(p, o)] - y[(BASELINE, o)]).mean() / r["baseline_sd"]) if r["baseline_sd"] > 0
                else float("nan"))
            placebo_rows.append({"epsilon": float(e), "outcome": o, **r})
            cells.append(f"{fmt(r['correlation'], '.3f')}, {fmt(r['ratio'])}, "
                         f"{fmt(r['mean_abs_difference_over_baseline_sd'])}")
        print(f"| `{o}` | " + " | ".join(cells) + " |")

    kept = {lo: demand[f"hours_department_kept_band_{lo}"] for lo in BANDS[:-1]}
    kept_rho = {}
    for e in epsilons:
        base_kept = sum(kept.values())
        moved = sum(v for lo, v in kept.items() if lo >= float(e) - 1e-12)
        kept_rho[e] = corr(base_kept, moved)
    if epsilons:
        print("   departments' kept hours alone (the tasks whose push draw is ≥ p, resp. ≥ p + ε; disjoint sets of "
          "a Poisson stream are independent): ρ "
              + ", ".join(f"ε = {e}: {fmt(r, '.3f')}" for e, r in kept_rho.items()))

    print(f"\n3. each arm's outcome over seeds against the common demand (regressors: {', '.join(REGRESSORS)})")
    target_rows = []
    for arm, o in TARGETS:
        a, b = y[(arm, o)], y[(BASELINE, o)]
        xm = np.column_stack([demand[k] for k in MECHANISM_REGRESSORS[arm]])
        by_mechanism = {f"mechanism_{k}": v for k, v in split_correlation(a, b, xm).items()}
        row = {"arm": arm, "outcome": o, **ratios(a, b), **split_correlation(a, b, x), **by_mechanism,
               "mechanism_regressors": MECHANISM_REGRESSORS[arm],
               **{f"{k}_generic": v for k, v in adjusted_ratio(a, b, x).items()},
               **{f"{k}_mechanism": v for k, v in adjusted_ratio(a, b, xm).items()},
               "demand_correlations": {k: {"arm": corr(a, v), "baseline": corr(b, v)} for k, v in demand.items()},
               "mechanism_correlations": {m: {"arm": corr(a, y[(arm, m)]), "baseline": corr(b, y[(BASELINE, m)]),
                                              "arm_vs_baseline": corr(y[(arm, m)], y[(BASELINE, m)])}
                                          for m in MECHANISMS}}
        target_rows.append(row)
        print(f"\n{arm} − {BASELINE}, `{o}`: SD arm {row['arm_sd']:.3g}, SD base {row['baseline_sd']:.3g}, "
              f"ρ {fmt(row['correlation'])}, ratio {fmt(row['ratio'])} (best {fmt(row['best_ratio'])})")
        print(f"   R² on demand: arm {fmt(row['r2_arm'])} (adj. {fmt(row['r2_adj_arm'])}), baseline "
              f"{fmt(row['r2_baseline'])} (adj. {fmt(row['r2_adj_baseline'])}); ρ = {fmt(row['rho_demand'])} "
              f"(demand's fits) + {fmt(row['rho_rest'])} (residuals); corr of fits {fmt(row['fits_correlation'])}, "
              f"of residuals {fmt(row['residuals_correlation'])}")
        print(f"   on {', '.join(MECHANISM_REGRESSORS[arm])}: R² arm {fmt(row['mechanism_r2_arm'])} "
              f"(adj. {fmt(row['mechanism_r2_adj_arm'])}), baseline {fmt(row['mechanism_r2_baseline'])} "
              f"(adj. {fmt(row['mechanism_r2_adj_baseline'])}); ρ = {fmt(row['mechanism_rho_demand'])} + "
              f"{fmt(row['mechanism_rho_rest'])}")
        print(f"   paired SD with the demand totals as control variates / unpaired: generic "
              f"{fmt(row['adjusted_ratio_generic'])} (leave-one-out {fmt(row['adjusted_ratio_loo_generic'])}), "
              f"mechanism {fmt(row['adjusted_ratio_mechanism'])} "
              f"(leave-one-out {fmt(row['adjusted_ratio_loo_mechanism'])})")
        print("   | correlation over seeds with | arm | baseline | (mechanism: arm's with baseline's) |\n"
              "   |---|---|---|---|")
        for k, c in row["demand_correlations"].items():
            if k.startswith("hours_"):
                print(f"   | demand {k} | {fmt(c['arm'])} | {fmt(c['baseline'])} |")
        for m, c in row["mechanism_correlations"].items():
            print(f"   | own {m} | {fmt(c['arm'])} | {fmt(c['baseline'])} | {fmt(c['arm_vs_baseline'])} |")

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "command": command, "analysed_again_from_stored_runs": bool(args.reanalyse),
        "seeds": seeds, "days": args.days, "warmup_days": args.warmup, "regressors": REGRESSORS,
        "elapsed_seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1), "workers": args.workers,
        "load_average": load,
        "audit": audit, "global_generator_uses": global_uses, "same_demand_seeds": same_demand, "placebo": placebo_rows,
        "placebo_kept_hours_correlation": kept_rho, "targets": target_rows,
        "runs": {f"{a}|{s}": {"outcomes": {o: done[(a, s)]["summary"].get(o) for o in OUTCOMES + MECHANISMS},
                              "demand": done[(a, s)]["demand"]} for a in arms for s in seeds},
    }
    Path(args.out).write_text(json.dumps(clean(payload), indent=1) + "\n")
    print(f"\nwrote {args.out}")


def clean(value):
    """NaN → null, so the JSON is strict."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


if __name__ == "__main__":
    main()
