"""Analyse the stages' stored runs and write the tables, figures and a short report."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from .analysis import morris_indices, point_means, sobol_indices, top_levers
from .plots import morris_chart, sobol_bars
from .stages import StageResult


def analyse_and_write(stages: dict[str, StageResult], out: Path, bootstrap: int = 1000) -> str:
    """Indices per sub-experiment (usually one), written to OUT; returns the report text."""
    out.mkdir(parents=True, exist_ok=True)
    figures = out / "figures"
    figures.mkdir(exist_ok=True)
    lines = ["# Sensitivity analysis", ""]
    collected: dict[str, list[pd.DataFrame]] = {"morris": [], "sobol": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for method, stage in stages.items():
            exp = stage.experiment
            assert exp.design is not None  # a sensitivity stage is a sampling design
            for arm, runs in stage.runs.groupby("sub_experiment", sort=True):
                means = point_means(runs, exp.outcomes, stage.x.shape[0])
                prefix = "" if len(exp.arm_names) == 1 else f"{arm}_"
                if method == "morris":
                    table = morris_indices(stage.problem, stage.x, means, exp.design.levels, exp.master_seed)
                    for outcome in table.outcome.unique():
                        morris_chart(table, outcome, figures / f"{prefix}morris_{outcome}.png")
                else:
                    table = sobol_indices(stage.problem, means, bootstrap, exp.master_seed)
                    for outcome in table.outcome.unique():
                        sobol_bars(table, outcome, figures / f"{prefix}sobol_{outcome}.png")
                table.insert(0, "sub_experiment", arm)
                collected[method].append(table)
            unit = "trajectories" if method == "morris" else "base samples"
            warmup = exp.warmup_days if exp.warmup_days is not None else "scenario"
            lines.append(f"- {method}: {exp.design.samples} {unit}, "
                         f"{exp.point_count} points x {exp.replications} replications, "
                         f"{exp.days or 'scenario'} days (warm-up {warmup})")
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    if caught:
        lines += ["", "## Warnings", ""] + [f"- {w.message}" for w in caught]
    if collected["morris"]:
        morris = pd.concat(collected["morris"], ignore_index=True)
        morris.to_csv(out / "morris_indices.csv", index=False)
        lines += ["", "## Morris screening: top 5 by mu* per outcome", ""] + morris_top_lines(morris)
    if collected["sobol"]:
        sobol = pd.concat(collected["sobol"], ignore_index=True)
        sobol.to_csv(out / "sobol_indices.csv", index=False)
        top = pd.concat([top_levers(t) for _, t in sobol.groupby("sub_experiment")] or [top_levers(sobol)],
                        ignore_index=True)  # no group when every outcome was constant
        top.to_csv(out / "sobol_top5.csv", index=False)
        lines += ["", "## Sobol: top 5 by total index per outcome (95% bootstrap CI)", ""]
        for (arm, outcome), t in top.groupby(["sub_experiment", "outcome"], sort=False):
            lines.append(f"- {arm} / {outcome}: " + ", ".join(
                f"{p} (ST {st:.2f} ± {c:.2f})" for p, st, c in zip(t.parameter, t.ST, t.ST_conf)))
    text = "\n".join(lines) + "\n"
    (out / "report.md").write_text(text, encoding="utf-8")
    return text


def morris_top_lines(morris: pd.DataFrame, k: int = 5) -> list[str]:
    """One report line per (sub-experiment, outcome): its own arm's k parameters with the largest mu*."""
    lines = []
    for (arm, outcome), t in morris.groupby(["sub_experiment", "outcome"]):
        top = t.sort_values("mu_star", ascending=False).head(k)
        lines.append(f"- {arm} / {outcome}: " + ", ".join(
            f"{p} ({m:.3g})" for p, m in zip(top.parameter, top.mu_star)))
    return lines
