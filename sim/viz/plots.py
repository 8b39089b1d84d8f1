"""The live plots: the model's daily history drawn as three small time series.

Read from `model.history` (one dict per day), never from the agents: backlog per office
at each level, the three shares (committees' self-governance, tasks done on time,
unfunded work) and the departments' load. One figure with three panels, built once per
model; each frame only replaces the lines' data and rescales (see `network` for why).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

BACKLOG_SERIES = (
    ("department_backlog_hours", "departments", "#4d4d4d", "-"),
    ("street_backlog_hours", "streets", "#2166ac", "-"),
    ("station_backlog_hours", "stations", "#8073ac", "-"),
    ("committee_backlog_hours", "committees", "#d6604d", "-"),
)
SHARE_SERIES = (
    ("committee_self_governance_share", "committees' hours on self-governance", "#1b7837", "-"),
    ("tasks_done_on_time_share", "tasks done on time", "#2166ac", "-"),
    ("unfunded_work_share", "work sunk without resources", "#b2182b", "--"),
)
LOAD_SERIES = (("department_load", "departments", "#4d4d4d", "-"),)
PANELS = (
    ("backlog per office (staff-hours)", BACKLOG_SERIES),
    ("shares", SHARE_SERIES),
    ("departments' load (backlog / hours available)", LOAD_SERIES),
)


@dataclass(frozen=True)
class Latest:
    """The newest value of each plotted series, for the table under the plots."""

    day: int
    rows: tuple[tuple[str, str], ...]


def series(history: list[dict], key: str) -> np.ndarray:
    return np.array([row.get(key, np.nan) for row in history], dtype=float)


class PlotsCanvas:
    """Three panels: backlog per office by level, shares, department load."""

    def __init__(self, with_stations: bool = True, width: float = 11.0, dpi: int = 90):
        self.figure = Figure(figsize=(width, 2.9), dpi=dpi)
        self.figure.subplots_adjust(left=0.055, right=0.99, bottom=0.16, top=0.9, wspace=0.28)
        self.axes = self.figure.subplots(1, len(PANELS))
        self.lines: list[tuple[str, object]] = []
        for ax, (title, panel_series) in zip(self.axes, PANELS):
            for key, label, colour, style in panel_series:
                if key == "station_backlog_hours" and not with_stations:
                    continue
                (line,) = ax.plot([], [], label=label, color=colour, linestyle=style, linewidth=1.4)
                self.lines.append((key, line))
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_xlabel("working day", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
            ax.grid(alpha=0.25)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if len(panel_series) > 1:
                ax.legend(fontsize=7, frameon=False, loc="upper left")
        share_axes = self.axes[1]
        share_axes.set_ylim(-0.03, 1.03)
        share_axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        self.hint = self.figure.text(0.5, 0.5, "press Step or Play", ha="center", va="center",
                                     color="#888888", fontsize=10)

    def update(self, history: list[dict]) -> None:
        days = series(history, "day")
        self.hint.set_visible(not history)
        highest = {id(ax): 0.0 for ax in self.axes}
        for key, line in self.lines:
            values = series(history, key)
            line.set_data(days, values)
            if values.size and np.isfinite(values).any():
                highest[id(line.axes)] = max(highest[id(line.axes)], float(np.nanmax(values)))
        right = max(float(days[-1]) if history else 0.0, 10.0)
        for k, ax in enumerate(self.axes):
            ax.set_xlim(0, right)
            if k != 1:  # shares keep 0..100 %
                floor = 0.1 if k == 2 else 1.0
                ax.set_ylim(0, max(highest[id(ax)] * 1.08, floor))

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def render(self, history: list[dict]) -> bytes:
        self.update(history)
        return self.png()


def latest(history: list[dict], with_stations: bool = True) -> Latest:
    """The last day's values, formatted for people."""
    if not history:
        return Latest(0, ())
    row = history[-1]
    out = []
    for key, label, *_ in BACKLOG_SERIES:
        if key in row and (with_stations or key != "station_backlog_hours"):
            out.append((f"backlog per office, {label}", f"{row[key]:,.1f} h"))
    for key, label, *_ in SHARE_SERIES:
        if key in row:
            out.append((label, f"{row[key]:.0%}"))
    for key, label, *_ in LOAD_SERIES:
        if key in row:
            out.append((f"{label}' load", f"{row[key]:.2f}"))
    return Latest(int(row.get("day", len(history))), tuple(out))
