"""Figures of sensitivity indices: Morris mu*-sigma charts and Sobol bars with CIs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def morris_chart(table: pd.DataFrame, outcome: str, path: Path) -> Path:
    """mu* (importance) against sigma (non-linearity, interactions), one dot per parameter;
    the dashed line sigma = mu* separates mostly linear from mostly interacting effects."""
    plt = _pyplot()
    t = table[table.outcome == outcome]
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.errorbar(t.mu_star, t.sigma, xerr=t.mu_star_conf, fmt="o", ms=4, lw=0.8, capsize=2)
    for row in t.itertuples():
        ax.annotate(row.parameter.replace("levers.", ""), (row.mu_star, row.sigma), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    top = max(float(t.mu_star.max()), float(t.sigma.max()), 1e-12) * 1.05
    ax.plot([0, top], [0, top], ls="--", lw=0.7, color="grey")
    ax.set_xlabel("mu* (mean |elementary effect|), 95% CI")
    ax.set_ylabel("sigma (sd of elementary effects)")
    ax.set_title(f"Morris screening: {outcome}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def sobol_bars(table: pd.DataFrame, outcome: str, path: Path) -> Path:
    """First-order and total indices per parameter, sorted by total, with 95% bootstrap CIs."""
    plt = _pyplot()
    t = table[table.outcome == outcome].sort_values("ST", ascending=False)
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(t) + 1.5))
    y = range(len(t))
    ax.barh([i + 0.2 for i in y], t.ST, height=0.4, xerr=t.ST_conf, capsize=2, label="total (ST)")
    ax.barh([i - 0.2 for i in y], t.S1, height=0.4, xerr=t.S1_conf, capsize=2, label="first order (S1)")
    ax.set_yticks(list(y))
    ax.set_yticklabels([p.replace("levers.", "") for p in t.parameter], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("Sobol index (95% bootstrap CI)")
    ax.set_title(f"Sobol indices: {outcome}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
