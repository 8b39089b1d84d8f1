"""Sensitivity of a *difference* between two arms: what drives a regime's advantage?

The indices of one arm's outcome say what moves that outcome; a policy question asks what
moves the gap between two regimes. Both arms run at the same design points on the same
replication seeds (common random numbers: with one replication the seed is fixed per
point), so their paired difference at each (point, replication) is the arm's advantage in
that world, with the seed's noise largely cancelled. It is analysed as one more
"sub-experiment" named `<arm>-minus-<baseline>`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError, Problem


def parse_pairs(texts: list[str] | None, arms: list[str], source: str = "--difference") -> list[tuple[str, str]]:
    """`ARM:BASELINE` strings as pairs of arm names, each checked against the experiment."""
    pairs, problems = [], []
    for text in texts or []:
        arm, sep, base = text.partition(":")
        if not sep or arm not in arms or base not in arms or arm == base:
            problems.append(Problem(source, "", f"expected ARM:BASELINE, two different arms of the "
                                    f"experiment (have: {', '.join(arms)})", text))
            continue
        pairs.append((arm, base))
    if problems:
        raise InputError(problems)
    return pairs


def paired_difference(runs: pd.DataFrame, arm: str, baseline: str, outcomes: list[str]) -> pd.DataFrame:
    """Rows of `arm` minus the rows of `baseline` at the same point and replication."""
    keys = ["point", "replication"]
    a = runs[runs.sub_experiment == arm].set_index(keys)[outcomes]
    b = runs[runs.sub_experiment == baseline].set_index(keys)[outcomes]
    if set(a.index) != set(b.index):
        raise ValueError(f"{arm} and {baseline} were not run at the same points and replications")
    diff = (a - b.reindex(a.index)).reset_index()
    diff.insert(0, "sub_experiment", f"{arm}-minus-{baseline}")
    return diff


def with_differences(stage, pairs: list[tuple[str, str]]):
    """The stage with one extra pseudo-arm per pair: the paired difference of its outcomes."""
    if not pairs:
        return stage
    outcomes = stage.experiment.outcomes
    extra = [paired_difference(stage.runs, arm, base, outcomes) for arm, base in pairs]
    return dataclasses.replace(stage, runs=pd.concat([stage.runs, *extra], ignore_index=True))


def ci_widths(out: Path) -> str:
    """A report section: how wide the confidence intervals are, so a reader knows which
    rankings of parameters the sample can support."""
    lines = ["", "## Confidence interval widths (95%)", ""]
    morris_file, sobol_file = out / "morris_indices.csv", out / "sobol_indices.csv"
    if morris_file.exists():
        m = pd.read_csv(morris_file)
        rel = (2 * m.mu_star_conf / m.groupby(["sub_experiment", "outcome"]).mu_star.transform("max")
               .replace(0, np.nan))
        lines.append("Morris: full width of mu*'s bootstrap interval, as a share of the outcome's "
                     "largest mu* (median, max):")
        for (arm, outcome), r in rel.groupby([m.sub_experiment, m.outcome]):
            lines.append(f"- {arm} / {outcome}: {r.median():.2f}, {r.max():.2f}")
        lines.append("")
    if sobol_file.exists():
        s = pd.read_csv(sobol_file)
        lines.append("Sobol: full width of the total index's bootstrap interval (median, max), "
                     "and how many parameters' ST intervals exclude 0:")
        for (arm, outcome), t in s.groupby(["sub_experiment", "outcome"]):
            w = 2 * t.ST_conf
            clear = int((t.ST - t.ST_conf > 0).sum())
            lines.append(f"- {arm} / {outcome}: {w.median():.2f}, {w.max():.2f}; {clear} of {len(t)} clear of 0")
    text = "\n".join(lines) + "\n"
    report = out / "report.md"
    if report.exists():
        report.write_text(report.read_text(encoding="utf-8") + text, encoding="utf-8")
    return text
