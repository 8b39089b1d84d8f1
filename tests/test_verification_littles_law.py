"""Little's law on every shipped scenario that reaches a steady state (issue #7).

L = lambda W: mean open tasks over the post-warm-up window equals departures per day times
mean days in the system. The summary reports L / (lambda W) as `littles_law_ratio` and
whether the run reached a steady state as `stable`. On a stable run the ratio must be
within 2%: the law is exact on a sample path up to the tasks straddling the window's
ends, which for mean sojourns under a day and a 200-day window is well under 1%.

One seed per scenario (seed 1), as shipped: a scenario is a user-facing promise, and
`stable` is the run's own claim about itself, so each run is checked against its claim.
Two presets are near saturation: their open tasks still climb through the whole window
(an ordinary least-squares trend of several tasks a day), yet `stable` says they settled.
Those are the model bug reported in the xfail reasons, checked directly by the second test.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario, run

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("**/*.yaml"))
SEED = 1
TOLERANCE = 0.02

DRIFTING = {
    "unlimited-responsibility.yaml": "its committees are near saturation: open tasks climb "
    "~7 a day through the window (Welch: steady only after ~250 days)",
    "lists-before.yaml": "near saturation like unlimited-responsibility",
}
STABLE_DETECTOR_BUG = (
    "model bug: metrics.littles_law_check calls the run stable (last quarter within 5% of the "
    "quarter before) although open tasks grow through the whole window; {why}"
)


def _params():
    out = []
    for path in SCENARIOS:
        rel = str(path.relative_to(ROOT / "scenarios"))
        marks = []
        if path.name in DRIFTING:
            marks = [pytest.mark.xfail(strict=True, reason=STABLE_DETECTOR_BUG.format(why=DRIFTING[path.name]))]
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


@pytest.mark.parametrize("path", _params())
def test_littles_law_holds_within_two_percent_on_a_stable_shipped_scenario(path):
    summary = shipped_run(path).summary
    if not summary["stable"]:
        pytest.skip(f"{path.name} did not reach a steady state with seed {SEED} (the run says so)")
    assert abs(summary["littles_law_ratio"] - 1.0) <= TOLERANCE, summary["littles_law_ratio"]


@pytest.mark.parametrize("path", _params())
def test_a_run_called_stable_has_no_trend_in_its_open_tasks(path):
    """Stable means settled: the window's linear trend moves open tasks by less than 25% of
    their mean over the window. A quarter is generous: the drifting presets grow by more than half
    their mean, settled ones by a few percent (beijing-reform, slowly losing staff, by ~24%)."""
    result = shipped_run(path)
    if not result.summary["stable"]:
        pytest.skip("the run says it is not stable")
    slope, mean, days = open_tasks_trend(result)
    assert abs(slope) * days < 0.25 * mean, (slope, mean, days)
