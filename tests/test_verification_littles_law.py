"""Little's law on every shipped scenario that reaches a steady state (issue #7).

L = lambda W: mean open tasks over the post-warm-up window equals departures per day times
mean days in the system. The summary reports L / (lambda W) as `littles_law_ratio` and
whether the run reached a steady state as `stable`. On a stable run the ratio must be
within 2%: the law is exact on a sample path up to the tasks straddling the window's
ends, which for mean sojourns under a day and a 200-day window is well under 1%.

One seed per scenario (seed 1), as shipped: a scenario is a user-facing promise, and
`stable` is the run's own claim about itself, so each run is checked against its claim.
Little's law is asserted on the runs that are stable by their own claim *and* settled by
an independent check (no linear trend in open tasks over the window, see below), and no
run may call itself stable while it still climbs through the window (near-saturated
scenarios such as unlimited-responsibility do, and must say so).

City-scale scenarios (more than 5,000 committees) cost over a minute of CPU each and run
only with TIAOKUAI_CITY_SCALE=1.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario, run

pytestmark = pytest.mark.slow  # a year of every shipped scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("**/*.yaml"))
SEED = 1
TOLERANCE = 0.02
TREND = 0.25  # growth over the window, as a share of the mean, that counts as "still growing"
CITY_SCALE = 5000


def _committees(path: Path) -> int:
    st = load_scenario(path).structure
    return st.districts * st.streets_per_district * st.committees_per_street


def _params():
    out = []
    for path in SCENARIOS:
        rel = str(path.relative_to(ROOT / "scenarios"))
        marks = []
        if _committees(path) > CITY_SCALE:
            marks = [pytest.mark.skipif(not os.environ.get("TIAOKUAI_CITY_SCALE"),
                                        reason="city scale: set TIAOKUAI_CITY_SCALE=1 to run")]
        out.append(pytest.param(path, id=rel, marks=marks))
    return out


@lru_cache(maxsize=None)
def shipped_run(path: Path):
    return run(load_scenario(path), seed=SEED)


def open_tasks_trend(result) -> tuple[float, float, int]:
    """OLS slope (tasks/day) and mean of the daily open tasks over the summary window."""
    warm = result.summary["warmup_days"]
    ts = result.timeseries
    series = ts[ts.day > warm].groupby("day").open_tasks.sum().to_numpy(dtype=float)
    slope = np.polyfit(np.arange(series.size), series, 1)[0]
    return float(slope), float(series.mean()), series.size


def drifting(result) -> bool:
    """Open tasks grow (or shrink) by more than TREND of their mean along the window's
    least-squares line. Settled presets move by a few percent; beijing-reform, slowly
    losing staff, by ~24%; the near-saturated ones by 50-150%."""
    slope, mean, days = open_tasks_trend(result)
    return abs(slope) * days >= TREND * mean


@pytest.mark.parametrize("path", _params())
def test_littles_law_holds_within_two_percent_on_a_stable_shipped_scenario(path):
    result = shipped_run(path)
    if not result.summary["stable"]:
        pytest.skip(f"{path.name} did not reach a steady state with seed {SEED} (the run says so)")
    if drifting(result):
        pytest.skip(f"{path.name} calls itself stable but drifts: test_no_shipped_run_called_stable_is_still_growing fails")
    assert abs(result.summary["littles_law_ratio"] - 1.0) <= TOLERANCE, result.summary["littles_law_ratio"]


def test_no_shipped_run_called_stable_is_still_growing():
    offenders = {}
    for param in _params():
        path = param.values[0]
        if any(m.name == "skipif" and m.args and m.args[0] for m in param.marks):
            continue
        result = shipped_run(path)
        if result.summary["stable"] and drifting(result):
            offenders[path.name] = round(result.summary["littles_law_ratio"], 4)
    assert not offenders, offenders
