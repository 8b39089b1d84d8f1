"""Case tables and figures from the case sweeps' run stores (results/cases/<case>/runs).

For each case: the before and after arms' means, and the paired difference (after -
before on the same seeds) with its 95% t confidence interval, for the headline outcomes;
written as results/cases/<case>.md (a Markdown table, pasted into docs/cases.md) and
results/cases/<case>.png (the paired differences, each scaled by the before mean, with
their CIs). Reads tables, never a live model.

    .venv/bin/python experiments/cases/plot_cases.py [case ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "cases"
HEADLINE = [
    "committee_self_governance_share",
    "street_backlog_hours_mean",
    "committee_backlog_hours_mean",
    "department_load_mean",
    "tasks_done_on_time_share",
    "unfunded_work_share",
    "resident_unmet_share",
    "staff_lost_total",
    "bounces_per_task_mean",
    "lead_time_days_mean",
    "department_utilisation_mean",
    "street_utilisation_mean",
    "committee_utilisation_mean",
]
CASES = {  # case folder -> (before arm, after arm)
    "guiyang": ("guiyang-2012", "guiyang-2019"),
    "jinjiang": ("jinjiang-2007", "jinjiang-2011"),
    "shanghai": ("shanghai-review", "shanghai-recommended"),
    "beijing": ("beijing-before", "beijing-reform"),
    "lists": ("lists-before", "lists-after"),
}


def load_runs(case: str) -> pd.DataFrame:
    parts = sorted((RESULTS / case / "runs").glob("*.parquet"))
    if not parts:
        raise FileNotFoundError(f"no runs in {RESULTS / case / 'runs'}: run `tiaokuai sweep` first")
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def paired_table(runs: pd.DataFrame, before: str, after: str, outcomes=HEADLINE) -> pd.DataFrame:
    a = runs[runs.sub_experiment == before].set_index("seed")
    b = runs[runs.sub_experiment == after].set_index("seed")
    seeds = a.index.intersection(b.index)
    rows = []
    for name in outcomes:
        x, y = a.loc[seeds, name].astype(float), b.loc[seeds, name].astype(float)
        d = (y - x).to_numpy()
        n = d.size
        half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append({"outcome": name, "before": x.mean(), "after": y.mean(), "difference": d.mean(),
                     "ci_low": d.mean() - half, "ci_high": d.mean() + half, "n": n})
    return pd.DataFrame(rows)


def fmt(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    a = abs(v)
    return f"{v:,.0f}" if a >= 1000 else f"{v:.1f}" if a >= 10 else f"{v:.3f}"


def markdown(table: pd.DataFrame, before: str, after: str) -> str:
    lines = [f"| outcome | {before} | {after} | difference [95% CI] |", "|---|---:|---:|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.outcome} | {fmt(r.before)} | {fmt(r.after)} | "
                     f"{fmt(r.difference)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}] |")
    lines.append(f"\n{int(table.n.iloc[0])} paired replications (common random numbers).")
    return "\n".join(lines)


def figure(table: pd.DataFrame, case: str, before: str, after: str, path: Path) -> None:
    scale = table.before.abs().where(table.before.abs() > 1e-9, 1.0)
    rel, lo, hi = table.difference / scale, table.ci_low / scale, table.ci_high / scale
    fig, ax = plt.subplots(figsize=(7, 5))
    y = np.arange(len(table))
    ax.errorbar(rel, y, xerr=[rel - lo, hi - rel], fmt="o", capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, table.outcome)
    ax.invert_yaxis()
    ax.set_xlabel(f"({after} − {before}) / |{before} mean|, 95% CI")
    ax.set_title(f"Case {case}: paired differences")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(cases: list[str]) -> None:
    for case in cases or list(CASES):
        before, after = CASES[case]
        try:
            runs = load_runs(case)
        except FileNotFoundError as err:
            print(err)
            continue
        table = paired_table(runs, before, after)
        text = markdown(table, before, after)
        (RESULTS / f"{case}.md").write_text(text + "\n", encoding="utf-8")
        figure(table, case, before, after, RESULTS / f"{case}.png")
        print(f"## {case}\n\n{text}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
