"""Comparisons on common random numbers: each arm runs on the same seeds, and a difference
is accepted when the 95% t confidence interval of the paired differences excludes zero."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import stats

from sim import Scenario, run, run_stack

# Summaries already run in this process, by (scenario as JSON, seed). A run is a pure
# function of its scenario and seed (tests/test_determinism.py), so a baseline that many
# laws compare against (the small city's unlimited regime, say) is run once per process,
# not once per law and outcome: this halved the CPU time of the two mechanism test files.
_summaries: dict[tuple[str, int], dict] = {}


def summary(scenario: Scenario, seed: int) -> dict:
    """The summary of one run (without time series), run at most once per process."""
    key = (scenario.model_dump_json(), int(seed))
    if key not in _summaries:
        _summaries[key] = run(scenario, seed, timeseries=False).summary
    return _summaries[key]


def summaries(scenario: Scenario, seeds: list[int]) -> list[dict]:
    """The summaries of one scenario on several seeds; the seeds not run yet in this process
    are stepped as one stack (sim.run_stack: each run bit for bit the run alone,
    tests/test_stacking.py), which costs the small city about 0.4 of running them one by one."""
    text = scenario.model_dump_json()
    missing = [int(s) for s in dict.fromkeys(seeds) if (text, int(s)) not in _summaries]
    if missing:
        for seed, result in zip(missing, run_stack(scenario, missing, timeseries=False)):
            _summaries[(text, seed)] = result.summary
    return [_summaries[(text, int(s))] for s in seeds]


def paired(arms: dict[str, Scenario], outcome: str, seeds: Iterable[int] = range(6)) -> dict[str, np.ndarray]:
    """Run each arm on the same seeds (common random numbers); return the outcome per seed."""
    seeds = list(seeds)
    return {name: np.array([s[outcome] for s in summaries(sc, seeds)]) for name, sc in arms.items()}


def ci95(diff) -> tuple[float, float]:
    """t-based 95% confidence interval of the mean of paired differences."""
    diff = np.asarray(diff, dtype=float)
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return float(diff.mean() - half), float(diff.mean() + half)


def assert_higher(a, b, what: str) -> None:
    """a exceeds b: the 95% CI of the paired difference lies above zero."""
    lo, hi = ci95(np.asarray(a) - np.asarray(b))
    assert lo > 0, f"{what}: expected an increase, paired difference CI is [{lo:.4g}, {hi:.4g}]"
