"""Figures of a robustness study: win probabilities, regret, PRIM boxes, responses.

Each function reads plain tables (never a live model) and writes one PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .discover import Box


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def win_matrix_chart(matrix: pd.DataFrame, outcome: str, path: Path) -> Path:
    """P(row regime beats column regime) across worlds, as a heat map with the numbers."""
    plt = _pyplot()
    n = len(matrix)
    fig, ax = plt.subplots(figsize=(1.0 * n + 3, 0.7 * n + 2))
    im = ax.imshow(matrix.to_numpy(dtype=float), vmin=0, vmax=1, cmap="RdBu")
    for i in range(n):
        for j in range(n):
            v = matrix.iat[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if abs(v - 0.5) > 0.3 else "black")
    ax.set_xticks(range(n))
    ax.set_xticklabels(matrix.columns, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(n))
    ax.set_yticklabels(matrix.index, fontsize=8)
    ax.set_xlabel("... beats this regime")
    ax.set_ylabel("share of worlds where this regime ...")
    ax.set_title(f"Win probability: {outcome}", fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8)
    return _save(fig, path)


def regret_chart(regret: pd.DataFrame, outcome: str, path: Path) -> Path:
    """The distribution over worlds of each regime's regret (0 = best in that world)."""
    plt = _pyplot()
    order = regret.mean().sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.6))
    data = [regret[p].to_numpy() for p in order]
    ax.boxplot(data, vert=False, whis=(5, 95), showfliers=False)
    rng = np.random.default_rng(0)
    for i, values in enumerate(data, start=1):
        ax.scatter(values, i + rng.uniform(-0.15, 0.15, len(values)), s=6, alpha=0.5, color="tab:blue")
        ax.scatter([values.mean()], [i], marker="D", color="tab:red", s=18, zorder=3)
    ax.set_yticks(range(1, len(order) + 1))
    ax.set_yticklabels(order, fontsize=8)
    everything = np.concatenate(data)
    typical = float(np.quantile(everything, 0.75))
    if everything.max() > 20 * max(typical, 1e-12):  # a few collapsed worlds would hide the rest
        ax.set_xscale("symlog", linthresh=max(typical, 1e-9))
    ax.set_xlabel(f"regret ({outcome} units); box 25-75%, whiskers 5-95%, red: mean", fontsize=8)
    ax.set_title(f"Regret against the best regime in each world: {outcome}", fontsize=10)
    return _save(fig, path)


def prim_chart(box: Box, labels: dict[str, str], path: Path) -> Path:
    """Left: PRIM's peeling trade-off (coverage vs density, colour = restricted dimensions),
    the chosen step ringed. Right: the chosen box's limits on each restricted uncertainty,
    drawn on its full range scaled to 0-1."""
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, max(3.5, 0.4 * len(box.limits) + 2)),
                               gridspec_kw={"width_ratios": [1, 1.3]})
    t = box.trajectory
    sc = a.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    a.scatter([box.coverage], [box.density], s=120, facecolors="none", edgecolors="red", lw=1.5)
    a.set_xlabel("coverage")
    a.set_ylabel("density")
    a.set_xlim(0, 1.02)
    a.set_ylim(0, 1.02)
    fig.colorbar(sc, ax=a, label="restricted dimensions")
    a.set_title("peeling trajectory", fontsize=9)
    lims = box.limits
    for i, row in enumerate(lims.itertuples()):
        span = row.full_high - row.full_low or 1.0
        lo, hi = (row.low - row.full_low) / span, (row.high - row.full_low) / span
        b.plot([0, 1], [i, i], color="lightgrey", lw=6, solid_capstyle="butt")
        b.plot([lo, hi], [i, i], color="tab:red", lw=6, solid_capstyle="butt")
        b.text(lo, i + 0.3, f"{row.low:.3g}", fontsize=7, ha="center")
        b.text(hi, i + 0.3, f"{row.high:.3g}", fontsize=7, ha="center")
    b.set_yticks(range(len(lims)))
    b.set_yticklabels([labels.get(u, u) for u in lims["uncertainty"]], fontsize=7)
    b.set_ylim(-0.7, max(len(lims), 1) - 0.3)
    b.set_xlim(-0.05, 1.05)
    b.set_xlabel("position in the uncertainty's range (grey: full range, red: the box)")
    b.set_title(f"box: coverage {box.coverage:.2f}, density {box.density:.2f}", fontsize=9)
    fig.suptitle(box.question, fontsize=10)
    return _save(fig, path)


def response_chart(x: pd.DataFrame, adv: pd.Series, top: list[str], labels: dict[str, str],
                   regime: str, outcome: str, path: Path) -> Path:
    """A regime's advantage over the baseline against its two most important uncertainties:
    one scatter each, and the two together with the advantage as colour."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, u in zip(axes[:2], top):
        ax.scatter(x[u], adv, s=10, alpha=0.7)
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(labels.get(u, u), fontsize=8)
        ax.set_ylabel(f"advantage on {outcome}", fontsize=8)
    if len(top) >= 2:
        lim = float(np.nanquantile(np.abs(adv), 0.9)) or float(np.nanmax(np.abs(adv))) or 1.0
        sc = axes[2].scatter(x[top[0]], x[top[1]], c=adv, cmap="RdBu", vmin=-lim, vmax=lim, s=18)
        axes[2].set_xlabel(labels.get(top[0], top[0]), fontsize=8)
        axes[2].set_ylabel(labels.get(top[1], top[1]), fontsize=8)
        fig.colorbar(sc, ax=axes[2], label="advantage (blue: better; colour capped at the 90th pct)",
                     extend="both")
    fig.suptitle(f"{regime}: advantage over the baseline on {outcome} (score units, > 0 = better)",
                 fontsize=10)
    return _save(fig, path)
