"""Shared fixtures: the shipped presets, and small cities that run in a blink."""

from __future__ import annotations

from pathlib import Path

import numpy as np  # noqa: F401  (used in type hints of helpers)

import pytest

from sim import Scenario, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

SMALL_CITY = {
    "structure.districts": 1,
    "structure.departments_per_district": 2,
    "structure.streets_per_district": 3,
    "structure.committees_per_street": 8,
    "structure.social_organisation_pool_per_district": 10,
}


def preset(name: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml")


def small(name: str = "unlimited-responsibility", days: int = 90, warmup: int = 20, **overrides) -> Scenario:
    """A preset shrunk to a 2-department, 3-street, 24-committee city (the presets' ratio of
    departments to committees, 1:12), with overrides
    given as keyword arguments whose double underscores stand for dots."""
    dotted = {k.replace("__", "."): v for k, v in overrides.items()}
    return with_overrides(preset(name), {**SMALL_CITY, "days": days, "warmup_days": warmup, **dotted})


@pytest.fixture
def small_city():
    return small


def paired(arms: dict[str, Scenario], outcome: str, seeds=range(6)) -> dict[str, "np.ndarray"]:
    """Run each arm on the same seeds (common random numbers); return the outcome per seed."""
    import numpy as np

    from sim import run

    return {
        name: np.array([run(sc, seed, timeseries=False).summary[outcome] for seed in seeds])
        for name, sc in arms.items()
    }


def ci95(diff) -> tuple[float, float]:
    """t-based 95% confidence interval of the mean of paired differences."""
    import numpy as np
    from scipy import stats

    diff = np.asarray(diff, dtype=float)
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return float(diff.mean() - half), float(diff.mean() + half)


def assert_higher(a, b, what: str) -> None:
    """a exceeds b: the 95% CI of the paired difference lies above zero."""
    lo, hi = ci95(a - b)
    assert lo > 0, f"{what}: expected an increase, paired difference CI is [{lo:.4g}, {hi:.4g}]"
