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

# The parts of a city every mechanism needs (offices that differ, street funding,
# organisations, stations, campaigns, co-production, strain and attrition by staff
# category): the stacking tests switch the regimes' levers on beside them.
CITY_MECHANISMS = {
    "structure.heterogeneity_cv": 0.3,
    "street.budget_per_day": 20000,
    "levers.social_organisation_entry_threshold": 0.2,
    "levers.service_stations_per_street": 1,
    "levers.campaigns_per_year": 30.0,
    "levers.campaign_hours": 40.0,
    "self_governance.coproduction_effort_share": 0.3,
    "staff.attrition_base": 0.002,
    "staff.strain_productivity_loss": 0.3,
    "staff.categories": [
        {"name": "civil_servant", "street_share": 0.6, "committee_share": 0.0, "attrition_multiplier": 0.3},
        {"name": "community_worker", "street_share": 0.4, "committee_share": 1.0, "attrition_multiplier": 2.0},
    ],
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
