"""Drawing one frame of the hierarchy: nodes coloured by load, sized by staff, and the
hand-offs of the last day as edges, thicker for more hours.

Load is the backlog in days of normal work (backlog hours / normal daily hours), on a
fixed scale of bins so that colours mean the same on every day and in every scenario.
Node area is proportional to staff, on a fixed scale too. Edges going down the
hierarchy (pushing work down, buying services) are blue; edges going up (escalations,
rework sent back) are red.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .layout import ROW_TITLES, Layout

LOAD_BOUNDS = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 1e9)
LOAD_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#fc8d59", "#d73027", "#67001f")
LOAD_LABELS = ("< ½", "½–1", "1–2", "2–5", "5–10", "> 10")
LOAD_CMAP = ListedColormap(LOAD_COLOURS, name="tiaokuai_load")
LOAD_NORM = BoundaryNorm(LOAD_BOUNDS, LOAD_CMAP.N)

AREA_PER_STAFF = 4.0  # points² of marker area per staff member
AREA_RANGE = (6.0, 900.0)
SIZE_EXAMPLES = (5, 30, 100)

DOWN_COLOUR = "#2166ac"
UP_COLOUR = "#b2182b"
EDGE_MAX_WIDTH = 6.0


@dataclass(frozen=True)
class Frame:
    """The per-node numbers of one day, ready to draw."""

    day: int
    staff: np.ndarray
    load: np.ndarray
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_hours: np.ndarray


def frame_of(model, layout: Layout) -> Frame:
    """Read the model's current state into per-node totals (vectorised where it can be)."""
    offices = model.offices
    n = len(offices)
    staff = np.fromiter((o.staff for o in offices), dtype=np.float64, count=n)
    backlog = np.fromiter((o.backlog_hours for o in offices), dtype=np.float64, count=n)
    hours = np.fromiter((o.daily_hours for o in offices), dtype=np.float64, count=n)
    node_staff = layout.aggregate(staff)
    node_backlog = layout.aggregate(backlog)
    node_hours = layout.aggregate(hours)
    # An office without staff has load = backlog in hours (as the model's own `load` does).
    load = node_backlog / np.maximum(node_hours, 1.0)
    src, dst, flow = layout.node_flows(model.recent_flows())
    return Frame(int(model.day), node_staff, load, src, dst, flow)


def draw_network(layout: Layout, frame: Frame, title: str = "", width: float = 11.0) -> Figure:
    """A figure of the hierarchy for one day (no pyplot: safe in a server thread)."""
    rows = sorted(set(layout.row_y.values()), reverse=True)
    fig = Figure(figsize=(width, 0.9 + 0.95 * len(rows)), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    _draw_districts(ax, layout)
    top_flow = _draw_edges(ax, layout, frame)
    sizes = np.clip(frame.staff * AREA_PER_STAFF, *AREA_RANGE)
    ax.scatter(
        layout.x,
        layout.y,
        s=sizes,
        c=frame.load,
        cmap=LOAD_CMAP,
        norm=LOAD_NORM,
        edgecolors="#333333",
        linewidths=0.4,
        zorder=3,
    )
    level_of_row = {y: lv for lv, y in layout.row_y.items()}
    ax.set_yticks(rows)
    ax.set_yticklabels([_row_title(level_of_row[r], layout) for r in rows])
    ax.set_xticks([])
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(min(rows) - 0.45, max(rows) + 0.6)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    _legends(fig, top_flow)
    return fig


def _row_title(level: str, layout: Layout) -> str:
    title = ROW_TITLES[level]
    if level in layout.merged_levels:
        title += "\n(merged per street)" if level in ("committee", "station") else "\n(merged per district)"
    return title


def _draw_districts(ax, layout: Layout) -> None:
    if len(layout.district_spans) < 2:
        return
    top_row = max(layout.row_y.values())
    for k, (district, left, right) in enumerate(layout.district_spans):
        if k % 2 == 0:
            ax.axvspan(left, right, color="#f2f2f2", zorder=0, linewidth=0)
        if len(layout.district_spans) <= 20:
            ax.text((left + right) / 2, top_row + 0.3, f"district {district + 1}", ha="center", va="bottom",
                    fontsize=7, color="#666666")


def _draw_edges(ax, layout: Layout, frame: Frame) -> float:
    """Draw the last day's hand-offs; return the largest flow (the widest line), hours."""
    if frame.edge_hours.size == 0:
        return 0.0
    top = float(frame.edge_hours.max())
    widths = 0.3 + (EDGE_MAX_WIDTH - 0.3) * np.sqrt(frame.edge_hours / top)
    down = layout.y[frame.edge_src] > layout.y[frame.edge_dst]
    segments = np.stack(
        [
            np.column_stack([layout.x[frame.edge_src], layout.y[frame.edge_src]]),
            np.column_stack([layout.x[frame.edge_dst], layout.y[frame.edge_dst]]),
        ],
        axis=1,
    )
    colours = np.where(down, DOWN_COLOUR, UP_COLOUR)
    order = np.argsort(frame.edge_hours)  # thick edges on top
    ax.add_collection(
        LineCollection(
            segments[order], linewidths=widths[order], colors=colours[order], alpha=0.55, zorder=2
        )
    )
    return top


def _legends(fig, top_flow: float) -> None:
    colour_handles = [
        Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=c, markeredgecolor="#333333",
               markeredgewidth=0.4, label=label)
        for c, label in zip(LOAD_COLOURS, LOAD_LABELS)
    ]
    size_handles = [
        Line2D([], [], marker="o", linestyle="", color="#bbbbbb", markeredgecolor="#333333",
               markeredgewidth=0.4, markersize=float(np.sqrt(np.clip(s * AREA_PER_STAFF, *AREA_RANGE))),
               label=f"{s} staff")
        for s in SIZE_EXAMPLES
    ]
    edge_handles = [
        Line2D([], [], color=DOWN_COLOUR, linewidth=3, alpha=0.7, label="pushed down / bought"),
        Line2D([], [], color=UP_COLOUR, linewidth=3, alpha=0.7, label="escalated / sent back"),
        Line2D([], [], color="#777777", linewidth=EDGE_MAX_WIDTH, alpha=0.55,
               label=f"{top_flow:,.0f} h in a day" if top_flow else "no hand-offs today"),
    ]
    fig.legend(handles=colour_handles, title="load: days of work queued", loc="outside right upper",
                       fontsize=8, title_fontsize=8, frameon=False)
    fig.legend(handles=size_handles + edge_handles, title="size: staff;  lines: last day",
               loc="outside right lower", fontsize=8, title_fontsize=8, frameon=False, labelspacing=1.1)
