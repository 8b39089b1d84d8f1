"""From stored runs to sensitivity indices: average replications, call SALib, tidy up.

SALib does the statistics (Morris 1991 elementary effects with Campolongo's mu*; Sobol
indices by Saltelli's estimators with bootstrap confidence intervals); this module only
puts the outcomes in the order SALib's sampler produced the points and returns long
tables, one row per (outcome, parameter). It warns when the sample is too small for the
indices to be trusted.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

MIN_MORRIS_TRAJECTORIES = 10  # Campolongo, Cariboni & Saltelli (2007): r = 10-20
MIN_SOBOL_BASE = 512  # Saltelli et al. (2010): N of 500-1000 for stable total indices
MAX_CI_HALF_WIDTH = 0.1  # a bootstrap CI this wide cannot rank parameters


MORRIS_COLUMNS = ["outcome", "parameter", "mu", "mu_star", "sigma", "mu_star_conf"]
SOBOL_COLUMNS = ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]


class SampleWarning(UserWarning):
    """The sample is too small, or too noisy, for stable sensitivity indices."""


def point_means(runs: pd.DataFrame, outcomes: list[str], points: int) -> pd.DataFrame:
    """Mean over replications of each outcome, one row per design point in sampler order."""
    missing = sorted(set(range(points)) - set(runs["point"].unique()))
    if missing:
        raise ValueError(f"{len(missing)} design points have no stored run (first: {missing[0]})")
    means = runs.groupby("point")[outcomes].mean().sort_index()
    return means.loc[range(points)]


def _usable(y: pd.Series, outcome: str) -> bool:
    if y.isna().any() or not np.isfinite(y.to_numpy(dtype=float)).all():
        warnings.warn(f"{outcome}: {int(y.isna().sum())} design points have no value (NaN); "
                      "outcome left out of the analysis", SampleWarning, stacklevel=3)
        return False
    return True


def morris_indices(problem: dict, x: np.ndarray, y: pd.DataFrame, num_levels: int, seed: int) -> pd.DataFrame:
    """Morris mu, mu*, sigma and the bootstrap CI of mu*, per outcome and parameter."""
    from SALib.analyze import morris

    trajectories = x.shape[0] // (problem["num_vars"] + 1)
    if trajectories < MIN_MORRIS_TRAJECTORIES:
        warnings.warn(f"Morris with {trajectories} trajectories: at least {MIN_MORRIS_TRAJECTORIES} "
                      "are needed for a stable screening", SampleWarning, stacklevel=2)
    rows = []
    for outcome in y.columns:
        if not _usable(y[outcome], outcome):
            continue
        res = morris.analyze(problem, x, y[outcome].to_numpy(dtype=float), num_levels=num_levels, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({"outcome": outcome, "parameter": name, "mu": float(res["mu"][i]),
                         "mu_star": float(res["mu_star"][i]), "sigma": float(res["sigma"][i]),
                         "mu_star_conf": float(res["mu_star_conf"][i])})
    return pd.DataFrame(rows, columns=MORRIS_COLUMNS)  # the columns even when no outcome could be analysed


def sobol_indices(
    problem: dict, y: pd.DataFrame, bootstrap: int, seed: int, second_order: bool = False
) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% bootstrap CIs, per outcome and parameter."""
    from SALib.analyze import sobol

    d = problem["num_vars"]
    base = y.shape[0] // (2 * d + 2 if second_order else d + 2)
    if base < MIN_SOBOL_BASE:
        warnings.warn(f"Sobol with base sample N = {base}: at least {MIN_SOBOL_BASE} is needed for "
                      "stable total indices; read the confidence intervals", SampleWarning, stacklevel=2)
    rows = []
    for outcome in y.columns:
        if not _usable(y[outcome], outcome):
            continue
        values = y[outcome].to_numpy(dtype=float)
        if np.ptp(values) == 0:
            warnings.warn(f"{outcome}: constant over the sample, no indices", SampleWarning, stacklevel=2)
            continue
        res = sobol.analyze(problem, values, calc_second_order=second_order,
                            num_resamples=bootstrap, conf_level=0.95, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({"outcome": outcome, "parameter": name,
                         "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                         "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i])})
    table = pd.DataFrame(rows, columns=SOBOL_COLUMNS)  # the columns even when every outcome was constant
    if len(table):
        wide = float(table["ST_conf"].max())
        if wide > MAX_CI_HALF_WIDTH:
            warnings.warn(f"Sobol total-index confidence half-widths reach {wide:.2f} (> {MAX_CI_HALF_WIDTH}): "
                          "too wide to rank the parameters; raise the base sample", SampleWarning, stacklevel=2)
    return table


def top_levers(sobol: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """The k parameters with the largest total index for each outcome."""
    ranked = sobol.sort_values(["outcome", "ST"], ascending=[True, False])
    return ranked.groupby("outcome", sort=False).head(k).reset_index(drop=True)


def screen(morris: pd.DataFrame, k: int) -> list[str]:
    """The k parameters that matter most anywhere: mu* as a share of the largest mu* for the
    same outcome (so outcomes in different units weigh alike), maximised over outcomes."""
    share = morris.mu_star / morris.groupby("outcome").mu_star.transform("max").replace(0, np.nan)
    ranked = share.fillna(0).groupby(morris.parameter).max().sort_values(ascending=False)
    return list(ranked.index[:k])
