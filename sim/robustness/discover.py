"""Scenario discovery: in which region of the uncertainties does something happen?

PRIM (Friedman & Fisher 1999), as used for scenario discovery by Bryant & Lempert (2010),
peels the box of worlds step by step towards the cases of interest (worlds where a regime
loses to the baseline, or where a crisis occurs). Each step trades *coverage* (the share
of all cases that fall inside the box) against *density* (the share of worlds inside the
box that are cases). The implementation is the EMA Workbench's (`ema_workbench.analysis.
prim`, Kwakkel 2017), a maintained one; this module chooses a step and tidies its limits.

Feature scoring (extra-trees importances, Jaxa-Rozen & Kwakkel 2018, through the same
package) says which uncertainties drive a continuous quantity, such as a regime's
advantage over the baseline.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_DENSITY = 0.8  # a box is reported at the highest-coverage step with at least this density
MIN_CASES = 3  # fewer cases of interest than this: no box is searched for


@contextlib.contextmanager
def quiet_ema():
    """EMA Workbench warns at import (optional parallel back ends) and its dependencies warn
    about deprecations; none of that is the user's concern, and pytest would turn some of it
    into errors. Its INFO logging is quietened too."""
    logger = logging.getLogger("EMA")
    level = logger.level
    logger.setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            logger.setLevel(level)


@dataclass(frozen=True)
class Box:
    """A PRIM box at its chosen peeling step."""

    question: str
    worlds: int
    cases: int
    step: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame  # uncertainty, low, high, full_low, full_high (restricted ones only)
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per peeling step


def choose_step(trajectory: pd.DataFrame, min_density: float = MIN_DENSITY) -> int:
    """The step with the most coverage among those with density >= min_density; when no
    step is that dense, the densest step (the most coverage among equals)."""
    t = trajectory.reset_index(drop=True)
    dense = t[t["density"] >= min_density - 1e-12]
    if len(dense):
        return int(dense.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0])
    return int(t.sort_values(["density", "coverage"], ascending=False, kind="stable").index[0])


def prim_box(x: pd.DataFrame, cases: np.ndarray, question: str, min_density: float = MIN_DENSITY,
             peel_alpha: float = 0.05, mass_min: float = 0.05) -> Box | None:
    """The first PRIM box around `cases` (a boolean per row of `x`), or None when the cases
    are too few (< MIN_CASES) or everywhere (then no box can say more than 'all worlds')."""
    y = np.asarray(cases, dtype=bool)
    if y.shape[0] != len(x):
        raise ValueError(f"{len(x)} worlds but {y.shape[0]} case flags")
    n_cases = int(y.sum())
    if n_cases < MIN_CASES or n_cases == len(y):
        return None
    x = x.reset_index(drop=True).astype(float)
    with quiet_ema():
        from ema_workbench.analysis import prim

        p = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        box = p.find_box()
        trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
        step = choose_step(trajectory, min_density)
        lims = box.box_lims[step]
    full = pd.DataFrame({"low": x.min(), "high": x.max()})
    rows = []
    for u in x.columns:
        lo, hi = float(lims.loc[0, u]), float(lims.loc[1, u])
        if lo > full.loc[u, "low"] + 1e-12 or hi < full.loc[u, "high"] - 1e-12:
            rows.append({"uncertainty": u, "low": lo, "high": hi,
                         "full_low": float(full.loc[u, "low"]), "full_high": float(full.loc[u, "high"])})
    t = trajectory.iloc[step]
    return Box(question, len(y), n_cases, step, float(t["coverage"]), float(t["density"]), float(t["mass"]),
               pd.DataFrame(rows, columns=["uncertainty", "low", "high", "full_low", "full_high"]),
               trajectory.reset_index(drop=True))


def feature_scores(x: pd.DataFrame, y: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Extra-trees importance of each uncertainty (rows) for each column of `y` (columns);
    each column sums to 1. Columns that do not vary get no scores (NaN)."""
    x = x.reset_index(drop=True).astype(float)
    out = pd.DataFrame(index=x.columns, dtype=float)
    with quiet_ema():
        from ema_workbench.analysis import feature_scoring
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

        for col in y.columns:
            values = y[col].to_numpy(dtype=float)
            if not np.isfinite(values).all() or np.ptp(values) == 0:
                out[col] = np.nan
                continue
            scores, _ = feature_scoring.get_ex_feature_scores(
                x, values, mode=RuleInductionType.REGRESSION, random_state=seed)
            out[col] = scores.iloc[:, 0].reindex(x.columns)
    return out
