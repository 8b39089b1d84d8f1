"""Scenarios the tests run: the shipped presets, a small city, and a tiny one for sweeps."""

from __future__ import annotations

from pathlib import Path

from sim import Scenario, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

# A sweep test's city: 2 departments, 2 streets of 2 committees per district. Runs take
# milliseconds, so a sweep of dozens of runs tests the engine, not the model.
TINY = {
    "structure.departments_per_district": 2,
    "structure.streets_per_district": 2,
    "structure.committees_per_street": 2,
}

# The mechanism tests' city: 2 departments, 3 streets, 24 committees, 10 organisations.
SMALL_CITY = {
    "structure.districts": 1,
    "structure.departments_per_district": 2,
    "structure.streets_per_district": 3,
    "structure.committees_per_street": 8,
    "structure.social_organisation_pool_per_district": 10,
}


def preset(name: str) -> Scenario:
    """A shipped scenario, by file name without `.yaml`."""
    return load_scenario(SCENARIOS / f"{name}.yaml")


def small(name: str = "unlimited-responsibility", days: int = 90, warmup: int = 20, **overrides) -> Scenario:
    """A preset shrunk to a 2-department, 3-street, 24-committee city (the presets' ratio of
    departments to committees, 1:12), with overrides given as keyword arguments whose
    double underscores stand for dots."""
    dotted = {k.replace("__", "."): v for k, v in overrides.items()}
    return with_overrides(preset(name), {**SMALL_CITY, "days": days, "warmup_days": warmup, **dotted})
