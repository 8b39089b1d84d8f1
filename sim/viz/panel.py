"""The levers the side panel offers, and how the panel's values become a scenario.

Each lever is a dotted path into the scenario schema (`sim.config`), shown as a slider
(numbers) or a switch (yes/no). Slider ranges are chosen for exploration and always lie
inside the schema's bounds; a preset whose value is outside a slider's range widens the
slider rather than being clipped. Levers whose path the schema does not have (yet) are
left out, so the panel follows the model as levers land.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from ..config import Scenario
from ..scenario_io import field_at


@dataclass(frozen=True)
class Lever:
    """One control: which field it sets, how it is labelled, its range and step."""

    path: str
    label: str
    kind: Literal["float", "int", "bool"]
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    group: str = "regime"

    def value_in(self, scenario: Scenario) -> Any:
        """The lever's current value in a scenario."""
        node: Any = scenario
        for part in self.path.split("."):
            node = getattr(node, part)
        return node

    def widened_for(self, value: Any) -> Lever:
        """This lever fitted to a preset's `value`: the range stretched to include it, and
        the step made fine enough to land on it (a slider snaps to its step, and would
        otherwise quietly change the preset's value)."""
        if self.kind == "bool":
            return self
        step = self.step
        while not _on_grid(value, self.low, step) and step > 1e-6:
            step /= 10
        return Lever(
            self.path, self.label, self.kind, min(self.low, value), max(self.high, value),
            step if self.kind == "float" else self.step, self.group,
        )


CANDIDATE_LEVERS = (
    Lever("levers.push_down_propensity", "Push-down propensity", "float"),
    Lever("levers.street_gate.enabled", "Street admission list (gate)", "bool"),
    Lever("levers.street_gate.compliance", "Street gate compliance", "float"),
    Lever("levers.committee_gate.enabled", "Committee admission list (gate)", "bool"),
    Lever("levers.committee_gate.compliance", "Committee gate compliance", "float"),
    Lever("levers.resources_follow_tasks", "Resources follow tasks (share funded)", "float"),
    Lever("levers.escalation_acceptance", "Escalations departments accept", "float", group="mechanism"),
    Lever("levers.assessment_intensity", "Assessments per office per day", "float", 0.0, 2.0, 0.05, "mechanism"),
    Lever("levers.reverse_evaluation", "Reverse evaluation of departments", "bool", group="mechanism"),
    Lever("levers.service_stations_per_street", "Service stations per street", "int", 0, 5, 1, "mechanism"),
    Lever("levers.purchasing_budget_share", "Street budget spent buying services", "float", group="mechanism"),
    Lever("levers.data_sharing", "Data sharing", "bool", group="mechanism"),
)


def schema_field(path: str, model: type[BaseModel] = Scenario):
    """The pydantic FieldInfo at a dotted path, or None when the schema has no such field."""
    return field_at(path, model)


def schema_bounds(path: str) -> tuple[float | None, float | None]:
    """The (ge, le) bounds the schema states for a numeric field (None where unbounded)."""
    field = schema_field(path)
    low = high = None
    for item in getattr(field, "metadata", ()):
        low = getattr(item, "ge", low) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", high) if getattr(item, "le", None) is not None else high
    return low, high


def available_levers() -> tuple[Lever, ...]:
    """The candidate levers that the scenario schema actually has."""
    return tuple(lever for lever in CANDIDATE_LEVERS if schema_field(lever.path) is not None)


def levers_for(scenario: Scenario) -> tuple[tuple[Lever, ...], dict[str, Any]]:
    """The panel for a scenario: its levers (ranges widened to fit) and their values."""
    levers, values = [], {}
    for lever in available_levers():
        value = lever.value_in(scenario)
        levers.append(lever.widened_for(value))
        values[lever.path] = value
    return tuple(levers), values


def overrides(scenario: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """The panel values that differ from the scenario's, as dotted-path overrides."""
    out = {}
    for lever in available_levers():
        if lever.path in values and values[lever.path] != lever.value_in(scenario):
            out[lever.path] = _typed(lever, values[lever.path])
    return out


def _on_grid(value: float, origin: float, step: float) -> bool:
    ratio = (value - origin) / step
    return abs(ratio - round(ratio)) < 1e-6


def _typed(lever: Lever, value: Any) -> Any:
    if lever.kind == "bool":
        return bool(value)
    if lever.kind == "int":
        return int(round(value))
    return float(value)
