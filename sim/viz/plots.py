"""The live plots: the model's daily history drawn as three small time series.

Read from `model.history` (one dict per day), never from the agents: backlog per office
at each level, the three shares (committees' self-governance, tasks done on time,
unfunded work) and the departments' load. One figure with three panels, so a frame costs
one image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

BACKLOG_SERIES = (
    ("department_backlog_hours", "departments", "#4d4d4d"),
    ("street_backlog_hours", "streets", "#2166ac"),
    ("station_backlog_hours", "stations", "#8073ac"),
    ("committee_backlog_hours", "committees", "#d6604d"),
)
SHARE_SERIES = (
    ("committee_self_governance_share", "committees' hours on self-governance", "#1b7837"),
    ("tasks_done_on_time_share", "tasks done on time", "#2166ac"),
    ("unfunded_work_share", "work sunk without resources", "#b2182b"),
)
LOAD_SERIES = ("department_load", "departments' load", "#4d4d4d")


@dataclass(frozen=True)
class Latest:
    """The newest value of each plotted series, for the table under the plots."""

    day: int
    rows: tuple[tuple[str, str], ...]


def series(history: list[dict], key: str) -> np.ndarray:
    return np.array([row.get(key, np.nan) for row in history], dtype=float)


def draw_plots(history: list[dict], with_stations: bool = True, width: float = 11.0) -> Figure:
    """Three panels: backlog per office by level, shares, department load."""
    fig = Figure(figsize=(width, 2.9), dpi=90, layout="constrained")
    ax_backlog, ax_share, ax_load = fig.subplots(1, 3)
    days = series(history, "day")

    for key, label, colour in BACKLOG_SERIES:
        if key == "station_backlog_hours" and not with_stations:
            continue
        ax_backlog.plot(days, series(history, key), label=label, color=colour, linewidth=1.4)
    ax_backlog.set_title("backlog per office (staff-hours)", fontsize=9, loc="left")

    for key, label, colour in SHARE_SERIES:
        ax_share.plot(days, series(history, key), label=label, color=colour, linewidth=1.4)
    ax_share.set_ylim(-0.03, 1.03)
    ax_share.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax_share.set_title("shares", fontsize=9, loc="left")

    key, label, colour = LOAD_SERIES
    ax_load.plot(days, series(history, key), color=colour, linewidth=1.4)
    ax_load.set_title("departments' load (backlog / hours available)", fontsize=9, loc="left")

    for ax in (ax_backlog, ax_share, ax_load):
        ax.set_xlabel("working day", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.grid(alpha=0.25)
        if not history:
            ax.text(0.5, 0.5, "press Step or Play", transform=ax.transAxes, ha="center",
                    va="center", color="#888888", fontsize=9)
        else:
            ax.set_xlim(0, max(days[-1], 10))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if history:
        ax_backlog.set_ylim(bottom=0)
        ax_load.set_ylim(bottom=0)
        ax_backlog.legend(fontsize=7, frameon=False, loc="upper left")
        ax_share.legend(fontsize=7, frameon=False, loc="best")
    return fig


def latest(history: list[dict]) -> Latest:
    """The last day's values, formatted for people."""
    if not history:
        return Latest(0, ())
    row = history[-1]
    out = []
    for key, label, _ in BACKLOG_SERIES:
        if key in row:
            out.append((f"backlog per office, {label}", f"{row[key]:,.1f} h"))
    for key, label, _ in SHARE_SERIES:
        if key in row:
            out.append((label, f"{row[key]:.0%}"))
    key, label, _ = LOAD_SERIES
    if key in row:
        out.append((label, f"{row[key]:.2f}"))
    return Latest(int(row.get("day", len(history))), tuple(out))
