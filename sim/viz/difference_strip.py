"""The difference strip of a comparison: for each headline outcome, right minus left,
day by day and as the mean since day 1, so the audience sees where the regimes part ways
and when.

One small panel per outcome, in a row. Shares are shown in percentage points. As in
`plots`, the figure is built once per comparison, the x axis spans the horizon from the
start, a y axis (symmetric about zero) only grows, in round steps, and a frame draws only
the lines and the day's numbers over the kept pixels of everything else.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .plots import encode, nice_ceiling, static_background

DAY_COLOUR = "#9e9e9e"
MEAN_COLOUR = "#762a83"
SCALE = {"share": 100.0}  # shares are drawn in percentage points
UNIT = {"share": " pp", "hours": " h", "ratio": "", "count": ""}
START_LIMIT = {"share": 5.0, "hours": 1.0, "ratio": 0.05, "count": 10.0}


def shown(value: float, kind: str) -> str:
    """A signed difference, for people: '+3.1 pp', '-12 h', '+0.04', '+250'."""
    if not np.isfinite(value):
        return "n/a"
    if kind == "count":
        return f"{value:+,.0f}"
    if kind == "ratio":
        return f"{value:+.3f}"
    return f"{value:+,.1f}{UNIT[kind]}"


def running_mean(values: np.ndarray) -> np.ndarray:
    """The mean of the first k values, for every k (NaN days are skipped)."""
    finite = np.isfinite(values)
    sums = np.cumsum(np.where(finite, values, 0.0))
    counts = np.cumsum(finite)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


class DifferenceCanvas:
    """One row of panels: the paired difference of each headline outcome over the days."""

    def __init__(
        self,
        series: tuple[tuple[str, str, str], ...],
        horizon: int = 250,
        names: tuple[str, str] = ("left", "right"),
        width: float = 16.0,
        dpi: int = 90,
        image_format: str = "jpeg",
    ):
        self.series = series
        self.image_format = image_format
        self.horizon = max(int(horizon), 10)
        self.figure = Figure(figsize=(width, 2.8), dpi=dpi)
        self.figure.subplots_adjust(left=0.035, right=0.995, bottom=0.15, top=0.69, wspace=0.32)
        self.axes = np.atleast_1d(self.figure.subplots(1, max(len(series), 1)))
        left, right = names
        self.figure.text(
            0.005, 0.97,
            f"Difference {right} \u2212 {left}: each day (grey) and the mean since day 1 (purple)",
            ha="left", va="top", fontsize=10, fontweight="bold",
        )
        self.day_lines: list[Any] = []
        self.mean_lines: list[Any] = []
        self.values: list[Any] = []
        for ax, (_, label, kind) in zip(self.axes, series):
            ax.axhline(0.0, color="#333333", linewidth=0.8, zorder=1)
            (day_line,) = ax.plot([], [], color=DAY_COLOUR, linewidth=0.9, zorder=2)
            (mean_line,) = ax.plot([], [], color=MEAN_COLOUR, linewidth=2.0, zorder=3)
            self.day_lines.append(day_line)
            self.mean_lines.append(mean_line)
            title = label + (" (pp)" if kind == "share" else "")
            chars = int(ax.get_position().width * width * 72 / (0.55 * 8.5))  # that fit across the panel
            ax.set_title(textwrap.fill(title, max(chars, 16), break_on_hyphens=False), fontsize=8.5, loc="left",
                         pad=14)
            self.values.append(ax.text(0.0, 1.02, "", transform=ax.transAxes, fontsize=8, color=MEAN_COLOUR,
                                       ha="left", va="bottom"))
            ax.set_xlim(0, self.horizon)
            ax.set_ylim(-START_LIMIT[kind], START_LIMIT[kind])
            ax.set_xlabel("working day", fontsize=7.5)
            ax.tick_params(labelsize=7.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, symmetric=True))
            ax.grid(alpha=0.25)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        for ax in self.axes[len(series):]:
            ax.set_visible(False)
        self.canvas = FigureCanvasAgg(self.figure)
        self.dynamic: list[Any] = self.day_lines + self.mean_lines + self.values
        self.background: Any = None  # the kept pixels of the static part

    def update(self, days: np.ndarray, differences: dict[str, np.ndarray]) -> None:
        """Give each panel its series of right - left (one value per day in `days`)."""
        for k, (key, _, kind) in enumerate(self.series):
            ax = self.axes[k]
            values = differences.get(key, np.full(days.size, np.nan)) * SCALE.get(kind, 1.0)
            mean = running_mean(values)
            self.day_lines[k].set_data(days, values)
            self.mean_lines[k].set_data(days, mean)
            if days.size:
                self.values[k].set_text(f"day {int(days[-1])}: {shown(values[-1], kind)}, "
                                        f"mean {shown(mean[-1], kind)}")
            else:
                self.values[k].set_text("")
            finite = np.abs(values[np.isfinite(values)])
            highest = float(finite.max()) if finite.size else 0.0
            if highest > ax.get_ylim()[1]:  # grow with room to spare: each growth redraws the axes
                limit = nice_ceiling(highest * 1.5)
                ax.set_ylim(-limit, limit)
                self.background = None
            if days.size and days[-1] > ax.get_xlim()[1]:
                ax.set_xlim(0, nice_ceiling(float(days[-1])))
                self.background = None

    def png(self) -> bytes:
        if self.background is None:
            self.background = static_background(self.canvas, self.figure, self.dynamic)
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.dynamic:
            artist.draw(renderer)
        return encode(self.canvas, self.image_format)

    def render(self, comparison) -> bytes:
        """Draw a `Comparison`'s differences as they stand."""
        history = comparison.left.history[: len(comparison.right.history)]
        days = np.array([row["day"] for row in history], dtype=float)
        self.update(days, {key: comparison.differences(key) for key, _, _ in self.series})
        return self.png()
