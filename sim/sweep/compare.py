"""`tiaokuai compare DIR`: tables and figures comparing a sweep's sub-experiments.

Reads the stored rows (never a live model) and writes into DIR/figures/:
    summary.csv / summary.md          mean and 95% t CI of each outcome per group
    differences.csv / differences.md  paired differences against the baseline, with CIs
    outcomes.png, bar-<outcome>.png   bar charts with CI whiskers
    differences.png                   forest plot of the paired differences
    timeseries-backlog.png            backlog per office and level by day, CI bands
    heatmap-<outcome>.png             two-factor designs; factor-<outcome>.png for one factor
    scatter-<outcome>.png             sampling designs
    report.md                         all of the above on one page

The unit of replication is the run (one seed) for plain and factorial experiments; for
sampling designs it is the design point (its runs averaged first).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd

from sim.errors import InputError, Problem

from .stats import band, paired_differences, summarise
from .store import ResultStore
from .units import describe

LEVEL_ORDER = ["department", "street", "station", "committee", "social_organisation"]


@dataclass
class Comparison:
    summary: pd.DataFrame
    differences: pd.DataFrame | None
    files: list[Path] = field(default_factory=list)


def fmt(x: float, signed: bool = False, decimals: int | None = None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    sign = "+" if signed else ""
    if decimals is None:
        return f"{x:{sign}.4g}"
    return f"{x:{sign},.{decimals}f}"


def cell(mean: float, half: float, signed: bool = False) -> str:
    """`mean ± half-width`, the mean shown to the precision its interval supports."""
    if math.isnan(half):
        return fmt(mean, signed)
    if half == 0 or math.isnan(mean):
        return f"{fmt(mean, signed)} ± 0"
    decimals = min(8, max(0, 1 - math.floor(math.log10(half))))
    return f"{fmt(mean, signed, decimals)} ± {fmt(half, False, decimals)}"


def markdown(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def load(directory: str | Path, outcomes: list[str] | None, baseline: str | None):
    store = ResultStore(directory)
    manifest = store.manifest()
    runs = store.read_runs()
    if runs.empty:
        raise InputError([Problem(str(directory), "", "no runs stored yet; run the sweep first", None)])
    outcomes = outcomes or list(manifest["outcomes"])
    missing = [o for o in outcomes if o not in runs.columns]
    if missing:
        raise InputError([Problem(str(directory), "outcomes", "not a stored outcome", o) for o in missing])
    arms = [a for a in manifest["sub_experiments"] if a in set(runs["sub_experiment"])]
    if baseline is not None and baseline not in arms:
        raise InputError([Problem(str(directory), "--baseline", f"not a sub-experiment with runs (have: {', '.join(arms)})", baseline)])
    if baseline is None and manifest.get("baseline") in arms:
        baseline = manifest["baseline"]  # (a partial sweep may not have reached it yet)
    return store, manifest, runs, outcomes, arms, baseline


def compare(
    directory: str | Path,
    baseline: str | None = None,
    outcomes: list[str] | None = None,
    plots: bool = True,
    stream: TextIO | None = None,
) -> Comparison:
    stream = stream or sys.stdout
    store, manifest, runs, outcomes, arms, baseline = load(directory, outcomes, baseline)
    figures = Path(directory) / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    design = manifest.get("design")
    varied = list(manifest.get("varied") or [])
    sampled = design in ("latin_hypercube", "sobol", "morris")
    factors = varied if design == "factorial" else []
    order = {a: i for i, a in enumerate(arms)}

    if sampled:  # the design point is the unit: average its replications first
        units = runs.groupby(["sub_experiment", "point"], sort=False)[outcomes].mean().reset_index()
        by, pair_on = ["sub_experiment"], ["point"]
    else:
        units = runs
        by, pair_on = ["sub_experiment"] + factors, ["replication"]
    summary = summarise(units, by, outcomes)
    summary = summary.sort_values("sub_experiment", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    diffs = None
    if baseline is not None and len(arms) > 1:
        diffs = paired_differences(units, baseline, outcomes, by=factors, pair_on=pair_on)
        diffs = diffs.sort_values("sub_experiment", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)

    result = Comparison(summary, diffs)
    n_runs, total = len(runs), manifest.get("total_runs", len(runs))
    unit = "design points" if sampled else "replications"
    head = (f"{manifest['name']}: {n_runs} of {total} runs"
            + ("" if n_runs == total else " (PARTIAL: the sweep has not finished)")
            + f"; mean ± half-width of the 95% t confidence interval over {unit}")
    summary_md = summary_table(summary, arms, factors, outcomes)
    text = [f"# {manifest['name']}", "", manifest.get("description", ""), "", head, "", summary_md]
    result.files += _write_table(summary, figures / "summary.csv", summary_md, figures / "summary.md", head)
    print(head + "\n\n" + summary_md + "\n", file=stream)
    if diffs is not None and not diffs.empty:
        diff_md = differences_table(diffs, arms, baseline, factors, outcomes)
        dhead = (f"Paired differences from {baseline}: arm − baseline on the same seeds, "
                 f"mean ± 95% CI half-width (relative change)")
        result.files += _write_table(diffs, figures / "differences.csv", diff_md, figures / "differences.md", dhead)
        print(dhead + "\n\n" + diff_md + "\n", file=stream)
        text += ["", "## " + dhead, "", diff_md]
    if plots:
        made = all_figures(store, manifest, runs, units, summary, diffs, outcomes, arms,
                                    baseline, factors, sampled, figures)
        result.files += made
        text += ["", "## Figures", ""] + [f"![{p.stem}]({p.name})" for p in made]
    report = figures / "report.md"
    report.write_text("\n".join(text) + "\n", encoding="utf-8")
    result.files.append(report)
    print(f"wrote {len(result.files)} files to {figures}/", file=stream)
    return result


def summary_table(summary: pd.DataFrame, arms: list[str], factors: list[str], outcomes: list[str]) -> str:
    """Outcomes down, arms across when nothing else varies; groups down otherwise."""
    summary = summary.assign(cell=[cell(m, h) for m, h in zip(summary["mean"], summary["half_width"])])
    if not factors:
        rows = []
        for outcome in outcomes:
            label, unit = describe(outcome)
            sel = summary[summary["outcome"] == outcome].set_index("sub_experiment")
            rows.append({"outcome": f"{outcome} ({unit})" if unit else outcome,
                         **{a: sel.at[a, "cell"] if a in sel.index else "–" for a in arms}})
        return markdown(pd.DataFrame(rows))
    wide = summary.pivot_table(index=["sub_experiment"] + factors, columns="outcome", values="cell",
                               aggfunc="first", sort=False).reset_index()
    return markdown(wide[["sub_experiment"] + factors + [o for o in outcomes if o in wide.columns]])


def differences_table(diffs: pd.DataFrame, arms: list[str], baseline: str, factors: list[str],
                      outcomes: list[str]) -> str:
    def one(r) -> str:
        rel = "" if math.isnan(r.relative_change) else f" ({r.relative_change:+.1%})"
        return cell(r.mean_difference, r.half_width, signed=True) + rel

    diffs = diffs.assign(cell=[one(r) for r in diffs.itertuples()])
    others = [a for a in arms if a != baseline]
    if not factors:
        rows = []
        for outcome in outcomes:
            sel = diffs[diffs["outcome"] == outcome].set_index("sub_experiment")
            rows.append({"outcome": outcome, **{a: sel.at[a, "cell"] if a in sel.index else "–" for a in others}})
        return markdown(pd.DataFrame(rows))
    wide = diffs.pivot_table(index=["sub_experiment"] + factors, columns="outcome", values="cell",
                             aggfunc="first", sort=False).reset_index()
    return markdown(wide[["sub_experiment"] + factors + [o for o in outcomes if o in wide.columns]])


def _write_table(frame: pd.DataFrame, csv: Path, md_text: str, md: Path, title: str) -> list[Path]:
    frame.to_csv(csv, index=False)
    md.write_text(f"{title}\n\n{md_text}\n", encoding="utf-8")
    return [csv, md]


def backlog_bands(store: ResultStore, sampled_or_factorial: bool) -> pd.DataFrame | None:
    """Per arm, level and day: backlog per office, mean and 95% CI over runs."""
    cols = ["sub_experiment", "point", "replication", "day", "level", "backlog_hours", "offices"]
    ts = store.read_timeseries(columns=cols)
    if ts is None or ts.empty:
        return None
    offices = ts["offices"].astype(float).where(ts["offices"] > 0)
    ts = ts.assign(backlog_per_office=ts["backlog_hours"] / offices)
    return band(ts, ["sub_experiment", "level", "day"], "backlog_per_office")


def all_figures(store, manifest, runs, units, summary, diffs, outcomes, arms, baseline,
                factors, sampled, figures: Path) -> list[Path]:
    """Every figure the design calls for; returns the files written."""
    from . import figures as fig

    palette = fig.colours(arms)
    made: list[Path] = []
    n_rep = manifest.get("replications")
    what = "design points" if sampled else f"{n_rep} replications"
    if not factors:
        made.append(fig.overview(summary, outcomes, arms, "sub_experiment",
                                 f"{manifest['name']}: outcomes by sub-experiment (mean, 95% CI over {what})",
                                 figures / "outcomes.png", palette))
        for outcome in outcomes:
            rows = summary[summary["outcome"] == outcome].set_index("sub_experiment").reindex(arms)
            made.append(fig.bar_chart(rows, outcome, arms,
                                      f"{describe(outcome)[0]} by sub-experiment (mean, 95% CI over {what})",
                                      figures / f"bar-{outcome}.png", palette))
    elif len(factors) == 1:
        for outcome in outcomes:
            made.append(fig.factor_lines(summary, factors[0], outcome, arms, figures / f"factor-{outcome}.png", palette))
    else:
        pair = (factors[0], factors[1])
        for outcome in outcomes:
            rows = summary
            if len(factors) > 2:  # average over the remaining factors' levels for the map
                rows = summary.groupby(["sub_experiment", *pair, "outcome"], sort=False)["mean"].mean().reset_index()
            made.append(fig.heatmaps(rows, pair, outcome, arms, figures / f"heatmap-{outcome}.png"))
    if diffs is not None and not diffs.empty and not factors:
        others = [a for a in arms if a != baseline]
        made.append(fig.differences_chart(diffs, outcomes, others, baseline, figures / "differences.png", palette))
    if sampled:
        inputs = [c for c in manifest.get("varied", []) if c in runs.columns]
        points = units.merge(runs.drop_duplicates(["sub_experiment", "point"])[["sub_experiment", "point", *inputs]],
                             on=["sub_experiment", "point"])
        for outcome in outcomes:
            made.append(fig.scatter_inputs(points, inputs, outcome, arms, figures / f"scatter-{outcome}.png", palette))
    bands = backlog_bands(store, bool(factors) or sampled)
    if bands is not None and (bands["mean"].abs() > 0).any():
        present = set(bands[bands["mean"].abs() > 0]["level"])
        levels = [lv for lv in LEVEL_ORDER if lv in present] + sorted(present - set(LEVEL_ORDER))
        warmup = int(runs["warmup_days"].iloc[0]) if "warmup_days" in runs.columns else None
        pooled = " pooled over design points," if (factors or sampled) else ""
        made.append(fig.timeseries_bands(
            bands, levels, arms, warmup,
            f"Backlog per office by level and sub-experiment:{pooled} mean and 95% CI band over runs",
            "backlog per office (staff-hours)", figures / "timeseries-backlog.png", palette))
    return made
