"""`tiaokuai compare DIR`: tables and figures comparing a sweep's sub-experiments.

Reads the stored rows (never a live model) and writes into DIR/figures/:
    summary.csv / summary.md          mean and 95% t CI of each outcome per group
    differences.csv / differences.md  paired differences against the baseline, with CIs
    outcomes.png, bar-<outcome>.png   bar charts with CI whiskers (not for sampling designs
                                      with one arm: a mean over design points is no result)
    differences.png                   forest plot of the paired differences
    timeseries-backlog.png            backlog per office and level by day, CI bands over the
                                      replications of each design point (never pooled across points)
    response-<outcome>.png            arms x one numeric factor: the outcome against the factor, one
                                      line per arm with its 95% band, and the paired difference
    factor-<outcome>.png              one factor with non-numeric levels
    heatmap-<outcome>.png             two or more factors: means and their CI half-widths
    scatter-<outcome>.png             sampling designs, each point with its CI over replications
    report.md                         all of the above on one page
    runs.csv, timeseries.csv          with `csv=True` (`compare --csv`): the stored rows as CSV

The unit of replication is the run (one seed) for plain and factorial experiments; for
sampling designs it is the design point (its runs averaged first). When the rows carry
`regime_cost_yuan_per_day`, paired differences are also given per 10,000 yuan a day of the
arm's extra cost (stats.per_cost).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from sim.errors import InputError, Problem

from .stats import COST, band, paired_differences, summarise, t_interval
from .store import RUN_COLUMNS, ResultStore, _check_hint
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
        return f"{x:{sign},.0f}" if abs(x) >= 1e4 else f"{x:{sign}.4g}"
    return f"{x:{sign},.{decimals}f}"


def cell(mean: float, half: float, signed: bool = False) -> str:
    """`mean ± half-width`, the mean shown to the precision its interval supports
    (an interval narrower than rounding error, 1e-9 of the mean, counts as zero width)."""
    if math.isnan(half):
        return fmt(mean, signed)
    if not math.isnan(mean) and half <= 1e-9 * abs(mean):
        half = 0.0
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
    lacking = [c for c in RUN_COLUMNS if c not in runs.columns]
    if lacking:
        raise InputError([Problem(str(store.runs_dir), "", f"stored runs lack the column(s) {', '.join(lacking)} "
                                  "every sweep writes: parts not written by a sweep, or damaged; "
                                  + _check_hint(store.dir), None)])
    store.check_belongs(manifest, runs["run_id"])
    store.check_seeds(manifest, runs)
    outcomes = outcomes or list(manifest["outcomes"])
    missing = [o for o in outcomes if o not in runs.columns]
    if missing:
        raise InputError([Problem(str(directory), "outcomes", "not a stored outcome", o) for o in missing])
    arms = [a for a in manifest["sub_experiments"] if a in set(runs["sub_experiment"])]
    if baseline is not None and baseline not in arms:
        have = ", ".join(arms)
        raise InputError([Problem(str(directory), "--baseline",
                                  f"not a sub-experiment with runs (have: {have})", baseline)])
    if baseline is None and manifest.get("baseline") in arms:
        baseline = manifest["baseline"]  # (a partial sweep may not have reached it yet)
    return store, manifest, runs, outcomes, arms, baseline


def compare(
    directory: str | Path,
    baseline: str | None = None,
    outcomes: list[str] | None = None,
    plots: bool = True,
    stream: TextIO | None = None,
    csv: bool = False,
) -> Comparison:
    stream = stream or sys.stdout
    store, manifest, runs, outcomes, arms, baseline = load(directory, outcomes, baseline)
    if plots or csv:
        store.check_timeseries_parts()  # refused before a table or figure is written, not after
    figures = Path(directory) / "figures"
    if figures.exists() and not figures.is_dir():
        raise InputError([Problem(str(figures), "", "is a file, not a folder: compare writes its tables and "
                                  "figures there; move it aside", None)])
    figures.mkdir(parents=True, exist_ok=True)
    if plots:
        remove_old_figures(figures)
    design = manifest.get("design")
    varied = list(manifest.get("varied") or [])
    sampled = design in ("latin_hypercube", "sobol", "morris")
    factors = varied if design == "factorial" else []
    order = {a: i for i, a in enumerate(arms)}

    if sampled:  # the design point is the unit: average its replications first
        measured = outcomes + ([COST] if COST in runs.columns and COST not in outcomes else [])
        units = runs.groupby(["sub_experiment", "point"], sort=False)[measured].mean().reset_index()
        by, pair_on = ["sub_experiment"], ["point"]
    else:
        units = runs
        by, pair_on = ["sub_experiment"] + factors, ["replication"]
    summary = summarise(units, by, outcomes)
    summary = summary.sort_values("sub_experiment", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    summary = with_stability(summary, runs, by)
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
    if summary.get("unstable_runs", pd.Series(dtype=float)).fillna(0).gt(0).any():
        summary_md += "\n\n" + UNSTABLE_NOTE
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
        if "per_10k_yuan" in diffs.columns:
            text += ["", PER_10K_NOTE]
            print(PER_10K_NOTE + "\n", file=stream)
    if csv:
        result.files += export_csv(store, runs, figures)
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


PER_10K_NOTE = (
    "Where an arm costs more than the baseline (`regime_cost_yuan_per_day`), a cell of an outcome with a "
    "better direction also gives the effect per 10,000 yuan a day of that extra cost (ratio of mean paired "
    "differences, delta-method 95% CI; all of them in differences.csv); none where the cost difference is "
    "under 1 yuan a day or not distinguishable from zero, or the difference is exactly zero.")


OWN_FIGURES = ("outcomes.png", "differences.png", "timeseries-backlog.png", "bar-*.png", "response-*.png",
               "factor-*.png", "heatmap-*.png", "scatter-*.png")


def remove_old_figures(figures: Path) -> None:
    """Figures an earlier compare wrote (a changed design draws others; stale ones would mislead)."""
    for pattern in OWN_FIGURES:
        for old in figures.glob(pattern):
            old.unlink(missing_ok=True)


def export_csv(store: ResultStore, runs: pd.DataFrame, figures: Path) -> list[Path]:
    """The stored rows as CSV for tools that do not read Parquet: runs.csv, timeseries.csv."""
    files = [figures / "runs.csv"]
    runs.to_csv(files[0], index=False)
    series = store.read_timeseries()
    if series is not None and not series.empty:
        files.append(figures / "timeseries.csv")
        series.to_csv(files[1], index=False)
    return files


UNSTABLE_NOTE = (
    "† k/n: k of the group's n runs did not reach a steady state (`stable` false: open tasks still "
    "growing over the summary window, docs/ODD.md §7); read those cells as transient, not steady-state, values.")


def with_stability(summary: pd.DataFrame, runs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add `unstable_runs` and `runs` per group, when the rows carry the `stable` flag."""
    if "stable" not in runs.columns:
        return summary
    flags = runs[by + ["stable"]].assign(unstable=~runs["stable"].astype(bool))
    counts = flags.groupby(by, sort=False, dropna=False)["unstable"].agg(unstable_runs="sum", runs="count")
    return summary.merge(counts.reset_index(), on=by, how="left")


def _mark(label: str, unstable: float, n: float) -> str:
    if unstable is None or (isinstance(unstable, float) and math.isnan(unstable)) or unstable == 0:
        return label
    return f"{label} †{int(unstable)}/{int(n)}"


def summary_table(summary: pd.DataFrame, arms: list[str], factors: list[str], outcomes: list[str]) -> str:
    """Outcomes down, arms across when nothing else varies; groups down otherwise. Groups
    with runs that did not settle are marked † k/n (see UNSTABLE_NOTE)."""
    summary = summary.assign(cell=[cell(m, h) for m, h in zip(summary["mean"], summary["half_width"])])
    stability = "unstable_runs" in summary.columns
    if not factors:
        heads = {a: a for a in arms}
        if stability:
            first = summary.drop_duplicates("sub_experiment").set_index("sub_experiment")
            heads = {a: _mark(a, first.at[a, "unstable_runs"], first.at[a, "runs"]) if a in first.index else a
                     for a in arms}
        rows = []
        for outcome in outcomes:
            label, unit = describe(outcome)
            sel = summary[summary["outcome"] == outcome].set_index("sub_experiment")
            rows.append({"outcome": f"{outcome} ({unit})" if unit else outcome,
                         **{heads[a]: sel.at[a, "cell"] if a in sel.index else "–" for a in arms}})
        return markdown(pd.DataFrame(rows))
    if stability:
        summary = summary.assign(sub_experiment=[_mark(a, u, n) for a, u, n in zip(
            summary["sub_experiment"], summary["unstable_runs"], summary["runs"])])
    wide = summary.pivot_table(index=["sub_experiment"] + factors, columns="outcome", values="cell",
                               aggfunc="first", sort=False).reset_index()
    return markdown(wide[["sub_experiment"] + factors + [o for o in outcomes if o in wide.columns]])


def directional(outcome: str) -> bool:
    """Whether an outcome has a better direction (sim.outcomes); effects per yuan are shown only
    for those (not for utilisation, staff counts or the cost itself). Unknown names: yes."""
    from sim.outcomes import BY_NAME

    declared = BY_NAME.get(outcome)
    return declared is None or declared.better is not None


def differences_table(diffs: pd.DataFrame, arms: list[str], baseline: str, factors: list[str],
                      outcomes: list[str]) -> str:
    def one(r) -> str:
        rel = "" if math.isnan(r.relative_change) else f" ({r.relative_change:+.1%})"
        text = cell(r.mean_difference, r.half_width, signed=True) + rel
        per = getattr(r, "per_10k_yuan", math.nan)
        if not math.isnan(per) and directional(r.outcome) and not (r.mean_difference == 0 and not r.half_width):
            text += f"; {cell(per, r.per_10k_half_width, signed=True)} per 10k ¥/day"
        return text

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


def backlog_bands(store: ResultStore) -> pd.DataFrame | None:
    """Per arm, design point, level and day: backlog per office, mean and 95% CI over the
    point's replications (each band is one design point's; points are never pooled)."""
    cols = ["sub_experiment", "point", "replication", "day", "level", "backlog_hours", "offices"]
    ts = store.read_timeseries(columns=cols)
    if ts is None or ts.empty:
        return None
    offices = ts["offices"].astype(float).where(ts["offices"] > 0)
    ts = ts.assign(backlog_per_office=ts["backlog_hours"] / offices)
    return band(ts, ["sub_experiment", "point", "level", "day"], "backlog_per_office")


MAX_POINT_PANELS = 6  # time-series columns; sampling designs show this many points, evenly spread


def point_labels(runs: pd.DataFrame, inputs: list[str], sampled: bool) -> dict[int, str]:
    """A short caption per design point: its factor levels, or its index and inputs."""
    firsts = runs.drop_duplicates("point").set_index("point").sort_index()
    labels = {}
    for p, row in firsts.iterrows():
        parts = [f"{c.rsplit('.', 1)[-1]}={_short(row[c])}" for c in inputs if c in firsts.columns]
        labels[int(p)] = (f"point {p}: " if sampled else "") + ", ".join(parts) if parts else f"point {p}"
    return labels


def _short(value) -> str:
    from .figures import level_label

    return f"{value:.3g}" if isinstance(value, float) else level_label(value)


def shown_points(points: list[int]) -> list[int]:
    if len(points) <= MAX_POINT_PANELS:
        return points
    idx = np.linspace(0, len(points) - 1, MAX_POINT_PANELS).round().astype(int)
    return [points[i] for i in dict.fromkeys(idx)]


def replication_marginals(runs: pd.DataFrame, pair: list[str], others: list[str], outcome: str) -> pd.DataFrame:
    """Two-factor means over more factors: each replication averaged over the other factors'
    levels first, then the t interval over replications (the replication stays the unit)."""
    per_rep = runs.groupby(["sub_experiment", *pair, "replication"], sort=False)[outcome].mean().reset_index()
    rows = []
    for key, group in per_rep.groupby(["sub_experiment", *pair], sort=False):
        rows.append({**dict(zip(["sub_experiment", *pair], key)), "outcome": outcome,
                     **t_interval(group[outcome])})
    return pd.DataFrame(rows)


def is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def all_figures(store, manifest, runs, units, summary, diffs, outcomes, arms, baseline,
                factors, sampled, figures: Path) -> list[Path]:
    """Every figure the design calls for; returns the files written."""
    from . import figures as fig

    palette = fig.colours(arms)
    made: list[Path] = []
    n_rep = manifest.get("replications")
    what = "design points" if sampled else f"{n_rep} replications"
    if not factors and not (sampled and len(arms) == 1):  # one arm's mean over a sampled region says nothing
        where = " over the sampled region" if sampled else ""
        made.append(fig.overview(summary, outcomes, arms, "sub_experiment",
                                 f"{manifest['name']}: outcomes by sub-experiment (mean{where}, 95% CI over {what})",
                                 figures / "outcomes.png", palette))
        for outcome in outcomes:
            rows = summary[summary["outcome"] == outcome].set_index("sub_experiment").reindex(arms)
            made.append(fig.bar_chart(rows, outcome, arms,
                                      f"{describe(outcome)[0]} by sub-experiment (mean{where}, 95% CI over {what})",
                                      figures / f"bar-{outcome}.png", palette))
    elif len(factors) == 1 and is_numeric(runs[factors[0]]):
        for outcome in outcomes:
            made.append(fig.response_curves(summary, diffs, factors[0], outcome, arms, baseline, n_rep,
                                            figures / f"response-{outcome}.png", palette))
    elif len(factors) == 1:
        for outcome in outcomes:
            made.append(
                fig.factor_lines(summary, factors[0], outcome, arms, figures / f"factor-{outcome}.png", palette)
            )
    elif factors:
        pair, others = factors[:2], factors[2:]
        for outcome in outcomes:
            rows = summary if not others else replication_marginals(units, pair, others, outcome)
            made.append(fig.heatmaps(rows, (pair[0], pair[1]), outcome, arms, others,
                                     figures / f"heatmap-{outcome}.png"))
    if diffs is not None and not diffs.empty and not factors:
        others = [a for a in arms if a != baseline]
        made.append(fig.differences_chart(diffs, outcomes, others, baseline, figures / "differences.png", palette))
    if sampled:
        inputs = [c for c in manifest.get("varied", []) if c in runs.columns]
        spread = summarise(runs, ["sub_experiment", "point"], outcomes)
        points = units.merge(runs.drop_duplicates(["sub_experiment", "point"])[["sub_experiment", "point", *inputs]],
                             on=["sub_experiment", "point"])
        for outcome in outcomes:
            per_point = points.merge(spread[spread["outcome"] == outcome][["sub_experiment", "point", "half_width"]],
                                     on=["sub_experiment", "point"], how="left")
            made.append(fig.scatter_inputs(per_point, inputs, outcome, arms, figures / f"scatter-{outcome}.png",
                                           palette, n_rep))
    bands = backlog_bands(store)
    if bands is not None and (bands["mean"].abs() > 0).any():
        present = set(bands[bands["mean"].abs() > 0]["level"])
        levels = [lv for lv in LEVEL_ORDER if lv in present] + sorted(present - set(LEVEL_ORDER))
        warmup = int(runs["warmup_days"].iloc[0]) if "warmup_days" in runs.columns else None
        points = sorted(int(p) for p in bands["point"].unique())
        shown = shown_points(points)
        labels = point_labels(runs, factors or list(manifest.get("varied") or []), sampled)
        which = "" if len(points) == 1 else (
            " for each design point" if shown == points else f" for {len(shown)} of {len(points)} design points")
        made.append(fig.timeseries_bands(
            bands, levels, arms, warmup,
            f"Backlog per office by level and sub-experiment{which}: mean and 95% CI band over "
            f"the {n_rep} replications", "backlog per office (staff-hours)",
            figures / "timeseries-backlog.png", palette,
            points=shown if len(points) > 1 else None, point_labels=labels))
    return made
