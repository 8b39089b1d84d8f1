"""The levers the side panel offers, and how the panel's values become a scenario.

The panel is derived from the scenario schema by its one walker
(`sim.scenario_io.schema_fields`): every yes/no or numeric field under `levers`,
`self_governance` and `staff`, and `structure.heterogeneity_cv`, is a lever, so a lever
that lands in the schema appears in the panel without a change here. Fields that may be
absent (`coping_threshold_days: none` = never cope) get a switch that sets or clears them
and, when set, a slider.

`LEVER_HINTS` gives the levers people know by name a label, a group and a range chosen for
exploration; any other field gets a label made from its name and a range derived from its
schema bounds and default (`derived_lever`). A range always lies inside the schema's
bounds, and a preset whose value lies outside a slider's range widens the slider rather
than being clipped.
"""

from __future__ import annotations

import functools
import math
import types
import typing
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..config import Scenario
from ..scenario_io import field_at, field_bounds, schema_fields

PANEL_SECTIONS = ("levers.", "self_governance.", "staff.", "structure.heterogeneity_cv")
"""Where the panel's levers live in the schema (dotted-path prefixes). The rest of
`structure` (how many offices) and the task kinds describe the city, not a regime."""

GROUPS = (
    ("regime", "Regime levers"),
    ("behaviour", "Behaviour levers"),
    ("communities", "Communities (self-governance)"),
    ("demand", "Demand and matched cost"),
    ("mechanism", "Mechanism levers"),
    ("staff", "Staff and burnout"),
    ("more", "Other levers"),
)
"""The panel's cards, in order: (group, title). A field without a hint goes to the card of
its section ("staff", "communities") or, under `levers`, to "Other levers"."""


Kind = Literal["float", "int", "bool"]


@dataclass(frozen=True)
class Lever:
    """One control: which field it sets, how it is labelled, its range and step.

    `optional` fields may be absent (None): the panel shows a switch that sets them (to
    `start`) or clears them, and `absent` says what absence means."""

    path: str
    label: str
    kind: Kind
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    group: str = "regime"
    optional: bool = False
    absent: str = "none"
    start: float | None = None  # an optional lever's value when switched on
    help: str = ""  # the schema's description of the field

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
        if self.kind == "bool" or value is None:
            return self
        step = self.step
        while not _on_grid(value, self.low, step) and step > 1e-6:
            step /= 10
        return replace(
            self, low=min(self.low, value), high=max(self.high, value),
            step=step if self.kind == "float" else self.step,
        )


def _hint(path: str, label: str, group: str, low: float = 0.0, high: float = 1.0, step: float = 0.05,
          absent: str = "none", fallback: str | None = None) -> tuple[str, dict[str, Any]]:
    return path, {"label": label, "group": group, "low": low, "high": high, "step": step, "absent": absent,
                  "fallback": fallback}


LEVER_HINTS: dict[str, dict[str, Any]] = dict((
    _hint("levers.push_down_propensity", "Push-down propensity", "regime"),
    _hint("levers.street_gate.enabled", "Street admission list (gate)", "regime"),
    _hint("levers.street_gate.compliance", "Street gate compliance", "regime"),
    _hint("levers.street_gate.review_days", "Street gate review (days)", "regime", 0, 20, 1),
    _hint("levers.committee_gate.enabled", "Committee admission list (gate)", "regime"),
    _hint("levers.committee_gate.compliance", "Committee gate compliance", "regime"),
    _hint("levers.committee_gate.review_days", "Committee gate review (days)", "regime", 0, 20, 1),
    _hint("levers.resources_follow_tasks", "Resources follow tasks (share funded)", "regime"),
    _hint("levers.service_stations_per_street", "Service stations per street", "regime", 0, 5, 1),
    _hint("levers.purchasing_budget_share", "Street budget spent buying services", "regime"),
    _hint("levers.data_sharing", "Data sharing", "regime"),
    # behaviour (issue 15, docs/behaviours.md)
    _hint("levers.campaigns_per_year", "Campaigns per district-year", "behaviour", 0, 12, 0.5),
    _hint("levers.campaign_hours", "Campaign work per office (hours)", "behaviour", 0, 1000, 10),
    _hint("levers.campaign_days", "Campaign length (days)", "behaviour", 1, 60, 1),
    _hint("levers.coping_threshold_days", "Coping: box-tick above backlog of (days)", "behaviour", 0, 20, 0.5,
          absent="never (no coping)"),
    _hint("levers.box_ticking_effort_share", "Box-ticked task's share of effort", "behaviour"),
    _hint("levers.rework_probability", "Box-ticked work coming back as rework", "behaviour"),
    _hint("levers.blame_decay", "Blame fading per day", "behaviour", 0, 0.5, 0.01),
    _hint("levers.documentation_overhead", "Documentation per unit of blame per staff", "behaviour", 0, 0.5, 0.01),
    _hint("levers.blame_shifting", "Blame shifting work away (per unit of blame per staff)", "behaviour", 0, 0.5, 0.01),
    _hint("levers.ranking_pressure", "Ranking pressure: share sanctioned monthly (一票否决)", "behaviour",
          0, 0.5, 0.05),
    _hint("levers.audit_rate", "Leaks audited (share)", "behaviour", 0, 1, 0.01),
    _hint("levers.compliance_learning_rate", "Senders learning to leak (rate)", "behaviour", 0, 0.05, 0.001),
    _hint("levers.leak_sanction", "Leak propensity removed by a sanction", "behaviour"),
    _hint("levers.coping_rations_residents", "Coping: residents' matters wait (rationing)", "behaviour"),
    _hint("structure.heterogeneity_cv", "Offices that differ (CV of staff, population)", "behaviour", 0, 1, 0.05),
    _hint("self_governance.latent_hours_per_committee_day", "Latent self-governance (hours per committee-day)",
          "communities", 0, 40, 1),
    _hint("self_governance.initial_participation", "Participation at the start", "communities"),
    _hint("self_governance.participation_growth", "Participation growth", "communities", 0, 0.5, 0.01),
    _hint("self_governance.participation_decay", "Participation decay", "communities", 0, 0.5, 0.01),
    _hint("self_governance.coproduction_effort_share", "Co-production: residents' share of request effort",
          "communities"),
    _hint("levers.demand_multiplier", "Demand multiplier (all arrivals)", "demand", 0, 3, 0.05),
    _hint("levers.extra_committee_staff_per_street", "Extra committee staff per street", "demand", 0, 50, 1),
    # how work moves (mechanisms)
    _hint("levers.street_push_down_propensity", "Streets' push-down propensity", "mechanism",
          absent="as push-down propensity", fallback="levers.push_down_propensity"),
    _hint("levers.push_down_backlog_sensitivity", "Push-down rise per day of backlog", "mechanism"),
    _hint("levers.escalation_acceptance", "Escalations departments accept", "mechanism"),
    _hint("levers.bounce_limit", "Bounces before a department must take a task", "mechanism", 0, 10, 1),
    _hint("levers.escalation_retry_days", "Days before escalating again", "mechanism", 0, 20, 1),
    _hint("levers.assessment_intensity", "Assessments per office per day", "mechanism", 0.0, 2.0, 0.05),
    _hint("levers.committee_assessment_intensity", "Assessments per committee per day", "mechanism", 0.0, 2.0, 0.05,
          absent="as assessments per office", fallback="levers.assessment_intensity"),
    _hint("levers.reverse_evaluation", "Reverse evaluation of departments", "mechanism"),
    _hint("levers.reverse_evaluation_sensitivity", "Reverse evaluation: largest monthly cut", "mechanism"),
    _hint("levers.station_staff", "Staff per service station", "mechanism", 0, 30, 1),
    _hint("levers.social_organisation_entry_threshold", "Social organisations kept out (share)", "mechanism"),
    _hint("levers.social_organisation_staff", "Staff per social organisation", "mechanism", 0, 20, 1),
    _hint("levers.social_organisation_price_per_hour", "Social organisations' price (yuan/hour)", "mechanism",
          10, 300, 5),
    _hint("levers.social_organisation_quality", "Purchased work accepted (share)", "mechanism"),
    _hint("levers.social_organisation_max_backlog_days", "Organisations' queue limit (days)", "mechanism", 0, 20, 0.5),
    _hint("levers.rework_share", "Rejected purchased work redone (share)", "mechanism"),
    # staff: working time, strain and attrition (burnout)
    _hint("staff.hours_per_day", "Hours per staff-day", "staff", 4, 12, 0.5),
    _hint("staff.overtime_ceiling", "Overtime ceiling (share of normal hours)", "staff"),
    _hint("staff.strain_buildup", "Strain build-up per unit of overtime", "staff", 0, 0.5, 0.01),
    _hint("staff.strain_recovery", "Strain fading per day", "staff", 0, 0.5, 0.01),
    _hint("staff.attrition_base", "Daily leaving probability without strain", "staff", 0, 0.005, 0.0001),
    _hint("staff.attrition_strain", "Extra leaving probability per unit of strain", "staff", 0, 0.05, 0.001),
    _hint("staff.hiring_delay_days", "Days to refill a vacancy", "staff", 0, 250, 5),
    _hint("staff.hourly_cost", "Cost of a staff-hour (yuan)", "staff", 10, 200, 5),
    _hint("staff.strain_productivity_loss", "Burnout: hours lost at full strain (share)", "staff"),
    _hint("staff.strain_productivity_threshold", "Burnout: strain at which hours start to go", "staff", 0, 0.95),
))
"""Labels, cards and exploration ranges of the levers people know by name. Not a list of
what the panel offers: that is the schema (`available_levers`)."""

SECTION_GROUPS = {"self_governance.": "communities", "staff.": "staff", "structure.": "behaviour"}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed) of a field annotation such as `float | None`."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def lever_kind(field: FieldInfo) -> tuple[Kind | None, bool]:
    """("bool" | "int" | "float" | None, optional) for a schema field; None where the field
    is no yes/no or number (names, lists), which the panel leaves out."""
    annotation, optional = _unwrap(field.annotation)
    if annotation is bool:
        return "bool", optional
    if annotation is int:
        return "int", optional
    if annotation is float:
        return "float", optional
    return None, optional


def humanised(path: str) -> str:
    """A label made from a field's path: `staff.strain_buildup` -> 'Strain buildup'."""
    section = next((s for s in PANEL_SECTIONS if path.startswith(s) and s.endswith(".")), "")
    words = path[len(section):].replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def derived_range(kind: Kind, low: float | None, high: float | None, default: Any) -> tuple[float, float, float]:
    """An exploration range (low, high, step) for a field without a hint: the schema's
    bounds when they are narrow (a share, a small count), else up to a round number about
    four times the default, inside the bounds."""
    lo = float(low) if low is not None else 0.0
    typical = abs(float(default)) if isinstance(default, (int, float)) and not isinstance(default, bool) else 0.0
    if kind == "int":
        top = float(high) if high is not None and high - lo <= 20 else nice_ceiling(max(4 * typical, lo + 10))
        top = min(top, float(high)) if high is not None else top
        return lo, max(top, lo + 1), 1.0
    if high is not None and high - lo <= 1.0:
        return lo, float(high), 0.01
    top = nice_ceiling(max(4 * typical, lo + 1.0))
    top = min(top, float(high)) if high is not None else top
    step = nice_ceiling((top - lo) / 100)
    # a grid of round numbers: a small positive bound (ge=0.01) starts at the first step
    return math.ceil(lo / step - 1e-9) * step, top, step


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value - 1e-12 * power:
            return float(step * power)
    return float(10.0 * power)


def derived_lever(path: str, field: FieldInfo) -> Lever | None:
    """The control for one schema field: its hint where there is one, else derived from the
    field's name, type, bounds and default; None for a field that is no lever."""
    kind, optional = lever_kind(field)
    if kind is None:
        return None
    low, high = field_bounds(field)
    if high is not None and _strict_upper(field):  # `lt`: the bound itself is refused
        high = high - (0.01 if kind == "float" else 1)
    hint = LEVER_HINTS.get(path)
    help_text = " ".join((field.description or "").split())
    if hint is not None:
        lo, hi = max(hint["low"], low) if low is not None else hint["low"], hint["high"]
        hi = min(hi, high) if high is not None else hi
        return Lever(path, hint["label"], kind, lo, hi, hint["step"], hint["group"], optional, hint["absent"],
                     help=help_text)
    group = next((g for prefix, g in SECTION_GROUPS.items() if path.startswith(prefix)), "more")
    if kind == "bool":
        return Lever(path, humanised(path), "bool", group=group, help=help_text)
    default = field.get_default() if not field.is_required() else None
    lo, hi, step = derived_range(kind, low, high, default)
    return Lever(path, humanised(path), kind, lo, hi, step, group, optional, help=help_text)


def _strict_upper(field: FieldInfo) -> bool:
    return any(getattr(item, "lt", None) is not None for item in getattr(field, "metadata", ()))


def schema_field(path: str, model: type[BaseModel] = Scenario):
    """The pydantic FieldInfo at a dotted path, or None when the schema has no such field."""
    return field_at(path, model)


def schema_bounds(path: str) -> tuple[float | None, float | None]:
    """The (lower, upper) bounds the schema states for a numeric field (None where unbounded)."""
    return field_bounds(schema_field(path))


def in_panel(path: str) -> bool:
    return "[]" not in path and any(path == s or (s.endswith(".") and path.startswith(s)) for s in PANEL_SECTIONS)


@functools.cache
def available_levers(schema: type[BaseModel] = Scenario) -> tuple[Lever, ...]:
    """Every lever the schema has under the panel's sections, in the schema's order."""
    out = []
    for path, field in schema_fields(schema):
        if in_panel(path):
            lever = derived_lever(path, field)
            if lever is not None:
                out.append(lever)
    return tuple(out)


def lever_labels() -> dict[str, str]:
    """Dotted path -> the panel's label, for saying what was changed."""
    return {lever.path: lever.label for lever in available_levers()}


def levers_for(scenario: Scenario) -> tuple[tuple[Lever, ...], dict[str, Any]]:
    """The panel for a scenario: its levers (ranges widened to fit) and their values."""
    levers, values = [], {}
    for lever in available_levers():
        value = lever.value_in(scenario)
        fitted = lever.widened_for(value)
        if lever.optional:
            fitted = replace(fitted, start=_start(lever, value, scenario))
            fitted = fitted.widened_for(fitted.start)
        levers.append(fitted)
        values[lever.path] = value
    return tuple(levers), values


def _start(lever: Lever, value: Any, scenario: Scenario) -> float:
    """Where an optional lever's slider starts when switched on: its value, else the field's
    default, else the value of the field that applies in its absence, else the range's low."""
    if value is not None:
        return value
    field = schema_field(lever.path)
    default = field.get_default() if field is not None and not field.is_required() else None
    if default is not None:
        return default
    fallback = LEVER_HINTS.get(lever.path, {}).get("fallback")
    if fallback:
        node: Any = scenario
        for part in fallback.split("."):
            node = getattr(node, part)
        if node is not None:
            return node
    return lever.low


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
    if value is None and lever.optional:
        return None
    if lever.kind == "bool":
        return bool(value)
    if lever.kind == "int":
        return int(round(value))
    return float(value)
