"""From a study's worlds to the files a reader opens: tables, boxes, figures, a summary.

Writes into OUT: `ranking.csv`, `win_probabilities.csv`, `feature_scores.csv`,
`uncertainties.csv`, `worlds.csv`, `boxes.md`, `summary.md` and `figures/`. What each
means and how to read it: docs/robustness.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import figures
from .directions import directions
from .discover import MIN_DENSITY, Box, feature_scores, prim_box
from .evaluate import Study
from .rank import advantage, ranking, regret, win_matrix


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text).strip("-")


def _range_text(row, labels: dict[str, str]) -> str:
    name = labels.get(row.uncertainty, row.uncertainty)
    lo_cut = row.low > row.full_low + 1e-12
    hi_cut = row.high < row.full_high - 1e-12
    if lo_cut and hi_cut:
        return f"{row.low:.3g} ≤ {name} ≤ {row.high:.3g}"
    return f"{name} ≥ {row.low:.3g}" if lo_cut else f"{name} ≤ {row.high:.3g}"


def _no_box(cases: int, worlds: int) -> str:
    if cases == 0:
        return f"Never (0 of {worlds} worlds)."
    if cases == worlds:
        return f"In every world ({worlds} of {worlds}): no box needed."
    return f"{cases} of {worlds} worlds: too few for a box."


def box_markdown(box: Box, labels: dict[str, str], figure: str | None) -> list[str]:
    lines = [f"### {box.question}", "",
             f"{box.cases} of {box.worlds} worlds are cases. Box at peeling step {box.step}: "
             f"**coverage {box.coverage:.2f}** (share of the cases inside the box), "
             f"**density {box.density:.2f}** (share of the box's worlds that are cases), "
             f"mass {box.mass:.2f} (share of all worlds inside).", ""]
    if len(box.limits):
        lines += ["| uncertainty | box | full range |", "|---|---|---|"]
        for row in box.limits.itertuples():
            lines.append(f"| {labels.get(row.uncertainty, row.uncertainty)} | {_range_text(row, labels)} | "
                         f"{row.full_low:.3g} – {row.full_high:.3g} |")
    else:
        lines.append("The chosen step restricts nothing: the cases are spread over the whole space.")
    if box.density < MIN_DENSITY:
        lines += ["", f"No step reaches density {MIN_DENSITY}; this is the densest box, a weak description."]
    if figure:
        lines += ["", f"![{box.question}]({figure})"]
    return lines + [""]


def _discovery(x: pd.DataFrame, flags: np.ndarray, question: str, failure: str, labels: dict[str, str],
               figure: Path | None, failures: list[str], box_quality: bool) -> list[str]:
    """One PRIM question (where `flags` is true among the worlds `x`): its markdown section,
    its chart written to `figure` (when given), and the regime's failure note appended to
    `failures` (`failure` names it; `box_quality` adds the box's coverage and density)."""
    box = prim_box(x, flags, question)
    if box is None:
        n = int(flags.sum())
        if n:
            failures.append(f"{failure} in {n}/{len(flags)} worlds")
        return [f"### {question}", "", _no_box(n, len(flags)), ""]
    fig = None
    if figure is not None:
        figures.prim_chart(box, labels, figure)
        fig = f"figures/{figure.name}"
    where = "; ".join(_range_text(r, labels) for r in box.limits.itertuples()) or "anywhere"
    note = f"{failure} in {box.cases}/{box.worlds} worlds, mostly where {where}"
    if box_quality:
        note += f" (coverage {box.coverage:.2f}, density {box.density:.2f})"
    failures.append(note)
    return box_markdown(box, labels, fig)


def analyse(study: Study, out: Path, plots: bool = True, reduced_note: str = "") -> str:
    """Write every output of the study into OUT; return the summary text."""
    exp = study.experiment
    out.mkdir(parents=True, exist_ok=True)
    fig_dir = out / "figures"
    if plots:
        fig_dir.mkdir(exist_ok=True)
    dirs = directions(exp.outcomes)
    table, x, labels = study.table, study.x, study.labels
    policies = list(exp.policies)
    others = [p for p in policies if p != exp.baseline]

    ranked = ranking(table, exp.outcomes, dirs, exp.baseline)
    order = {p: i for i, p in enumerate(policies)}
    ranked = ranked.sort_values(["outcome", "regime"], key=lambda c: c.map(
        order if c.name == "regime" else {o: i for i, o in enumerate(exp.outcomes)}), kind="stable")
    ranked.to_csv(out / "ranking.csv", index=False, float_format="%.6g")

    wins = []
    for outcome in exp.outcomes:
        m = win_matrix(table, outcome, dirs[outcome]).reindex(index=policies, columns=policies)
        long = m.stack().rename("p_win").reset_index()
        long.columns = ["regime", "opponent", "p_win"]
        long.insert(0, "outcome", outcome)
        wins.append(long)
        if plots:
            figures.win_matrix_chart(m, outcome, fig_dir / f"win-{slug(outcome)}.png")
            figures.regret_chart(regret(table, outcome, dirs[outcome])[policies], outcome,
                                 fig_dir / f"regret-{slug(outcome)}.png")
    pd.concat(wins, ignore_index=True).to_csv(out / "win_probabilities.csv", index=False, float_format="%.6g")

    # Which uncertainties drive each regime's advantage over the baseline?
    adv = {o: advantage(table, o, dirs[o], exp.baseline).reindex(x.index) for o in exp.outcomes}
    target = pd.DataFrame({f"{p}|{o}": adv[o][p] for o in exp.outcomes for p in others}, index=x.index)
    scores = feature_scores(x, target, seed=exp.master_seed % (2**32))
    fs = scores.stack(future_stack=True).rename("score").reset_index()
    fs.columns = ["uncertainty", "target", "score"]
    fs[["regime", "outcome"]] = fs["target"].str.split("|", expand=True)
    fs.insert(1, "label", fs["uncertainty"].map(labels))
    fs = fs.drop(columns="target")[["regime", "outcome", "uncertainty", "label", "score"]]
    fs.sort_values(["regime", "outcome", "score"], ascending=[True, True, False]).to_csv(
        out / "feature_scores.csv", index=False, float_format="%.6g")

    pd.DataFrame([u.__dict__ for u in study.uncertainties]).to_csv(out / "uncertainties.csv", index=False)
    wide = table.pivot(index="world", columns="policy")
    wide.columns = [f"{p}:{o}" for o, p in wide.columns]
    x.join(wide).to_csv(out / "worlds.csv", float_format="%.6g")

    # Scenario discovery.
    lines = ["# Where each regime fails: scenario discovery with PRIM", "",
             f"{len(x)} worlds (Latin hypercube over {x.shape[1]} uncertainties), "
             f"{exp.replications} replication(s) per regime and world on common seeds. "
             f"PRIM from ema-workbench; each box is shown at the peeling step with the most "
             f"coverage among those with density ≥ {MIN_DENSITY} (else the densest). "
             "How to read it: docs/robustness.md.", ""]
    if reduced_note:
        lines += [reduced_note, ""]
    failures: dict[str, list[str]] = {p: [] for p in policies}
    lines += ["## Where a regime loses to the baseline", ""]
    for outcome in exp.discover_outcomes:
        s = adv[outcome]
        tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(table[outcome].to_numpy(dtype=float)))))
        for p in others:
            loses = (s[p] < -tol).to_numpy()
            q = f"{p} loses to {exp.baseline} on {outcome}"
            figure = fig_dir / f"prim-{slug(p)}-loses-{slug(outcome)}.png" if plots else None
            lines += _discovery(x, loses, q, q, labels, figure, failures[p], box_quality=True)
    if exp.crisis is not None:
        rule = exp.crisis
        cond = f"{rule.outcome} ≥ {rule.at_least}" if rule.at_least is not None else f"{rule.outcome} ≤ {rule.at_most}"
        lines += ["## Where a crisis occurs", "", f"A crisis: {cond} in at least half of a world's replications.", ""]
        crisis = table.pivot(index="world", columns="policy", values="crisis_share").reindex(x.index)
        for p in policies:
            flags = (crisis[p] >= 0.5).to_numpy()
            q = f"a crisis occurs under {p}"
            figure = fig_dir / f"prim-{slug(p)}-crisis.png" if plots else None
            lines += _discovery(x, flags, q, "crisis", labels, figure, failures[p], box_quality=False)
    (out / "boxes.md").write_text("\n".join(lines), encoding="utf-8")

    # Responses of each regime's advantage to its two most important uncertainties.
    if plots:
        for outcome in exp.discover_outcomes:
            for p in others:
                sc = fs[(fs.regime == p) & (fs.outcome == outcome)].dropna(subset=["score"])
                top = list(sc.sort_values("score", ascending=False)["uncertainty"].head(2))
                if len(top) == 2:
                    figures.response_chart(x, adv[outcome][p], top, labels, p, outcome,
                                           fig_dir / f"response-{slug(p)}-{slug(outcome)}.png")

    summary = summary_text(study, ranked, fs, failures, reduced_note)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    return summary


def summary_text(study: Study, ranked: pd.DataFrame, fs: pd.DataFrame,
                 failures: dict[str, list[str]], reduced_note: str) -> str:
    exp = study.experiment
    lines = [f"# Robustness: {exp.name}", ""]
    if reduced_note:
        lines += [reduced_note, ""]
    lines += [f"{len(study.x)} worlds × {len(exp.policies)} regimes × {exp.replications} replication(s) = "
              f"{study.runs} runs, {exp.days or 'scenario'} days; {study.x.shape[1]} uncertainties.", "",
              "## Most robust regime per outcome", "",
              "| outcome | most often best (p_best) | least worst-case regret (regret_max) | lowest mean regret |",
              "|---|---|---|---|"]
    for outcome, t in ranked.groupby("outcome", sort=False):
        b = t.loc[t.p_best.idxmax()]
        m = t.loc[t.regret_max.idxmin()]
        r = t.loc[t.regret_mean.idxmin()]
        lines.append(f"| {outcome} | {b.regime} ({b.p_best:.2f}) | {m.regime} ({m.regret_max:.3g}) | "
                     f"{r.regime} ({r.regret_mean:.3g}) |")
    lines += ["", "## Where each regime fails", ""]
    for p, items in failures.items():
        lines.append(f"- **{p}**: " + ("; ".join(items) if items else "no failure found "
                                       "(no loss to the baseline on the discovery outcomes, no crisis)"))
    lines += ["", "## What drives each regime's advantage (top 3 uncertainties by extra-trees score)", ""]
    labels = study.labels
    for (p, o), t in fs.dropna(subset=["score"]).groupby(["regime", "outcome"]):
        if o not in exp.discover_outcomes:
            continue
        top = t.sort_values("score", ascending=False).head(3)
        lines.append(f"- {p}, {o}: " + ", ".join(f"{labels.get(u, u)} ({s:.2f})"
                                                    for u, s in zip(top.uncertainty, top.score)))
    return "\n".join(lines) + "\n"
