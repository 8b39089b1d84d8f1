"""The live plots: the model's daily history drawn as three small time series.

Read from `model.history` (one dict per day), never from the agents: backlog per office
at each level, the three shares (committees' self-governance, tasks done on time,
unfunded work) and the departments' load. One figure with three panels, built once per
model; each frame only replaces the lines' data (see `network` for why).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
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
    """Three panels: backlog per office by level, shares, department load.

    The x axis spans the scenario's horizon from the start, and a y axis only grows, in
    round steps; so the axes, ticks and titles rarely change, and are rendered once and
    kept as pixels until they do. A frame draws only the lines and legends on top.
    """

    def __init__(self, horizon: int = 250, with_stations: bool = True, width: float = 11.0, dpi: int = 90,
                 image_format: str = "png"):
        self.horizon = max(int(horizon), 10)
        self.image_format = image_format
        self.figure = Figure(figsize=(width, 2.9), dpi=dpi)
        self.figure.subplots_adjust(left=0.055, right=0.99, bottom=0.16, top=0.9, wspace=0.28)
        self.axes = self.figure.subplots(1, len(PANELS))
        self.lines: list[tuple[str, Any]] = []  # (series key, its matplotlib line)
        self.legends = []
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
            ax.set_xlim(0, self.horizon)
            ax.grid(alpha=0.25)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if len(panel_series) > 1:
                self.legends.append(ax.legend(fontsize=7, frameon=False, loc="upper left"))
        self.axes[0].set_ylim(0, 1.0)
        self.axes[1].set_ylim(-0.03, 1.03)
        self.axes[1].yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        self.axes[2].set_ylim(0, 0.1)
        self.hint = self.figure.text(0.5, 0.5, "press Step or Play", ha="center", va="center",
                                     color="#888888", fontsize=10)
        self.canvas = FigureCanvasAgg(self.figure)
        self.dynamic: list[Any] = [line for _, line in self.lines] + self.legends + [self.hint]
        self.background: Any = None  # the kept pixels of the static part

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
        for k, ax in enumerate(self.axes):
            if last_day > ax.get_xlim()[1]:  # stepped past the horizon
                ax.set_xlim(0, nice_ceiling(last_day))
                self.background = None
            if k != 1 and highest[id(ax)] > ax.get_ylim()[1]:  # shares keep 0..100 %
                ax.set_ylim(0, nice_ceiling(highest[id(ax)] * 1.05))
                self.background = None

    def png(self) -> bytes:
        renderer = self.canvas.get_renderer()
        if self.background is None:
            self.background = static_background(self.canvas, self.figure, self.dynamic)
            self.hint.set_visible(not any(len(line.get_xdata()) for _, line in self.lines))
            renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self.background)
        for artist in self.dynamic:
            if artist.get_visible():
                artist.draw(renderer)
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
