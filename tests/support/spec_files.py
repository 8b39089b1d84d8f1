"""Small spec files written for the tests of bad input: a tiny scenario over the shipped
baseline and an experiment on it, each with the fields a test overrides."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "scenarios" / "unlimited-responsibility.yaml"


def tiny_scenario(tmp: Path, days: int = 8, warmup_days: int = 2) -> Path:
    """A scenario of twelve committees extending the baseline, written as tmp/s.yaml."""
    path = tmp / "s.yaml"
    path.write_text(f"extends: {GOOD}\nname: tiny\ndays: {days}\nwarmup_days: {warmup_days}\n"
                    "structure: {departments_per_district: 2, streets_per_district: 2, committees_per_street: 3}\n")
    return path


def experiment_file(scenario: Path, tmp: Path, **fields) -> Path:
    """A one-replication experiment on `scenario`, written as tmp/e.yaml; `fields` override
    (a `base` among them too)."""
    spec = {"name": "e", "base": str(scenario), "replications": 1, "master_seed": 1,
            "outcomes": ["tasks_created"], **fields}
    path = tmp / "e.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path
