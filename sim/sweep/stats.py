"""Confidence intervals over replications, and paired differences on common random numbers.

Every interval is Student's t: mean ± t(1 - a/2, n - 1) · s / √n over independent
replications. A paired difference pairs the run of an arm with the baseline's run of the
same replication (same seed, same design point), so the noise both share cancels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as st


def t_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """n, mean, sd, and the t interval of the mean; NaN values are left out.

    With one value the interval is undefined (NaN); with no spread it has zero width.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return {"n": 0, "mean": math.nan, "sd": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                "half_width": math.nan}
    mean = float(x.mean())
    if n == 1:
        return {"n": 1, "mean": mean, "sd": math.nan, "ci_low": math.nan, "ci_high": math.nan, "half_width": math.nan}
    sd = float(x.std(ddof=1))
    half = float(st.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n))
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half, "half_width": half}


def summarise(
    runs: pd.DataFrame, by: list[str], outcomes: list[str], confidence: float = 0.95
) -> pd.DataFrame:
    """Long table: one row per group and outcome with n, mean, sd and the t interval."""
    rows = []
    for key, group in runs.groupby(by, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for outcome in outcomes:
            rows.append({**dict(zip(by, key)), "outcome": outcome, **t_interval(group[outcome], confidence)})
    return pd.DataFrame(rows)


COST = "regime_cost_yuan_per_day"
PER_COST = 10_000.0  # effects are reported per this many yuan a day of extra cost
MIN_COST_DIFFERENCE = 1.0  # yuan a day; below it an effect per yuan is not defined


def paired_differences(
    runs: pd.DataFrame,
    baseline: str,
    outcomes: list[str],
    by: list[str],
    pair_on: list[str],
    arm: str = "sub_experiment",
    confidence: float = 0.95,
    cost: str | None = COST,
) -> pd.DataFrame:
    """Long table of arm − baseline per group and outcome, paired on `pair_on` columns.

    `by` are the grouping columns other than the arm (e.g. factor levels); pairs are the
    runs that agree on `by` and `pair_on` (usually the replication). Also reports the
    baseline mean, the relative change and the paired t-test's p-value.

    When the rows carry the cost column (`regime_cost_yuan_per_day`), each difference is
    also given per 10,000 yuan a day of the arm's extra cost over the baseline
    (`per_10k_yuan`, with `per_10k_half_width`; see `per_cost`). Without it those columns
    are absent.
    """
    base = runs[runs[arm] == baseline]
    keys = by + pair_on
    with_cost = cost is not None and cost in runs.columns
    rows = []
    for name, arm_runs in runs[runs[arm] != baseline].groupby(arm, sort=False):
        merged = arm_runs.merge(base, on=keys, suffixes=("", "__base"), how="inner")
        groups = merged.groupby(by, sort=False, dropna=False) if by else [((), merged)]
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            for outcome in outcomes:
                diff = group[outcome].to_numpy(float) - group[f"{outcome}__base"].to_numpy(float)
                ci = t_interval(diff, confidence)
                base_values = group[f"{outcome}__base"].to_numpy(float)
                base_mean = float(np.nanmean(base_values)) if np.isfinite(base_values).any() else math.nan
                extra = {}
                if with_cost:
                    spent = group[cost].to_numpy(float) - group[f"{cost}__base"].to_numpy(float)
                    extra = per_cost(diff, spent, confidence) if outcome != cost else {
                        "cost_difference": float(np.nanmean(spent)) if spent.size else math.nan,
                        "per_10k_yuan": math.nan, "per_10k_half_width": math.nan}
                rows.append({
                    arm: name,
                    **dict(zip(by, key)),
                    "outcome": outcome,
                    "baseline": baseline,
                    "n_pairs": ci["n"],
                    "baseline_mean": base_mean,
                    "mean_difference": ci["mean"],
                    "sd": ci["sd"],
                    "ci_low": ci["ci_low"],
                    "ci_high": ci["ci_high"],
                    "half_width": ci["half_width"],
                    "relative_change": _relative(ci["mean"], base_mean),
                    "p_value": _paired_p(diff),
                    **extra,
                })
    return pd.DataFrame(rows)


def per_cost(diff: np.ndarray, spent: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """An effect per 10,000 yuan a day: the ratio of mean paired differences, with its interval.

    r = mean(d) / mean(c) x 10,000 for paired effect differences d and cost differences c
    (yuan a day). Its half-width is the delta method's for a ratio of means,
    t · sd(d − r·c) / (√n · |mean(c)|), which accounts for the cost varying with the run too.
    Undefined (NaN) when the arm costs less than 1 yuan a day more or less than the baseline,
    or when the cost difference's own interval includes zero.
    """
    keep = ~(np.isnan(diff) | np.isnan(spent))
    d, c = diff[keep], spent[keep]
    n = int(d.size)
    nan = {"cost_difference": float(c.mean()) if n else math.nan, "per_10k_yuan": math.nan,
           "per_10k_half_width": math.nan}
    if n == 0:
        return nan
    c_mean = float(c.mean())
    c_ci = t_interval(c, confidence)
    if abs(c_mean) < MIN_COST_DIFFERENCE or (n > 1 and c_ci["sd"] > 0 and c_ci["ci_low"] <= 0 <= c_ci["ci_high"]):
        return nan
    ratio = float(d.mean()) / c_mean
    half = math.nan
    if n > 1:
        z = d - ratio * c
        half = float(st.t.ppf(0.5 + confidence / 2, n - 1) * z.std(ddof=1) / (math.sqrt(n) * abs(c_mean)))
    return {"cost_difference": c_mean, "per_10k_yuan": ratio * PER_COST, "per_10k_half_width": half * PER_COST}


def _relative(difference: float, base: float) -> float:
    return difference / base if base and not math.isnan(base) else math.nan


def _paired_p(diff: np.ndarray) -> float:
    d = diff[~np.isnan(diff)]
    if d.size < 2:
        return math.nan
    if np.all(d == d[0]):
        return 1.0 if d[0] == 0 else 0.0
    return float(st.ttest_1samp(d, 0.0).pvalue)


def band(frame: pd.DataFrame, by: list[str], value: str, confidence: float = 0.95) -> pd.DataFrame:
    """Per group (e.g. arm and day): mean and t interval of `value` across replications, vectorised."""
    g = frame.groupby(by, sort=True)[value]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    n = out["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tq = np.where(n > 1, st.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)), np.nan)
        half = tq * out["sd"].to_numpy(float) / np.sqrt(n)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out
