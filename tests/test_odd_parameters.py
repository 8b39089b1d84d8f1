"""docs/ODD.md lists every field of the scenario schema, so the document cannot drift
from the code (issue #7, part 1)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from sim.config import Scenario
from sim.scenario_io import schema_fields

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def schema_paths(model: type[BaseModel]) -> list[str]:
    """Dotted paths of every field (the schema walker's; task kinds as `task_kinds[].field`)."""
    return [path for path, _ in schema_fields(model)]


def documented_paths() -> set[str]:
    """First cell of every row of the parameter table, in backticks."""
    text = ODD.read_text(encoding="utf-8")
    table = text.split("## Parameters", 1)[1]
    return set(re.findall(r"^\|\s*`([^`]+)`", table, flags=re.M))


def test_every_scenario_field_is_in_the_odd_parameter_table():
    missing = [p for p in schema_paths(Scenario) if p not in documented_paths()]
    assert not missing, f"docs/ODD.md parameter table lacks: {', '.join(missing)}"


def test_the_parameter_table_lists_no_field_the_schema_lacks():
    extra = sorted(documented_paths() - set(schema_paths(Scenario)))
    assert not extra, f"docs/ODD.md documents fields that do not exist: {', '.join(extra)}"


def test_gate_and_task_kind_fields_are_walked():
    paths = schema_paths(Scenario)
    assert "levers.street_gate.compliance" in paths and "levers.committee_gate.listed" in paths
    assert "task_kinds[].effort_cv" in paths and "task_kinds[].purchasable" in paths
