"""Readable names and units for summary outcomes and time-series columns, for axes and tables."""

from __future__ import annotations

KNOWN = {
    "tasks_done_on_time_share": ("tasks done on time", "share of tasks done"),
    "committee_self_governance_share": ("committee hours on self-governance", "share of hours used"),
    "unfunded_work_share": ("work sent down without resources", "share of hours"),
    "resident_unmet_share": ("residents' requests abandoned", "share of requests"),
    "department_returned_hours": ("work returned to departments by gates", "staff-hours"),
    "street_returned_hours": ("work returned to streets by gates", "staff-hours"),
    "lead_time_days_mean": ("mean lead time", "working days"),
    "lead_time_days_p90": ("90th-percentile lead time", "working days"),
    "sojourn_days_mean": ("mean time in system", "working days"),
    "departures_per_day": ("tasks finished or abandoned", "tasks per working day"),
    "open_tasks_mean": ("open tasks", "tasks"),
    "handoffs_per_task_mean": ("hand-offs", "per task"),
    "bounces_per_task_mean": ("escalation bounces", "per task"),
    "purchase_spend_total": ("spending on purchased services", "yuan"),
    "overtime_hours_total": ("overtime", "staff-hours"),
    "funded_hours_total": ("funded hours sent down", "staff-hours"),
    "staff_lost_total": ("staff lost", "people"),
    "littles_law_ratio": ("Little's law ratio L/(λW)", "ratio"),
    "effort_created_hours_total": ("effort of all tasks created", "staff-hours"),
    "committee_self_governance_hours_mean": ("committee self-governance", "staff-hours per committee-day"),
    "resident_lead_time_days_p90": ("residents' matters: 90th-percentile lead time", "working days"),
    "resident_lead_time_days_p99": ("residents' matters: 99th-percentile lead time", "working days"),
    "committee_overload_days_share": ("committee-days over normal hours", "share of committee-days"),
    "days_to_first_crisis": ("days to the first crisis", "working days after warm-up"),
    "blame_committee_share": ("blame falling on committees", "share of all blame"),
    "regime_cost_yuan_per_day": ("regime's extra cost", "yuan per working day"),
    "staff_total": ("staff of all offices", "people"),
}


def describe(name: str) -> tuple[str, str]:
    """(label, unit) for an outcome name, from the table above or its suffix."""
    if name in KNOWN:
        return KNOWN[name]
    text = name.replace("_", " ")
    for level in ("department", "street", "station", "committee", "social organisation"):
        if text.startswith(level + " backlog hours mean"):
            return (f"{level} backlog per office", "staff-hours")
        if text.startswith(level + " utilisation mean"):
            return (f"{level} utilisation", "hours used / hours available")
        if text.startswith(level + " load mean"):
            return (f"{level} load", "days of work queued")
    if name.endswith("_share"):
        return (text[: -len(" share")], "share (0-1)")
    if "_hours" in name:
        return (text.replace(" hours", ""), "staff-hours")
    if "_days" in name:
        return (text.replace(" days", ""), "working days")
    if name.endswith("_total") or name.startswith("tasks_"):
        return (text.replace(" total", ""), "count")
    return (text, "")


def axis_label(name: str) -> str:
    label, unit = describe(name)
    return f"{label} ({unit})" if unit else label
