"""Drawing the hierarchy: nodes coloured by load, sized by staff, and the hand-offs of the
last day as edges, thicker for more hours.

Load is the backlog in days of normal work (backlog hours / normal daily hours), on a
fixed scale of bins so that colours mean the same on every day and in every scenario.
The page can colour the nodes by a behaviour's state instead (`COLOURINGS`: blame stock
per staff member, strain, committees' participation, senders' leak propensity), on
fixed bins too; a node whose offices do not have that state is grey.
Node area is proportional to staff, on a fixed scale too. Edges going down the
hierarchy (pushing work down, buying services) are blue; edges going up (escalations,
rework sent back) are red.

A `NetworkCanvas` builds the figure once per model (rows, district bands, legends) and
each frame only updates the nodes' colours and sizes and the edges: building axes and
laying out text is most of matplotlib's cost, and it would otherwise be paid every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..levels import Level
from .layout import ROW_TITLES, Layout
from .plots import encode, static_background

LOAD_BOUNDS = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 1e12)
LOAD_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#fc8d59", "#d73027", "#67001f")
LOAD_LABELS = ("under ½ day", "½ to 1", "1 to 2", "2 to 5", "5 to 10", "over 10 days")
LOAD_CMAP = ListedColormap(LOAD_COLOURS, name="tiaokuai_load")
LOAD_NORM = BoundaryNorm(LOAD_BOUNDS, LOAD_CMAP.N)

AREA_PER_STAFF = 4.0  # points² of marker area per staff member
AREA_RANGE = (12.0, 900.0)  # a node is never smaller than a dot whose colour shows
SIZE_EXAMPLES = (5, 30, 100)

DOWN_COLOUR = "#2166ac"
UP_COLOUR = "#b2182b"
EDGE_WIDTH_RANGE = (0.3, 6.0)
EDGE_ALPHA_RANGE = (0.12, 0.75)
MAX_EDGES = 800
"""Only the largest flows are drawn; the rest would be invisible hairlines anyway."""

NOT_APPLICABLE_COLOUR = "#e0e0e0"


@dataclass(frozen=True)
class Colouring:
    """What the nodes' colour shows: a per-office quantity (`what`), gathered per node, on
    fixed bins so that a colour means the same on every day and in every scenario."""

    name: str  # in the page's chooser
    title: str  # the colour legend's title
    what: str  # "load", "blame", "strain", "participation" or "leak" (see `colour_values`)
    bounds: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...] = LOAD_COLOURS
    applies_to: str = ""  # when only some levels have it: named in the legend's grey entry

    @property
    def cmap(self) -> Colormap:
        return ListedColormap(self.colours, name=f"tiaokuai_{self.what}").with_extremes(bad=NOT_APPLICABLE_COLOUR)

    @property
    def norm(self) -> BoundaryNorm:
        return BoundaryNorm(self.bounds, len(self.colours))


LOAD = Colouring("load", "colour: load (days of work queued)", "load", LOAD_BOUNDS, LOAD_LABELS)
COLOURINGS = (
    LOAD,
    Colouring("blame", "colour: blame stock per staff member", "blame",
              (0.0, 1e-9, 0.5, 2.0, 5.0, 10.0, 1e12), ("none", "under ½", "½ to 2", "2 to 5", "5 to 10", "over 10")),
    Colouring("strain (burnout)", "colour: strain (0 = rested)", "strain",
              (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1e12),
              ("under 0.05", "0.05 to 0.1", "0.1 to 0.2", "0.2 to 0.3", "0.3 to 0.5", "over 0.5")),
    Colouring("participation", "colour: residents' participation", "participation",
              (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0 + 1e-9),
              ("under 0.1", "0.1 to 0.25", "0.25 to 0.5", "0.5 to 0.75", "0.75 to 0.9", "over 0.9"),
              LOAD_COLOURS[::-1], applies_to="committees only"),
    Colouring("leak propensity", "colour: learned leak propensity", "leak",
              (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0 + 1e-9),
              ("under 0.01", "0.01 to 0.05", "0.05 to 0.1", "0.1 to 0.25", "0.25 to 0.5", "over 0.5"),
              applies_to="senders only"),
)
"""The chooser's colourings of the hierarchy: load (the default), and the behaviours'
state per office (issue 15): blame stock per staff member (what drives documentation),
strain, committees' participation (low is red), senders' learned leak propensity."""
COLOURING_BY_NAME = {c.name: c for c in COLOURINGS}


@dataclass(frozen=True)
class Frame:
    """The per-node numbers of one day, ready to draw."""

    day: int
    staff: np.ndarray
    backlog: np.ndarray  # staff-hours
    load: np.ndarray  # days of normal work
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_hours: np.ndarray
    colour: np.ndarray | None = None  # per node, what a colouring other than load shows (NaN: not applicable)


def colour_values(model, layout: Layout, what: str) -> np.ndarray:
    """Per node, the behaviour state a colouring shows: blame stock per staff member, mean
    strain, committees' mean participation, senders' mean leak propensity (NaN for a node
    whose offices do not have it)."""
    roster, behaviour = model.roster, model.world.behaviour
    if what == "blame":
        return layout.aggregate(behaviour.blame_stock) / np.maximum(layout.aggregate(roster.staff.astype(float)), 1.0)
    if what == "strain":
        return layout.aggregate(roster.strain) / np.maximum(layout.members, 1)
    if what == "participation":
        has = roster.level == int(Level.COMMITTEE)
        values = behaviour.participation
    elif what == "leak":
        has = np.isin(roster.level, (int(Level.DEPARTMENT), int(Level.STREET)))
        values = behaviour.leak_propensity
    else:
        raise ValueError(f"no colouring {what!r}")
    count = layout.aggregate(has.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, layout.aggregate(values * has) / count, np.nan)


def frame_of(model, layout: Layout, colouring: Colouring = LOAD) -> Frame:
    """Read the model's current state into per-node totals."""
    offices = model.offices
    n = len(offices)
    staff = np.fromiter((o.staff for o in offices), dtype=np.float64, count=n)
    backlog = np.fromiter((o.backlog_hours for o in offices), dtype=np.float64, count=n)
    hours = np.fromiter((o.daily_hours for o in offices), dtype=np.float64, count=n)
    # An office without staff has load = backlog in hours (as the model's own `load` does).
    node_backlog = layout.aggregate(backlog)
    load = node_backlog / np.maximum(layout.aggregate(hours), 1.0)
    src, dst, flow = layout.node_flows(model.recent_flows())
    if flow.size > MAX_EDGES:
        keep = np.argpartition(flow, -MAX_EDGES)[-MAX_EDGES:]
        src, dst, flow = src[keep], dst[keep], flow[keep]
    colour = None if colouring.what == "load" else colour_values(model, layout, colouring.what)
    return Frame(int(model.day), layout.aggregate(staff), node_backlog, load, src, dst, flow, colour)


def most_loaded(layout: Layout, frame: Frame, count: int = 5) -> list[tuple[str, float, float]]:
    """The `count` nodes with the highest load: (label, load in days, backlog hours)."""
    busy = np.flatnonzero(frame.backlog > 0)
    top = busy[np.argsort(-frame.load[busy], kind="stable")[:count]]
    return [(layout.label[k], float(frame.load[k]), float(frame.backlog[k])) for k in top]


def node_areas(staff: np.ndarray) -> np.ndarray:
    return np.clip(staff * AREA_PER_STAFF, *AREA_RANGE)


class NetworkCanvas:
    """The hierarchy's figure for one layout, redrawn frame by frame (no pyplot)."""

    def __init__(self, layout: Layout, width: float = 11.0, dpi: int = 90, image_format: str = "png",
                 colouring: Colouring = LOAD):
        self.layout = layout
        self.image_format = image_format
        self.colouring = colouring
        rows = sorted(set(layout.row_y.values()), reverse=True)
        self.figure = Figure(figsize=(width, 0.9 + 0.95 * len(rows)), dpi=dpi, layout="constrained")
        ax = self.axes = self.figure.add_subplot()
        _draw_districts(ax, layout)
        self.edges: Any = LineCollection([], zorder=2)  # (matplotlib's stubs refuse arrays of segments)
        ax.add_collection(self.edges)
        self.nodes = ax.scatter(
            layout.x, layout.y, s=np.full(layout.n_nodes, AREA_RANGE[0]), c=np.zeros(layout.n_nodes),
            cmap=colouring.cmap, norm=colouring.norm, edgecolors="#333333", linewidths=0.4, zorder=3,
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
        self.edge_label = _legends(self.figure, colouring)
        # Lay the figure out once, then keep it: later frames change no text that moves.
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine("none")
        self.max_area = _room_per_node(layout, ax, self.figure)
        # Render everything that never changes once, and keep the pixels: a frame then
        # only restores them and draws the edges, the nodes and two texts on top.
        self.canvas = FigureCanvasAgg(self.figure)
        self.dynamic = (self.edges, self.nodes, self.edge_label)
        self.background = static_background(self.canvas, self.figure, self.dynamic)

    def update(self, frame: Frame) -> None:
        layout = self.layout
        self.nodes.set_array(frame.load if frame.colour is None or self.colouring.what == "load" else frame.colour)
        # Merged nodes are drawn at the size of one of their offices; no node is drawn
        # wider than the gap to its neighbours, so a crowded row stays a row of dots.
        self.nodes.set_sizes(np.minimum(node_areas(frame.staff / self.layout.members), self.max_area))
        if frame.edge_hours.size == 0:
            self.edges.set_segments([])
            self.edge_label.set_text("no hand-offs in the last day")
            return
        src, dst, hours = frame.edge_src, frame.edge_dst, frame.edge_hours
        order = np.argsort(hours)  # thick edges on top
        src, dst, hours = src[order], dst[order], hours[order]
        top = float(hours[-1])
        weight = np.sqrt(hours / top)
        low, high = EDGE_WIDTH_RANGE
        segments = np.stack(
            [np.column_stack([layout.x[src], layout.y[src]]), np.column_stack([layout.x[dst], layout.y[dst]])],
            axis=1,
        )
        colours = to_rgba_array(np.where(layout.y[src] > layout.y[dst], DOWN_COLOUR, UP_COLOUR))
        a_low, a_high = EDGE_ALPHA_RANGE
        colours[:, 3] = a_low + (a_high - a_low) * weight
        self.edges.set_segments(segments)
        self.edges.set_linewidths(low + (high - low) * weight)
        self.edges.set_colors(colours)
        self.edge_label.set_text(f"{top:,.0f} staff-hours in the last day")

    def png(self) -> bytes:
        """The current frame as PNG: the kept background plus what changes."""
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.dynamic:
            artist.draw(renderer)
        return encode(self.canvas, self.image_format)

    def savefig(self, path) -> None:
        """The whole figure, drawn afresh (for files; slower than `png`)."""
        self.figure.savefig(path)

    def render(self, frame: Frame) -> bytes:
        self.update(frame)
        return self.png()


def _room_per_node(layout: Layout, ax, fig) -> np.ndarray:
    """The largest marker area (points²) that does not overlap the row's neighbours."""
    width_points = ax.get_position().width * fig.get_figwidth() * 72.0
    points_per_x = width_points / (ax.get_xlim()[1] - ax.get_xlim()[0])
    room = np.full(layout.n_nodes, AREA_RANGE[1])
    for y in set(layout.row_y.values()):
        nodes = np.flatnonzero(layout.y == y)
        if nodes.size < 2:
            continue
        xs = np.sort(layout.x[nodes])
        gaps = np.diff(xs)
        gap = float(gaps[gaps > 0].min()) if (gaps > 0).any() else 1.0
        diameter = 0.95 * gap * points_per_x
        room[nodes] = max(diameter**2, AREA_RANGE[0])
    return room


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
        name = f"district {district + 1}" if len(layout.district_spans) <= 8 else f"{district + 1}"
        if len(layout.district_spans) <= 40:
            ax.text((left + right) / 2, top_row + 0.3, name, ha="center", va="bottom", fontsize=7,
                    color="#666666")
    if len(layout.district_spans) > 8:
        ax.text(-0.02, top_row + 0.3, "district", ha="right", va="bottom", fontsize=7, color="#666666")


def _legends(fig, colouring: Colouring = LOAD):
    """Legends for colour (load or a behaviour's state), size (staff) and lines (flows);
    returns the text that names the widest line's hours, which changes every frame."""
    shown = list(zip(colouring.colours, colouring.labels))
    if colouring.applies_to:
        shown.append((NOT_APPLICABLE_COLOUR, f"n/a ({colouring.applies_to})"))
    colour_handles = [
        Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=c, markeredgecolor="#333333",
               markeredgewidth=0.4, label=label)
        for c, label in shown
    ]
    size_handles = [
        Line2D([], [], marker="o", linestyle="", color="#bbbbbb", markeredgecolor="#333333",
               markeredgewidth=0.4, markersize=float(np.sqrt(node_areas(np.array([s]))[0])),
               label=f"{s} staff")
        for s in SIZE_EXAMPLES
    ]
    edge_handles = [
        Line2D([], [], color=DOWN_COLOUR, linewidth=3, alpha=0.7, label="pushed down / bought"),
        Line2D([], [], color=UP_COLOUR, linewidth=3, alpha=0.7, label="escalated / sent back"),
        Line2D([], [], color="#777777", linewidth=EDGE_WIDTH_RANGE[1], alpha=0.6,
               label="no hand-offs in the last day" + " " * 8),
    ]
    fig.legend(handles=colour_handles, title=colouring.title, loc="outside right upper",
               fontsize=8, title_fontsize=8, frameon=False)
    lines = fig.legend(handles=size_handles + edge_handles, title="size: staff per office   lines: hand-offs",
                       loc="outside right lower", fontsize=8, title_fontsize=8, frameon=False,
                       labelspacing=1.1)
    return lines.get_texts()[-1]
