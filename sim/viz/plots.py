"""The live plots: the model's daily history drawn as small time series, in two rows.

Read from a session's history (`behaviour.ViewHistory`: `model.history` plus the
behaviours' state, one dict per day), never from the agents. The first row is the flow of
work: backlog per office at each level, the three shares (committees' self-governance,
tasks done on time, unfunded work), the departments' load, and where the blame stock sits
(each level's share). The second row is what the offices' behaviour leaves (issue 15),
per office level in the backlog panel's colours: formalism (box-ticked hours) and
documentation as shares of each level's hours, ranking pressure (offices sanctioned, hours
on administrative work), the stocks in 0..1 (committees' participation, latent
self-governance left unserved, senders' learned leak propensity), and burnout (each
level's mean strain, and its staff on hand as a share of its posts). Labels come from the
outcome registry where it has them. One figure, built once per model; each frame only
replaces the lines' data (see `network` for why).
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..levels import Level
from ..outcomes import outcome
from .behaviour import (
    ADMINISTRATIVE,
    DOCUMENTATION,
    FORMALISM,
    LEAK,
    PARTICIPATION,
    PLURAL,
    SANCTIONED,
    SHARE_WINDOW_DAYS,
    UNMET,
    blame_key,
    label,
    staff_key,
    strain_key,
)

LEVEL_COLOUR = {
    Level.DEPARTMENT: "#4d4d4d",
    Level.STREET: "#2166ac",
    Level.STATION: "#8073ac",
    Level.COMMITTEE: "#d6604d",
}
GOVERNMENT = tuple(LEVEL_COLOUR)
POOLED_COLOUR = "#000000"

BACKLOG_SERIES = tuple(
    (f"{lv.label}_backlog_hours", PLURAL[lv], LEVEL_COLOUR[lv], "-") for lv in GOVERNMENT
)
SHARE_SERIES = (
    ("committee_self_governance_share", "committees' hours on self-governance", "#1b7837", "-"),
    ("tasks_done_on_time_share", "tasks done on time", "#2166ac", "-"),
    ("unfunded_work_share", "work sunk without resources", "#b2182b", "--"),
)
LOAD_SERIES = (("department_load", "departments", "#4d4d4d", "-"),)
BLAME_SERIES = tuple((blame_key(lv), PLURAL[lv], LEVEL_COLOUR[lv], "-") for lv in GOVERNMENT)


def _by_level(measure, pooled_label: str = "all offices") -> tuple[tuple[str, str, str, str], ...]:
    per_level = tuple((measure.key(lv), PLURAL[lv], LEVEL_COLOUR[lv], "-") for lv in measure.levels)
    return per_level + ((measure.pooled, pooled_label, POOLED_COLOUR, ":"),)


FORMALISM_SERIES = _by_level(FORMALISM)
DOCUMENTATION_SERIES = _by_level(DOCUMENTATION)
STOCK_SERIES = (
    (PARTICIPATION.key(Level.COMMITTEE), label(PARTICIPATION.outcome), "#1b7837", "-"),
    (UNMET, label(UNMET), "#1b7837", "--"),
    *((LEAK.key(lv), label(LEAK.outcome, lv), LEVEL_COLOUR[lv], "-") for lv in LEAK.levels),
)
RANKING_SERIES = tuple(
    item for lv in SANCTIONED.levels
    for item in ((ADMINISTRATIVE.key(lv), f"administrative work, {PLURAL[lv]}", LEVEL_COLOUR[lv], "-"),
                 (SANCTIONED.key(lv), f"sanctioned, {PLURAL[lv]}", LEVEL_COLOUR[lv], "--"))
)
BURNOUT_SERIES = tuple(
    item for lv in GOVERNMENT
    for item in ((strain_key(lv), f"strain, {PLURAL[lv]}", LEVEL_COLOUR[lv], "-"),
                 (staff_key(lv), f"staff on hand / posts, {PLURAL[lv]}", LEVEL_COLOUR[lv], "--"))
)


@dataclass(frozen=True)
class Panel:
    """One small plot: its title, its lines (key, label, colour, style), where its y axis
    starts, whether it is a share (drawn in %), whether the y axis stays fixed, and
    which lines its legend names ("all", "last" or "none": panels drawn in the levels'
    colours share the backlog panel's legend and name only their pooled line)."""

    title: str
    series: tuple[tuple[str, str, str, str], ...]
    top: float = 1.0
    share: bool = False
    fixed: bool = False
    legend: str = "all"
    bottom: float = 0.0
    styles: tuple[tuple[str, str], ...] = ()  # legend by line style instead: (style, label)


def _title(name: str, what: str) -> str:
    return f"{outcome(name).label}: {what}"


PANELS = (
    Panel("backlog per office (staff-hours)", BACKLOG_SERIES),
    Panel("shares", SHARE_SERIES, 1.03, share=True, fixed=True, bottom=-0.03),
    Panel("departments' load (backlog / hours available)", LOAD_SERIES, 0.1),
    Panel("where blame sits: share of the blame stock, by level", BLAME_SERIES, 1.03, share=True, fixed=True,
          bottom=-0.03, legend="none"),
)
"""The first row: the flow of work, and where the blame for work gone overdue sits (in
the backlog panel's colours)."""

BEHAVIOUR_PANELS = (
    Panel(_title(FORMALISM.outcome, f"{SHARE_WINDOW_DAYS}-day share of hours"), FORMALISM_SERIES,
          0.1, share=True, legend="last"),
    Panel(_title(DOCUMENTATION.outcome, f"{SHARE_WINDOW_DAYS}-day share of hours"),
          DOCUMENTATION_SERIES, 0.1, share=True, legend="last"),
    Panel("ranking pressure", RANKING_SERIES, 1.03, share=True, fixed=True, bottom=-0.03,
          styles=(("-", "hours on administrative work (10-day share)"), ("--", "offices under sanction"))),
    Panel("stocks (0..1)", STOCK_SERIES, 1.03, fixed=True,
          bottom=-0.03),
    Panel("burnout (0..1)", BURNOUT_SERIES, 1.03, fixed=True, bottom=-0.03,
          styles=(("-", "strain (burnout stock)"), ("--", "staff on hand / posts"))),
)
"""The second row: what the offices' behaviour leaves (issue 15)."""


@dataclass(frozen=True)
class Latest:
    """The newest value of each plotted series, for the table under the plots."""

    day: int
    rows: tuple[tuple[str, str], ...]


def series(history: list[dict], key: str) -> np.ndarray:
    return np.array([row.get(key, np.nan) for row in history], dtype=float)


class PlotsCanvas:
    """Two rows of panels: the flow of work (`PANELS`) over the behaviours' state
    (`BEHAVIOUR_PANELS`).

    The x axis spans the scenario's horizon from the start, and a y axis only grows, in
    round steps; so the axes, ticks and titles rarely change, and are rendered once and
    kept as pixels until they do. A frame draws only the lines and legends on top.
    """

    def __init__(self, horizon: int = 250, with_stations: bool = True, width: float = 11.0, dpi: int = 90,
                 image_format: str = "png"):
        self.horizon = max(int(horizon), 10)
        self.image_format = image_format
        narrow = width < 10  # a side of a comparison: smaller type
        small = 6.5 if narrow else 7.0
        # room under the behaviours' panels for their legends (inches), which wrap to more lines when narrow
        legends = 1.8 if narrow else 1.35
        height = 5.05 + legends
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        bottom = legends / height
        left = 0.07 if narrow else 0.055
        rows = (
            (PANELS, self.figure.add_gridspec(1, len(PANELS), left=left, right=0.99, top=0.93, bottom=0.62,
                                              wspace=0.28)),
            (BEHAVIOUR_PANELS, self.figure.add_gridspec(1, len(BEHAVIOUR_PANELS), left=left, right=0.99, top=0.44,
                                                        bottom=bottom, wspace=0.38)),
        )
        self.panels: list[tuple[Panel, Any]] = []
        self.lines: list[tuple[str, Any]] = []  # (series key, its matplotlib line)
        self.legends: list[Any] = []
        for row, (panels, grid) in enumerate(rows):
            for k, panel in enumerate(panels):
                ax = self.figure.add_subplot(grid[0, k])
                self.panels.append((panel, ax))
                for key, name, colour, style in panel.series:
                    if key.startswith("station_") and not with_stations:
                        continue
                    (line,) = ax.plot([], [], label=name, color=colour, linestyle=style, linewidth=1.4)
                    self.lines.append((key, line))
                # characters that fit across the panel at the title's size (about 0.55 em each)
                chars = int(ax.get_position().width * width * 72 / (0.55 * (small + 1.5)))
                ax.set_title(textwrap.fill(panel.title, max(chars, 20), break_on_hyphens=False),
                             fontsize=small + 1.5, loc="left")
                if row == 0:
                    ax.set_xlabel("working day", fontsize=small + 0.5)
                ax.tick_params(labelsize=small + 0.5)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4 if narrow else 5))
                ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
                ax.set_xlim(0, self.horizon)
                ax.set_ylim(panel.bottom, panel.top)
                if panel.share:
                    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                ax.grid(alpha=0.25)
                for side in ("top", "right"):
                    ax.spines[side].set_visible(False)
                self._legend(ax, panel, below=row == 1, chars=int(chars * (small + 1.5) / small) - 4, size=small)
        self.axes = [ax for _, ax in self.panels]
        self.hint = self.figure.text(0.5, 0.5, "press Step or Play", ha="center", va="center",
                                     color="#888888", fontsize=10)
        self.canvas = FigureCanvasAgg(self.figure)
        # Drawing text is most of a frame's cost. Legends under a panel are part of the kept
        # background; those inside a panel (`self.legends`) must lie over its lines, so
        # their pixels are kept too and laid over each frame (`legend_pixels`).
        self.dynamic: list[Any] = [line for _, line in self.lines] + [self.hint]
        self.background: Any = None  # the kept pixels of the static part
        self.overlay: tuple[np.ndarray, np.ndarray] = (np.zeros(0, dtype=np.intp), np.zeros((0, 4), np.uint8))

    def _legend(self, ax, panel: Panel, below: bool, chars: int, size: float) -> None:
        """The panel's legend: inside at the top left (the flow of work), or under the
        panel with its labels wrapped to the panel's width (the behaviours' state)."""
        drawn = ax.get_lines()
        if panel.styles:
            drawn = [Line2D([], [], color="#333333", linestyle=cast(Any, style), linewidth=1.4, label=name)
                     for style, name in panel.styles]
        elif panel.legend == "last":
            drawn = drawn[-1:]
        elif panel.legend != "all" or len(drawn) < 2:
            return
        labels = [textwrap.fill(line.get_label(), max(chars, 16)) for line in drawn]
        where = {"loc": "upper left", "bbox_to_anchor": (-0.02, -0.1)} if below else {"loc": "upper left"}
        legend = ax.legend(drawn, labels, fontsize=size, frameon=False, **where)
        if not below:
            self.legends.append(legend)

    def update(self, history: list[dict], scale_with: tuple[list[dict], ...] = ()) -> None:
        """Give the lines `history`; the y axes fit it and every history in `scale_with`
        too (the other side of a comparison, so both sides are drawn on one scale)."""
        days = series(history, "day")
        self.hint.set_visible(not history)
        highest = {id(ax): 0.0 for ax in self.axes}
        for key, line in self.lines:
            values = series(history, key)
            line.set_data(days, values)
            for shown in (values, *(series(other, key) for other in scale_with)):
                if shown.size and np.isfinite(shown).any():
                    highest[id(line.axes)] = max(highest[id(line.axes)], float(np.nanmax(shown)))
        last_day = float(days[-1]) if history else 0.0
        for panel, ax in self.panels:
            if last_day > ax.get_xlim()[1]:  # stepped past the horizon
                ax.set_xlim(0, nice_ceiling(last_day))
                self.background = None
            if not panel.fixed and highest[id(ax)] > ax.get_ylim()[1]:
                ax.set_ylim(0, nice_ceiling(highest[id(ax)] * 1.05))
                self.background = None

    def png(self) -> bytes:
        renderer = self.canvas.get_renderer()
        if self.background is None:
            self.background = static_background(self.canvas, self.figure, self.dynamic + self.legends)
            self.overlay = legend_pixels(self.canvas, self.legends)
            self.hint.set_visible(not any(len(line.get_xdata()) for _, line in self.lines))
            renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self.background)
        for artist in self.dynamic:
            if artist.get_visible():
                artist.draw(renderer)
        where, values = self.overlay
        np.asarray(self.canvas.buffer_rgba()).reshape(-1, 4)[where] = values
        return encode(self.canvas, self.image_format)

    def render(self, history: list[dict], scale_with: tuple[list[dict], ...] = ()) -> bytes:
        self.update(history, scale_with)
        return self.png()


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value:
            return float(step * power)
    return float(10.0 * power)


def static_background(canvas: FigureCanvasAgg, figure: Figure, dynamic) -> object:
    """Render the figure without its per-frame artists and keep those pixels, so a frame
    only restores them and draws the dynamic artists on top (blitting)."""
    for artist in dynamic:
        artist.set_visible(False)
    canvas.draw()
    background = canvas.copy_from_bbox(figure.bbox)
    for artist in dynamic:
        artist.set_visible(True)
    return background


def legend_pixels(canvas: FigureCanvasAgg, legends) -> tuple[np.ndarray, np.ndarray]:
    """The pixels `legends` paint over the canvas as it stands (the kept background), as
    (flat pixel indices, RGBA values): laid over each frame, they put the legends on top
    of the lines without drawing their text again."""
    if not legends:
        return np.zeros(0, dtype=np.intp), np.zeros((0, 4), np.uint8)
    before = np.asarray(canvas.buffer_rgba()).reshape(-1, 4).copy()
    renderer = canvas.get_renderer()
    for legend in legends:
        legend.draw(renderer)
    after = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
    where = np.flatnonzero(np.any(after != before, axis=1))
    return where, after[where].copy()


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG, compressed lightly: speed matters more than bytes here."""
    return encode(canvas, "png")


def encode(canvas: FigureCanvasAgg, image_format: str = "png") -> bytes:
    """The canvas's pixels as PNG (lossless, lightly compressed) or JPEG.

    JPEG (quality 92, no chroma subsampling, so thin coloured lines keep their colour) is
    several times faster to encode than PNG; the side-by-side view, which draws five
    pictures a frame, uses it to keep a Step under a second."""
    width, height = canvas.get_width_height()
    image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    if image_format == "jpeg":
        image.convert("RGB").save(buffer, format="jpeg", quality=92, subsampling=0)
    else:
        image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def latest(history: list[dict], with_stations: bool = True) -> Latest:
    """The last day's values, formatted for people: the flow of work, then the behaviours'
    state (pooled over the levels, with where blame sits)."""
    if not history:
        return Latest(0, ())
    row = history[-1]
    out = []
    for key, name, *_ in BACKLOG_SERIES:
        if key in row and (with_stations or key != "station_backlog_hours"):
            out.append((f"backlog per office, {name}", f"{row[key]:,.1f} h"))
    for key, name, *_ in SHARE_SERIES:
        if key in row:
            out.append((name, f"{row[key]:.0%}"))
    for key, name, *_ in LOAD_SERIES:
        if key in row:
            out.append((f"{name}' load", f"{row[key]:.2f}"))
    for measure in (FORMALISM, DOCUMENTATION):
        if measure.pooled in row:
            out.append((f"{label(measure.outcome)}, share of hours", f"{row[measure.pooled]:.1%}"))
    blame = {lv: row[blame_key(lv)] for lv in GOVERNMENT if np.isfinite(row.get(blame_key(lv), np.nan))}
    if blame:
        most = max(blame, key=lambda lv: blame[lv])
        out.append(("blame stock held by", f"{PLURAL[most]} {blame[most]:.0%}"))
    if SANCTIONED.pooled in row:
        out.append((label(SANCTIONED.outcome), f"{row[SANCTIONED.pooled]:.0%}"))
    if ADMINISTRATIVE.key(Level.COMMITTEE) in row:
        out.append((f"{label(ADMINISTRATIVE.outcome)}, 10 days", f"{row[ADMINISTRATIVE.key(Level.COMMITTEE)]:.0%}"))
    for key, name, *_ in STOCK_SERIES:
        if np.isfinite(row.get(key, np.nan)):
            out.append((name, f"{row[key]:.2f}"))
    for key, name, *_ in BURNOUT_SERIES:
        if np.isfinite(row.get(key, np.nan)) and key.startswith("committee_"):
            out.append((name, f"{row[key]:.2f}"))
    return Latest(int(row.get("day", len(history))), tuple(out))
