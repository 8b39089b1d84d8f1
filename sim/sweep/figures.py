"""Comparison figures for print: bars with CI whiskers, paired differences, time-series bands,
factor lines and heatmaps. Each function reads a tidy table and writes one PNG.

Matplotlib with the Agg backend (no display needed). Every axis says what it measures and
in which unit; every title says what is compared; colours come with line styles or
labels so a greyscale print still reads.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .units import axis_label, describe  # noqa: E402

DPI = 150
STYLES = ["-", "--", "-.", ":", (0, (8, 2)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2, 5, 2))]


def colours(names: list[str]) -> dict[str, tuple]:
    cmap = plt.get_cmap("tab10")
    return {n: cmap(i % 10) for i, n in enumerate(names)}


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
                     title: str, ylabel: str, path: Path, palette: dict[str, tuple]) -> Path:
    """One panel per level: mean per day and arm, shaded 95% CI band over replications."""
    cols = min(2, len(levels))
    nrows = math.ceil(len(levels) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(6.2 * cols, 3.4 * nrows), squeeze=False)
    for ax, level in zip(axes.flat, levels):
        for i, arm in enumerate(arms):
            rows = bands[(bands["level"] == level) & (bands["sub_experiment"] == arm)]
            if rows.empty:
                continue
            c = palette.get(arm, "black")
            ax.plot(rows["day"], rows["mean"], color=c, linestyle=STYLES[i % len(STYLES)], linewidth=1.3, label=arm)
            ax.fill_between(rows["day"], rows["ci_low"], rows["ci_high"], color=c, alpha=0.2, linewidth=0)
        if warmup:
            ax.axvspan(0, warmup, color="0.85", alpha=0.5, linewidth=0)
            ax.text(warmup, ax.get_ylim()[1], " end of warm-up", fontsize=7, va="top", color="0.35")
        ax.set_title(level.replace("_", " "), fontsize=10)
        ax.set_xlabel("working day")
        ax.set_ylabel(ylabel, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(levels):]:
        ax.axis("off")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.suptitle(title, fontsize=11)
    _legend(fig, axes, handles, names, min(3, len(arms)))
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


def heatmaps(summary: pd.DataFrame, factors: tuple[str, str], outcome: str, arms: list[str], path: Path) -> Path:
    """Two-factor designs: the outcome's mean over the grid of levels, one panel per arm."""
    fx, fy = factors
    rows_all = summary[summary["outcome"] == outcome]
    xs = list(dict.fromkeys(rows_all[fx]))
    ys = list(dict.fromkeys(rows_all[fy]))
    grids = {}
    for arm in arms:
        rows = rows_all[rows_all["sub_experiment"] == arm]
        grid = rows.pivot_table(index=fy, columns=fx, values="mean", aggfunc="first", sort=False)
        grids[arm] = grid.reindex(index=ys, columns=xs).to_numpy(float)
    finite = np.concatenate([g[np.isfinite(g)] for g in grids.values()] or [np.array([0.0])])
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    fig, axes = plt.subplots(1, len(arms), figsize=(4.2 * len(arms) + 1, 3.8), squeeze=False)
    for ax, arm in zip(axes.flat, arms):
        image = ax.imshow(grids[arm], origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
        for (iy, ix), v in np.ndenumerate(grids[arm]):
            if np.isfinite(v):
                ax.text(ix, iy, f"{v:.3g}", ha="center", va="center", fontsize=7,
                        color="white" if v < (vmin + vmax) / 2 else "black")
        ax.set_xticks(range(len(xs)), [level_label(v) for v in xs], fontsize=8)
        ax.set_yticks(range(len(ys)), [level_label(v) for v in ys], fontsize=8)
        ax.set_xlabel(fx)
        ax.set_ylabel(fy)
        ax.set_title(arm, fontsize=9)
    fig.colorbar(image, ax=list(axes.flat), label=axis_label(outcome), shrink=0.9)
    fig.suptitle(f"{describe(outcome)[0]}\nmean over replications by {fx} and {fy}", fontsize=10, y=1.04)
    return _save(fig, path)


def scatter_inputs(points: pd.DataFrame, inputs: list[str], outcome: str, arms: list[str], path: Path,
                   palette: dict[str, tuple]) -> Path:
    """Sampling designs: the outcome (mean over replications per point) against each input."""
    cols = min(3, len(inputs))
    nrows = math.ceil(len(inputs) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.3 * cols, 3.4 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, inputs):
        for arm in arms:
            rows = points[points["sub_experiment"] == arm]
            ax.scatter(rows[name], rows[outcome], s=10, alpha=0.7, color=palette.get(arm, "black"), label=arm)
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylabel(axis_label(outcome), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(inputs):]:
        ax.axis("off")
    if len(arms) > 1:
        axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{describe(outcome)[0]} across the sampled design (mean over replications per point)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)
