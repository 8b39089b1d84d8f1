"""What a calibration writes: Parquet tables, plots, the calibrated scenario and a report.

Files in the output folder:
- `posterior.parquet`: the last generation's particles (parameters, weight, distance,
  each pattern's statistic);
- `marginals.png`, `pairwise.png`: the weighted posterior against the prior ranges;
- `predictive.parquet` and `predictive.md`: the posterior-predictive check per pattern,
  calibration and held-out patterns in separate tables;
- `calibrated-scenario.yaml`: the base scenario with each calibrated value set to its
  posterior median, the median and 90% interval in a comment;
- `propagation.parquet` and `propagation.md`: the headline comparison over posterior draws;
- `calibration.md`: the summary (command, budget, generations, parameters).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .checks import weighted_quantile
from .spec import CalibrationSpec


def parameter_summary(posterior: pd.DataFrame, spec: CalibrationSpec, defaults: Mapping[str, float]) -> pd.DataFrame:
    w = posterior["weight"].to_numpy(dtype=float)
    rows = []
    for path, par in spec.parameters.items():
        v = posterior[path].to_numpy(dtype=float)
        q05, q50, q95 = weighted_quantile(v, w, [0.05, 0.5, 0.95])
        width = par.prior.high - par.prior.low
        rows.append({
            "parameter": path, "prior": f"{par.prior.distribution}[{par.prior.low:g}, {par.prior.high:g}]",
            "default": defaults.get(path, np.nan), "median": q50, "q05": q05, "q95": q95,
            "interval_share_of_prior": (q95 - q05) / width,
        })
    return pd.DataFrame(rows)


def plot_marginals(posterior: pd.DataFrame, spec: CalibrationSpec, defaults: Mapping[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(spec.parameters)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 2.8), squeeze=False)
    w = posterior["weight"].to_numpy(dtype=float)
    for ax, name in zip(axes[0], names):
        prior = spec.parameters[name].prior
        v = posterior[name].to_numpy(dtype=float)
        ax.hist(v, bins=12, range=(prior.low, prior.high), weights=w, density=True, color="#4c72b0", alpha=0.8)
        ax.axhline(1.0 / (prior.high - prior.low), color="grey", ls=":", label="prior")
        q05, q50, q95 = weighted_quantile(v, w, [0.05, 0.5, 0.95])
        ax.axvline(q50, color="black", label="median")
        ax.axvspan(q05, q95, color="#4c72b0", alpha=0.12, label="90%")
        if name in defaults:
            ax.axvline(defaults[name], color="#dd8452", ls="--", label="shipped value")
        ax.set_xlim(prior.low, prior.high)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=6)
    fig.suptitle("Posterior marginals (weighted; prior range on the x axis)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_pairwise(posterior: pd.DataFrame, spec: CalibrationSpec, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(spec.parameters)
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n, 2.2 * n), squeeze=False)
    w = posterior["weight"].to_numpy(dtype=float)
    size = 8 + 120 * w / w.max()
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i][j]
            px, py = spec.parameters[xj].prior, spec.parameters[yi].prior
            if i == j:
                ax.hist(posterior[xj], bins=12, range=(px.low, px.high), weights=w, color="#4c72b0")
            else:
                ax.scatter(posterior[xj], posterior[yi], s=size, alpha=0.5, color="#4c72b0")
                ax.set_ylim(py.low, py.high)
            ax.set_xlim(px.low, px.high)
            ax.tick_params(labelsize=6)
            if i == n - 1:
                ax.set_xlabel(xj.split(".")[-1], fontsize=7)
            if j == 0:
                ax.set_ylabel(yi.split(".")[-1], fontsize=7)
    fig.suptitle("Posterior, pairwise (point size = weight)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def calibrated_scenario_text(
    spec: CalibrationSpec, spec_path: str | Path, out_dir: Path, summary: pd.DataFrame, budget_name: str
) -> str:
    """YAML that extends the base scenario and sets each calibrated value to its median."""
    base = (Path(spec_path).parent / spec.base).resolve()
    rel = os.path.relpath(base, out_dir.resolve())
    lines = [
        f"# Calibrated by `tiaokuai calibrate {spec_path} --budget {budget_name}` (ABC-SMC against",
        f"# {spec.patterns}). Each value is the posterior median; the comment gives the median",
        "# and the 90% interval (5%-95% weighted quantiles) and the shipped assumption.",
        f"extends: {rel}",
        f"name: {Path(str(spec.base)).stem}-calibrated",
        "description: >-",
        f"  The {Path(str(spec.base)).stem} scenario with its calibrated assumption parameters set to",
        "  their posterior medians.",
    ]
    tree: dict = {}
    for _, row in summary.iterrows():
        par = spec.parameters[row["parameter"]]
        value = round(row["median"]) if par.integer else float(f"{row['median']:.4g}")
        comment = (f"posterior median {row['median']:.3g}, 90% interval [{row['q05']:.3g}, {row['q95']:.3g}]; "
                   f"prior {row['prior']}; shipped {row['default']:g}")
        node = tree
        parts = row["parameter"].split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = (value, comment)

    def emit(node: dict, indent: int) -> None:
        for key, val in node.items():
            if isinstance(val, dict):
                lines.append(" " * indent + f"{key}:")
                emit(val, indent + 2)
            else:
                value, comment = val
                lines.append(" " * indent + f"{key}: {value}    # {comment}")

    emit(tree, 0)
    return "\n".join(lines) + "\n"


def _fmt(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            return "–"
        return f"{x:.3g}"
    return str(x)


def markdown_table(df: pd.DataFrame, columns: Sequence[str]) -> str:
    head = "| " + " | ".join(columns) + " |"
    sep = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_fmt(row[c]) for c in columns) + " |" for _, row in df.iterrows()]
    return "\n".join([head, sep, *body])


def patterns_markdown(patterns) -> str:
    """The pattern file as a table: id, source, scenarios, outcome, target, evidence, weight, held out."""
    from .patterns import describe_target

    rows = []
    for p in patterns:
        ref = p.source.ref.replace("_", " ").split(" ")[0] if p.source.ref[:3].isdigit() else p.source.ref
        rows.append({
            "id": p.id, "held out": p.held_out, "source": ref[:60], "scenarios": ", ".join(p.scenarios),
            "outcome": (p.outcome + (f" / {p.divide_by}" if p.divide_by else "")) or " → ".join(p.outcomes)
            or f"{p.target.level}.{p.target.column} (per day)",
            "target": describe_target(p), "evidence": p.evidence, "weight": p.weight,
        })
    return markdown_table(pd.DataFrame(rows), ["id", "held out", "source", "scenarios", "outcome", "target",
                                               "evidence", "weight"])


PRED_COLUMNS = ["pattern", "evidence", "weight", "target", "statistic_median", "statistic_q05",
                "statistic_q95", "hit_share", "misfit_median", "verdict", "default_hit_share", "prior_hit_share"]


def predictive_markdown(table: pd.DataFrame, draws: int, replications: int) -> str:
    parts = [
        "# Posterior-predictive check",
        "",
        f"{draws} posterior draws x {replications} replication(s) per scenario; the same seeds at the",
        "shipped (uncalibrated) values give `default_hit_share`; `prior_hit_share` is the share of",
        "ABC's first generation (prior draws) that hit a calibration pattern: near 1, the pattern",
        "cannot constrain the parameters. A pattern is met when at least half the draws hit its",
        "target; `misfit` is in units of the pattern's tolerance (0 = hit).",
        "",
    ]
    for label, held in (("Calibration patterns (used by ABC)", False), ("Held-out patterns (never used by ABC)", True)):
        sub = table[table["held_out"] == held]
        met = int((sub["verdict"] == "met").sum())
        parts += [f"## {label}: {met} of {len(sub)} met", "", markdown_table(sub, PRED_COLUMNS), ""]
    return "\n".join(parts)


def propagation_markdown(table: pd.DataFrame, draws: int, replications: int, days: int, note: str) -> str:
    cols = ["arm", "outcome", "baseline_mean", "difference_mean", "q025", "q975", "parameter_variance_share", "n"]
    return "\n".join([
        "# The headline comparison over the posterior",
        "",
        f"{draws} posterior draws x {replications} seeds per arm, {days} days ({note}). Differences are",
        "paired (same draw, same seed) against the baseline arm; the interval is the 2.5-97.5%",
        "range over draws and seeds, so it holds parameter uncertainty and seed noise;",
        "`parameter_variance_share` is the share of the differences' variance that lies between draws.",
        "",
        markdown_table(table, cols),
        "",
    ])
