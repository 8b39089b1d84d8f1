"""Comparison figures for print: bars with CI whiskers, paired differences, time-series bands,
factor lines and heatmaps. Each function reads a tidy table and writes one PNG.

Matplotlib with the Agg backend (no display needed). Every axis says what it measures and
in which unit; every title says what is compared; colours come with line styles or
labels so a greyscale print still reads.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .units import axis_label, describe  # noqa: E402

DPI = 150
STYLES = ["-", "--", "-.", ":", (0, (8, 2)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2, 5, 2))]


def colours(names: list[str]) -> dict[str, tuple]:
    """Distinct colours: tab10, or tab20 when there are more than ten names."""
    cmap, n = (plt.get_cmap("tab10"), 10) if len(names) <= 10 else (plt.get_cmap("tab20"), 20)
    return {name: cmap(i % n) for i, name in enumerate(names)}


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def _tidy_ticks(axis) -> None:
    """Few ticks, and an offset/exponent instead of long tick labels that collide."""
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    axis.set_major_locator(MaxNLocator(nbins=4))
    formatter = ScalarFormatter(useMathText=True)
    formatter.set_powerlimits((-3, 4))
    axis.set_major_formatter(formatter)


def _legend(fig, axes, handles, names, columns: int) -> None:
    """In the first unused panel if there is one, else in a strip below the panels."""
    spare = [ax for ax in axes.flat if not ax.axison]
    if spare:
        spare[0].legend(handles, names, loc="center", fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        return
    rows = math.ceil(len(names) / columns)
    strip = min(0.25, 0.035 * rows + 0.02)
    fig.tight_layout(rect=(0, strip, 1, 0.97))
    fig.legend(handles, names, loc="lower center", ncol=columns, fontsize=8, frameon=False)


def _yerr(rows: pd.DataFrame) -> np.ndarray:
    low = (rows["mean"] - rows["ci_low"]).to_numpy(float)
    high = (rows["ci_high"] - rows["mean"]).to_numpy(float)
    return np.nan_to_num(np.vstack([low, high]))


def bar_chart(rows: pd.DataFrame, outcome: str, labels: list[str], title: str, path: Path,
              palette: dict[str, tuple] | None = None) -> Path:
    """One outcome, one bar per group (`rows` in `labels` order), whiskers = 95% CI."""
    fig, ax = plt.subplots(figsize=(max(5.0, 0.9 * len(labels) + 2), 4.2))
    x = np.arange(len(labels))
    color = [palette.get(lbl, "0.5") for lbl in labels] if palette else "0.55"
    ax.bar(x, rows["mean"].to_numpy(float), color=color, edgecolor="black", linewidth=0.6)
    ax.errorbar(x, rows["mean"].to_numpy(float), yerr=_yerr(rows), fmt="none", ecolor="black",
                capsize=4, linewidth=1.1)
    ax.set_xticks(x, labels, rotation=25 if len(labels) > 3 else 0, ha="right" if len(labels) > 3 else "center")
    ax.set_ylabel(axis_label(outcome))
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def overview(summary: pd.DataFrame, outcomes: list[str], labels: list[str], group: str,
             title: str, path: Path, palette: dict[str, tuple]) -> Path:
    """All outcomes as small multiples of bar charts with 95% CI whiskers."""
    cols = min(3, len(outcomes))
    nrows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.3 * cols, 3.3 * nrows), squeeze=False)
    x = np.arange(len(labels))
    for ax, outcome in zip(axes.flat, outcomes):
        rows = summary[summary["outcome"] == outcome].set_index(group).reindex(labels)
        ax.bar(x, rows["mean"].to_numpy(float), color=[palette.get(lbl, "0.5") for lbl in labels],
               edgecolor="black", linewidth=0.5)
        ax.errorbar(x, rows["mean"].to_numpy(float), yerr=_yerr(rows), fmt="none", ecolor="black", capsize=3)
        label, unit = describe(outcome)
        ax.set_title(label, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        _tidy_ticks(ax.yaxis)
        ax.set_xticks(x, [str(i + 1) for i in range(len(labels))], fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette.get(lbl, "0.5")) for lbl in labels]
    fig.suptitle(title, fontsize=11)
    _legend(fig, axes, handles, [f"{i + 1}: {lbl}" for i, lbl in enumerate(labels)], min(3, len(labels)))
    return _save(fig, path)


def differences_chart(diffs: pd.DataFrame, outcomes: list[str], arms: list[str], baseline: str,
                      path: Path, palette: dict[str, tuple]) -> Path:
    """Forest plot per outcome: mean paired difference (arm − baseline) with its 95% CI."""
    cols = min(3, len(outcomes))
    nrows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.6 * cols, 0.45 * len(arms) * nrows + 1.6 * nrows), squeeze=False)
    y = np.arange(len(arms))[::-1]
    for ax, outcome in zip(axes.flat, outcomes):
        rows = diffs[diffs["outcome"] == outcome].set_index("sub_experiment").reindex(arms)
        mean = rows["mean_difference"].to_numpy(float)
        err = np.nan_to_num(np.vstack([mean - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - mean]))
        for yi, m, lo, hi, arm in zip(y, mean, err[0], err[1], arms):
            ax.errorbar([m], [yi], xerr=[[lo], [hi]], fmt="o", color=palette.get(arm, "black"), capsize=3)
        ax.axvline(0.0, color="black", linewidth=0.8)
        _tidy_ticks(ax.xaxis)
        label, unit = describe(outcome)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(f"difference ({unit})" if unit else "difference", fontsize=8)
        ax.set_yticks(y, arms, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    fig.suptitle(f"Paired difference from {baseline} (same seeds), mean and 95% CI", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


def timeseries_bands(bands: pd.DataFrame, levels: list[str], arms: list[str], warmup: int | None,
                     title: str, ylabel: str, path: Path, palette: dict[str, tuple],
                     points: list[int] | None = None, point_labels: dict[int, str] | None = None) -> Path:
    """Mean per day and arm with its shaded 95% CI band over replications.

    One panel per level; with `points` (designs of several points), a grid of levels (rows)
    by design points (columns), each band over that point's own replications."""
    if points is None:
        cols = min(2, len(levels))
        nrows = math.ceil(len(levels) / cols)
        cells: list[tuple[str, Any]] = [(level, None) for level in levels]
        fig, axes = plt.subplots(nrows, cols, figsize=(6.2 * cols, 3.4 * nrows), squeeze=False)
    else:
        nrows, cols = len(levels), len(points)
        cells = [(level, p) for level in levels for p in points]
        fig, axes = plt.subplots(nrows, cols, figsize=(3.6 * cols + 0.8, 2.9 * nrows + 0.6), squeeze=False,
                                 sharey="row")
    labels = point_labels or {}
    for ax, (level, point) in zip(axes.flat, cells):
        here = bands[bands["level"] == level]
        if point is not None:
            here = here[here["point"] == point]
        for i, arm in enumerate(arms):
            rows = here[here["sub_experiment"] == arm]
            if rows.empty:
                continue
            c = palette.get(arm, "black")
            ax.plot(rows["day"], rows["mean"], color=c, linestyle=STYLES[i % len(STYLES)], linewidth=1.2, label=arm)
            ax.fill_between(rows["day"], rows["ci_low"], rows["ci_high"], color=c, alpha=0.2, linewidth=0)
        if warmup:
            ax.axvspan(0, warmup, color="0.85", alpha=0.5, linewidth=0)
            ax.text(warmup, ax.get_ylim()[1], " end of warm-up", fontsize=7, va="top", color="0.35")
        name = level.replace("_", " ")
        ax.set_title(name if point is None else f"{name}\n{labels.get(point, f'point {point}')}", fontsize=9)
        ax.set_xlabel("working day", fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(cells):]:
        ax.axis("off")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.suptitle(title, fontsize=11)
    _legend(fig, axes, handles, names, min(4, len(arms)))
    return _save(fig, path)


def response_curves(summary: pd.DataFrame, diffs: pd.DataFrame | None, factor: str, outcome: str,
                    arms: list[str], baseline: str | None, replications: int | None, path: Path,
                    palette: dict[str, tuple]) -> Path:
    """Arms x one numeric factor: the outcome against the factor, one line per arm with its
    95% band over replications; beside it, each arm's paired difference from the baseline
    (same seeds at each level) with its band, which is usually far narrower."""
    with_diffs = diffs is not None and not diffs.empty and baseline is not None
    fig, axes = plt.subplots(1, 2 if with_diffs else 1, figsize=(12.5 if with_diffs else 6.5, 4.6), squeeze=False)
    label, unit = describe(outcome)
    short = factor.rsplit(".", 1)[-1].replace("_", " ")
    over = f"{replications} replications" if replications else "replications"

    def draw(ax, rows_all, value, low, high, names):
        for arm in names:
            rows = rows_all[rows_all["sub_experiment"] == arm].sort_values(factor)
            if rows.empty:
                continue
            i, c = arms.index(arm), palette.get(arm, "black")
            x = rows[factor].to_numpy(float)
            ax.plot(x, rows[value].to_numpy(float), color=c, linestyle=STYLES[i % len(STYLES)], marker="o",
                    markersize=3, linewidth=1.3, label=arm)
            ax.fill_between(x, rows[low].to_numpy(float), rows[high].to_numpy(float), color=c, alpha=0.15,
                            linewidth=0)
        ax.set_xlabel(f"{short} ({factor})", fontsize=9)
        ax.grid(alpha=0.3)

    ax = axes.flat[0]
    draw(ax, summary[summary["outcome"] == outcome], "mean", "ci_low", "ci_high", arms)
    ax.set_ylabel(axis_label(outcome), fontsize=9)
    ax.set_title(f"{label}: mean and 95% band over {over}", fontsize=10)
    if with_diffs:
        assert diffs is not None  # with_diffs says so; for the type checker
        ax2 = axes.flat[1]
        others = [a for a in arms if a != baseline]
        draw(ax2, diffs[diffs["outcome"] == outcome], "mean_difference", "ci_low", "ci_high", others)
        ax2.axhline(0.0, color="black", linewidth=0.8)
        ax2.set_ylabel("arm − baseline" + (f" ({unit})" if unit else ""), fontsize=9)
        ax2.set_title(f"paired difference from {baseline} (same seeds), 95% band", fontsize=10)
    handles, names = ax.get_legend_handles_labels()
    fig.suptitle(f"{label} against {short}, by sub-experiment", fontsize=11)
    _legend(fig, axes, handles, names, min(4, len(arms)))
    return _save(fig, path)


def factor_lines(summary: pd.DataFrame, factor: str, outcome: str, arms: list[str], path: Path,
                 palette: dict[str, tuple]) -> Path:
    """One-factor designs: the outcome against the factor's levels, one line per arm, CI whiskers."""
    fig, ax = plt.subplots(figsize=(6, 4))
    rows_all = summary[summary["outcome"] == outcome]
    numeric = pd.api.types.is_numeric_dtype(rows_all[factor]) and not pd.api.types.is_bool_dtype(rows_all[factor])
    for i, arm in enumerate(arms):
        rows = rows_all[rows_all["sub_experiment"] == arm]
        x = rows[factor].to_numpy(float) if numeric else np.arange(len(rows))
        ax.errorbar(x, rows["mean"], yerr=_yerr(rows), color=palette.get(arm, "black"),
                    linestyle=STYLES[i % len(STYLES)], marker="o", capsize=3, label=arm)
        if not numeric:
            ax.set_xticks(x, [level_label(v) for v in rows[factor]])
    ax.set_xlabel(factor)
    ax.set_ylabel(axis_label(outcome))
    ax.set_title(f"{describe(outcome)[0]} by {factor} (mean, 95% CI)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def level_label(value) -> str:
    """A factor level short enough for a tick: lists (e.g. an admission list) by their length."""
    if isinstance(value, (list, tuple)):
        return f"{len(value)} items"
    text = str(value)
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return f"{len(inner.split(',')) if inner else 0} items"
    return text if len(text) <= 18 else text[:17] + "…"


def heatmaps(summary: pd.DataFrame, factors: tuple[str, str], outcome: str, arms: list[str],
             averaged_over: list[str], path: Path) -> Path:
    """Two-factor designs: one column per arm; the top row maps the outcome's mean over the
    grid of levels, the bottom row the half-width of its 95% CI (same units), so a reader
    sees which differences between cells the replications can resolve."""
    fx, fy = factors
    rows_all = summary[summary["outcome"] == outcome]
    xs = list(dict.fromkeys(rows_all[fx]))
    ys = list(dict.fromkeys(rows_all[fy]))

    def grid_of(arm: str, value: str) -> np.ndarray:
        rows = rows_all[rows_all["sub_experiment"] == arm]
        grid = rows.pivot_table(index=fy, columns=fx, values=value, aggfunc="first", sort=False, dropna=False)
        return grid.reindex(index=ys, columns=xs).to_numpy(float)

    means = {arm: grid_of(arm, "mean") for arm in arms}
    widths = {arm: grid_of(arm, "half_width") for arm in arms}
    fig, axes = plt.subplots(2, len(arms), figsize=(4.2 * len(arms) + 1.2, 7.4), squeeze=False, layout="constrained")
    unit = describe(outcome)[1]
    for row, grids, cmap, what in ((0, means, "viridis", axis_label(outcome)),
                                   (1, widths, "Greys", "95% CI half-width" + (f" ({unit})" if unit else ""))):
        finite = np.concatenate([g[np.isfinite(g)] for g in grids.values()] or [np.array([])])
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if row == 1:
            vmin = 0.0
        if vmax <= vmin:
            vmax = vmin + 1.0
        image = None
        for ax, arm in zip(axes[row], arms):
            image = ax.imshow(grids[arm], origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
            for (iy, ix), v in np.ndenumerate(grids[arm]):
                text = f"{v:.3g}" if np.isfinite(v) else "n/a"
                if row == 0 and np.isfinite(widths[arm][iy, ix]):
                    text += f"\n±{widths[arm][iy, ix]:.2g}"
                dark = np.isfinite(v) and (v - vmin) / (vmax - vmin) > 0.5
                light_text = (row == 0 and not dark) or (row == 1 and dark)
                ax.text(ix, iy, text, ha="center", va="center", fontsize=7, color="white" if light_text else "black")
            ax.set_xticks(range(len(xs)), [level_label(v) for v in xs], fontsize=8)
            ax.set_yticks(range(len(ys)), [level_label(v) for v in ys], fontsize=8)
            ax.set_xlabel(fx, fontsize=8)
            ax.set_ylabel(fy, fontsize=8)
            ax.set_title(arm if row == 0 else f"{arm}: CI half-width", fontsize=9)
        assert image is not None  # every arm drew one
        fig.colorbar(image, ax=list(axes[row]), label=what, shrink=0.9)
    note = f"; averaged over {', '.join(averaged_over)} per replication" if averaged_over else ""
    fig.suptitle(f"{describe(outcome)[0]}: mean over replications by {fx} and {fy} (top), "
                 f"95% CI half-width (bottom){note}", fontsize=10)
    return _save(fig, path)


def scatter_inputs(points: pd.DataFrame, inputs: list[str], outcome: str, arms: list[str], path: Path,
                   palette: dict[str, tuple], replications: int | None = None) -> Path:
    """Sampling designs: the outcome (mean over replications per point) against each input,
    each point with the 95% CI of its own replications (column `half_width`) when it has one."""
    cols = min(3, len(inputs))
    nrows = math.ceil(len(inputs) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.3 * cols, 3.4 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, inputs):
        for arm in arms:
            rows = points[points["sub_experiment"] == arm]
            c = palette.get(arm, "black")
            if "half_width" in rows.columns and rows["half_width"].notna().any():
                ax.errorbar(rows[name], rows[outcome], yerr=np.nan_to_num(rows["half_width"].to_numpy(float)),
                            fmt="none", ecolor=c, alpha=0.35, linewidth=0.8)
            ax.scatter(rows[name], rows[outcome], s=10, alpha=0.7, color=c, label=arm)
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylabel(axis_label(outcome), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(inputs):]:
        ax.axis("off")
    if len(arms) > 1:
        axes.flat[0].legend(fontsize=7)
    over = f"{replications} replications" if replications else "replications"
    fig.suptitle(f"{describe(outcome)[0]} across the sampled design: mean and 95% CI over the {over} "
                 f"of each point", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)
