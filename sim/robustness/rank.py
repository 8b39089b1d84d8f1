"""Which policy wins in how many worlds, and how much each loses where it is not the best.

Pure arithmetic on a table with one row per (world, policy) and one column per outcome
(the mean over the world's replications, which share their seeds across policies). An
outcome's desired direction (+1: more is better, -1: less is better) turns every value
into a score where more is better; then, world by world:

- the best policy is the one with the highest score; k policies tied at the top each get
  1/k of that world, so p_best sums to 1 over the policies for every outcome;
- a policy beats the baseline where its score is higher by more than the tie tolerance;
- its regret is the best score minus its own (0 where it is the best), in the outcome's
  own units (Savage's minimax-regret criterion, as used in robust decision making).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RANKING_COLUMNS = ["regime", "outcome", "p_best", "p_beats_baseline", "regret_mean", "regret_p90", "regret_max"]
TIE = 1e-9  # relative tolerance: scores closer than this (times the outcome's scale) are equal


def world_means(runs: pd.DataFrame, outcomes: list[str], world: str = "point",
                policy: str = "sub_experiment") -> pd.DataFrame:
    """Mean of each outcome over a world's replications: one row per (world, policy)."""
    means = runs.groupby([world, policy], sort=True)[outcomes].mean().reset_index()
    return means.rename(columns={world: "world", policy: "policy"})


def scores(table: pd.DataFrame, outcome: str, direction: int) -> pd.DataFrame:
    """World x policy matrix of direction * outcome (more is better)."""
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1 (got {direction})")
    wide = table.pivot(index="world", columns="policy", values=outcome).astype(float)
    if wide.isna().any().any():
        missing = wide.isna().stack()
        w, p = missing[missing].index[0]
        raise ValueError(f"{outcome}: no value for policy {p!r} in world {w!r}; every policy must run in every world")
    return direction * wide


def _tolerance(s: pd.DataFrame) -> float:
    scale = float(np.nanmax(np.abs(s.to_numpy()))) if s.size else 0.0
    return TIE * max(scale, 1.0)


def regret(table: pd.DataFrame, outcome: str, direction: int) -> pd.DataFrame:
    """World x policy regret: the best policy's score in that world minus this one's (>= 0)."""
    s = scores(table, outcome, direction)
    r = s.max(axis=1).to_numpy()[:, None] - s
    return r.where(r > _tolerance(s), 0.0)


def best_shares(table: pd.DataFrame, outcome: str, direction: int) -> pd.Series:
    """Per policy, the share of worlds where it is the best (ties split equally)."""
    s = scores(table, outcome, direction)
    top = s.ge(s.max(axis=1).to_numpy()[:, None] - _tolerance(s))
    credit = top.div(top.sum(axis=1), axis=0)
    return credit.mean(axis=0)


def win_matrix(table: pd.DataFrame, outcome: str, direction: int) -> pd.DataFrame:
    """P(row policy beats column policy) over worlds; a tie counts one half to each."""
    s = scores(table, outcome, direction)
    tol = _tolerance(s)
    names = list(s.columns)
    out = pd.DataFrame(np.nan, index=names, columns=names)
    for a in names:
        for b in names:
            if a == b:
                continue
            d = s[a] - s[b]
            out.loc[a, b] = float(((d > tol) + 0.5 * (d.abs() <= tol)).mean())
    return out


def advantage(table: pd.DataFrame, outcome: str, direction: int, baseline: str) -> pd.DataFrame:
    """World x policy: how much better than the baseline (score difference, outcome units)."""
    s = scores(table, outcome, direction)
    return s.sub(s[baseline], axis=0)


def ranking(table: pd.DataFrame, outcomes: list[str], directions: dict[str, int], baseline: str) -> pd.DataFrame:
    """The ranking table: one row per (regime, outcome); see the module docstring."""
    rows = []
    for outcome in outcomes:
        d = directions[outcome]
        s = scores(table, outcome, d)
        tol = _tolerance(s)
        best = best_shares(table, outcome, d)
        r = regret(table, outcome, d)
        for policy in s.columns:
            beats = float((s[policy] - s[baseline] > tol).mean()) if policy != baseline else np.nan
            rows.append({
                "regime": policy,
                "outcome": outcome,
                "p_best": float(best[policy]),
                "p_beats_baseline": beats,
                "regret_mean": float(r[policy].mean()),
                "regret_p90": float(np.quantile(r[policy], 0.9)),
                "regret_max": float(r[policy].max()),
            })
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)
