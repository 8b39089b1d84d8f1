"""What the posterior says: a predictive check per pattern, and the headline re-run over it.

Posterior-predictive check: draws from the posterior (resampled by weight) are run on every
pattern's scenarios, calibration and held-out alike, and each pattern's statistic, misfit
and hit are recorded per draw. The same seeds are run at the uncalibrated values (the base
scenario's "assumption" values), so one can see what calibration changed. A pattern is
*met* when at least half of the draws hit it.

Propagation: the headline experiment's arms are re-run at each posterior draw (several
seeds per draw), so the paired differences against the baseline arm carry parameter
uncertainty as well as seed noise; the share of the variance that is between draws says
how much of the interval the parameters account for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.config import Scenario
from sim.sweep.executors import RunTask
from sim.sweep.plan import flatten
from sim.sweep.seeds import replication_seed, replication_seeds

from .patterns import Pattern, describe_target, hit, misfit
from .spec import CalibrationSpec, apply_parameters

MET_SHARE = 0.5


def weighted_quantile(values, weights, q):
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cum, v)


def posterior_draws(posterior: pd.DataFrame, names: Sequence[str], n: int, seed: int) -> list[dict[str, float]]:
    """`n` parameter sets resampled from the weighted posterior particles."""
    rng = np.random.default_rng(seed)
    w = posterior["weight"].to_numpy(dtype=float)
    idx = rng.choice(len(posterior), size=n, replace=True, p=w / w.sum())
    return [{k: float(posterior.iloc[i][k]) for k in names} for i in idx]


def default_values(base: Scenario, spec: CalibrationSpec) -> dict[str, float]:
    flat = flatten(base.model_dump(mode="json"))
    return {path: float(flat[path]) for path in spec.parameters}


def predictive_check(
    simulator, draws: Sequence[Mapping[str, float]], defaults: Mapping[str, float], seed: int
) -> pd.DataFrame:
    """One row per (set, draw, pattern): statistic, misfit, hit. `simulator` covers every pattern."""
    rows = []
    for label, sets in (("posterior", draws), ("default", [defaults] * len(draws))):
        for d, values in enumerate(sets):
            stats = simulator(values, replication_seed(seed, d))
            for p in simulator.patterns:
                x = stats[p.id]
                rows.append({
                    "set": label, "draw": d, "pattern": p.id, "held_out": p.held_out,
                    "statistic": x, "misfit": misfit(p, x), "hit": hit(p, x),
                })
    return pd.DataFrame(rows)


def predictive_table(check: pd.DataFrame, patterns: Sequence[Pattern]) -> pd.DataFrame:
    """Per pattern: posterior statistic median [5%, 95%], hit share, misfit; the default's hit share."""
    out = []
    for p in patterns:
        post = check[(check["set"] == "posterior") & (check["pattern"] == p.id)]
        dflt = check[(check["set"] == "default") & (check["pattern"] == p.id)]
        share = float(post["hit"].mean())
        out.append({
            "pattern": p.id,
            "held_out": p.held_out,
            "evidence": p.evidence,
            "weight": p.weight,
            "target": describe_target(p),
            "statistic_median": float(post["statistic"].median()),
            "statistic_q05": float(post["statistic"].quantile(0.05)),
            "statistic_q95": float(post["statistic"].quantile(0.95)),
            "hit_share": share,
            "misfit_median": float(post["misfit"].median()),
            "verdict": "met" if share >= MET_SHARE else "missed",
            "default_hit_share": float(dflt["hit"].mean()) if len(dflt) else float("nan"),
            "default_statistic_median": float(dflt["statistic"].median()) if len(dflt) else float("nan"),
        })
    return pd.DataFrame(out)


def prior_hit_shares(prior: pd.DataFrame, patterns: Sequence[Pattern]) -> list[float]:
    """Per pattern, the share of ABC's first generation (drawn from the prior) that hits it:
    how much a calibration pattern can constrain at all (NaN for held-out patterns)."""
    out = []
    for p in patterns:
        col = f"stat:{p.id}"
        if p.held_out or col not in prior:
            out.append(float("nan"))
        else:
            out.append(float(np.mean([hit(p, x) for x in prior[col]])))
    return out


def propagate(
    arms: Mapping[str, Scenario],
    baseline: str,
    outcomes: Sequence[str],
    base: Scenario,
    spec: CalibrationSpec,
    draws: Sequence[Mapping[str, float]],
    replications: int,
    seed: int,
    executor,
    days: int,
    warmup: int,
    runner: str = "sim:run",
) -> pd.DataFrame:
    """Every arm at every draw on `replications` seeds: one row per (draw, replication, arm)."""
    seeds = replication_seeds(seed, replications)
    tasks, labels = [], {}
    for d, values in enumerate(draws):
        for name, scenario in arms.items():
            sc = scenario.model_copy(update={"days": days, "warmup_days": warmup})
            sc = apply_parameters(sc, base, spec, dict(values), source="calibration propagation")
            for r, s in enumerate(seeds):
                run_id = f"d{d}/r{r}/{name}"
                labels[run_id] = (d, r, name)
                tasks.append(RunTask(run_id, sc, s, False))
    rows = []
    for batch in executor.map(runner, tasks):
        for rec in batch:
            if rec.error:
                raise RuntimeError(f"run {rec.run_id} failed:\n{rec.error}")
            d, r, name = labels[rec.run_id]
            rows.append({"draw": d, "replication": r, "arm": name,
                         **{k: rec.summary.get(k, np.nan) for k in outcomes}})
    # in the order the runs were asked for, whatever order the executor's stacks finished in
    order = {run_id: i for i, run_id in enumerate(labels)}
    rows.sort(key=lambda row: order[f"d{row['draw']}/r{row['replication']}/{row['arm']}"])
    return pd.DataFrame(rows)


def propagation_table(runs: pd.DataFrame, baseline: str, outcomes: Sequence[str]) -> pd.DataFrame:
    """Paired differences against the baseline arm: mean, 95% interval over draws x seeds,
    and the share of their variance that lies between posterior draws."""
    base = runs[runs["arm"] == baseline].set_index(["draw", "replication"])
    out = []
    for arm in [a for a in runs["arm"].unique() if a != baseline]:
        mine = runs[runs["arm"] == arm].set_index(["draw", "replication"])
        for k in outcomes:
            diff = (mine[k] - base[k]).dropna()
            if diff.empty:
                continue
            total = float(diff.var(ddof=0))
            between = float(diff.groupby(level="draw").mean().var(ddof=0))
            out.append({
                "arm": arm, "outcome": k,
                "baseline_mean": float(base[k].mean()),
                "difference_mean": float(diff.mean()),
                "q025": float(diff.quantile(0.025)), "q975": float(diff.quantile(0.975)),
                "parameter_variance_share": between / total if total > 0 else 0.0,
                "n": len(diff),
            })
    return pd.DataFrame(out)
