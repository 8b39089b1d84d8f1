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
    "committee_overload_days_share": -1,
    "unfunded_work_share": -1,
    "staff_lost_total": -1,
    "overtime_hours_total": -1,
    "blame_committee_total": -1,
    "blame_committee_share": -1,
    "regime_cost_yuan_per_day": -1,
}


def _registry() -> dict[str, int | None]:
    """Outcome -> +1 / -1 / None (the registry knows it and says neither is better)."""
    try:
        from sim import outcomes as registry  # the core model's outcome registry
    except ImportError:
        return {}
    by_name = getattr(registry, "BY_NAME", {})
    sign: dict[str | None, int] = {"higher": 1, "lower": -1}
    return {name: sign.get(getattr(entry, "better", None)) for name, entry in by_name.items()}


def directions(outcomes: list[str], source: str = "outcomes") -> dict[str, int]:
    """+1 or -1 per outcome; an outcome with no known direction is refused."""
    known: dict[str, int | None] = {**LOCAL, **_registry()}
    missing = [o for o in outcomes if known.get(o) is None]
    if missing:
        raise InputError([Problem(source, "outcomes", "no desired direction is declared for this outcome "
                                  "(the registry's `better` is neither higher nor lower), so regimes "
                                  "cannot be ranked on it", o) for o in missing])
    return {o: int(known[o] or 0) for o in outcomes}
