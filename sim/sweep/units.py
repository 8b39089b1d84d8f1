"""Readable names and units for summary outcomes and time-series columns, for axes and tables.

Declared outcomes take theirs from `sim.outcomes`; other names (time-series columns,
levers) get one guessed from their suffix."""

from __future__ import annotations

from sim.levels import LEVELS
from sim.outcomes import BY_NAME

# every declared outcome (summary keys and per-day series), from the registry
KNOWN: dict[str, tuple[str, str]] = {name: (o.label, o.unit) for name, o in BY_NAME.items()}


def describe(name: str) -> tuple[str, str]:
    """(label, unit) for an outcome name, from the registry or its suffix."""
    if name in KNOWN:
        return KNOWN[name]
    text = name.replace("_", " ")
    for level in (lv.replace("_", " ") for lv in LEVELS):
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
