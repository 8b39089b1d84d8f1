"""Which way is better for each outcome: +1 when more is better, -1 when less is.

The outcome registry (`sim.outcomes`, each outcome's `better`) is the source when it is
installed; until then, and for outcomes it does not know, this module's own table says.
"""

from __future__ import annotations

from sim.errors import InputError, Problem

# Used only where the registry has no entry for the outcome.
LOCAL = {
    "tasks_done_on_time_share": 1,
    "committee_self_governance_share": 1,
    "committee_self_governance_hours_mean": 1,
    "days_to_first_crisis": 1,
    "lead_time_days_mean": -1,
    "lead_time_days_p90": -1,
    "resident_lead_time_days_mean": -1,
    "resident_lead_time_days_p90": -1,
    "resident_lead_time_days_p99": -1,
    "resident_unmet_share": -1,
    "committee_backlog_hours_mean": -1,
    "street_backlog_hours_mean": -1,
    "department_backlog_hours_mean": -1,
    "department_load_mean": -1,
    "committee_utilisation_mean": -1,
    "committee_overload_days_share": -1,
    "unfunded_work_share": -1,
    "staff_lost_total": -1,
    "overtime_hours_total": -1,
    "blame_committee_total": -1,
    "blame_committee_share": -1,
    "regime_cost_yuan_per_day": -1,
}


def _registry() -> dict[str, int]:
    try:
        from sim import outcomes as registry  # the core model's outcome registry
    except ImportError:
        return {}
    table = getattr(registry, "OUTCOMES", None) or getattr(registry, "REGISTRY", None) or {}
    out = {}
    for name, entry in dict(table).items():
        better = getattr(entry, "better", None) if not isinstance(entry, dict) else entry.get("better")
        if better in ("higher", "more", "up", 1, "+"):
            out[name] = 1
        elif better in ("lower", "less", "down", -1, "-"):
            out[name] = -1
    return out


def directions(outcomes: list[str], source: str = "outcomes") -> dict[str, int]:
    """+1 or -1 per outcome; an outcome with no known direction is refused."""
    known = {**LOCAL, **_registry()}
    missing = [o for o in outcomes if o not in known]
    if missing:
        raise InputError([Problem(source, "outcomes", "no desired direction is known for this outcome "
                                  "(neither better = higher nor lower), so policies cannot be ranked on it", o)
                          for o in missing])
    return {o: known[o] for o in outcomes}
