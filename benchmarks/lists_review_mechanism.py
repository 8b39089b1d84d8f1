"""Why a 15-day admission review crowds out committees' self-governance (docs/cases.md §5).

The lists case (`scenarios/cases/lists-after.yaml`: a committee list of 6 of the 12 duty
items, half the admitted effort funded) run with `levers.committee_gate.review_days` 0
and 15, with the shipped behaviours and with one issue-15 behaviour lever at a time set to
its "off" value (the values of `tests/support/mean_field.py: BEHAVIOURS_OFF`), plus two
counterfactuals that need no model change: every behaviour off (the model before issue
15), and the listed duty items' deadlines lengthened by the review (a deadline that runs
from admission, not from creation), alone and with the coping threshold raised by the
hours a committee holds under review (≈ 6.5 days: an approximation of coping read on
workable work only). Campaigns, burnout tipping and heterogeneity are off in the case
already, so they are not ablated. A second table: the sweep's 9-item list with a 5-day
review, shipped and with coping or blame documentation off.

Then the chain of events on one seed: per committee, the hours it holds that it may not
work yet (under review), its whole backlog (what the coping threshold reads), formalism
(box-ticked) hours, blame stock, documentation hours, participation and self-governance
hours, day by day, with review 0 and 15.

Since the model change this traced (`routing.hold_for_review`: a task under review is left
out of its holder's backlog and its deadline moves on by the review), the table shows the
review leaving self-governance where it is; the two counterfactual arms (deadlines
lengthened, coping threshold raised) are kept to compare with the output before the
change (`git show 88ec731:results/benchmarks/lists_review_mechanism-250d.txt`). In the
chain, "held h" is work under review and "backlog h" the backlog coping reads.

    .venv/bin/python benchmarks/lists_review_mechanism.py [--seeds 1 2 3] [--days 250]

Prints the ablation table (mean over seeds, each run `sim.run_stack`, 250 days, the
case's 50-day warm-up) and the daily chain; reads and writes no result store. Output
committed: results/benchmarks/lists_review_mechanism-250d.txt.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import TiaokuaiModel, load_scenario, run_stack  # noqa: E402
from sim.kinds import FROM_RESIDENTS  # noqa: E402
from sim.ledger import OPEN  # noqa: E402
from sim.levels import COMMITTEE  # noqa: E402

CASE = ROOT / "scenarios" / "cases" / "lists-after.yaml"
REVIEW = "levers.committee_gate.review_days"
OFF = {  # each issue-15 behaviour lever at its "off" value (tests/support/mean_field.py)
    "ranking pressure": {"levers.ranking_pressure": 0.0},
    "blame shifting": {"levers.blame_shifting": 0.0},
    "compliance learning": {"levers.compliance_learning_rate": 0.0},
    "communities": {"self_governance.latent_hours_per_committee_day": 0.0},
    "blame documentation": {"levers.documentation_overhead": 0.0},
    "coping (box-ticking)": {"levers.coping_threshold_days": None},
}
NINE_ITEMS = [  # lists-sweep.yaml's fourth list: residents' three kinds and 9 duty items
    "resident_request", "resident_approval", "self_governance", "elderly_services", "employment_services",
    "health_promotion", "population_data", "housing_data", "social_security_data", "civilised_city_campaign",
    "safety_campaign", "sanitation_campaign"]
ALL_OFF = {k: v for o in OFF.values() for k, v in o.items()}
COLUMNS = (  # (summary key, header, format)
    ("committee_self_governance_share", "self-gov", "{:.3f}"),
    ("committee_utilisation_mean", "com util", "{:.3f}"),
    ("stable", "stable", "{:.0%}"),
    ("tasks_done_on_time_share", "on time", "{:.3f}"),
    ("committee_backlog_hours_mean", "com backlog h", "{:.0f}"),
    ("formalism_hours_share", "formalism", "{:.3f}"),
    ("documentation_hours_share", "document.", "{:.3f}"),
    ("blame_committee_total", "com blame", "{:.0f}"),
    ("sanctioned_offices_share", "sanctioned", "{:.3f}"),
    ("participation_mean", "particip.", "{:.3f}"),
    ("escalations_total", "escalations", "{:.0f}"),
)


def listed_duty_deadlines(review: int) -> dict:
    """Overrides giving each listed department item a deadline `review` days longer."""
    s = load_scenario(CASE)
    listed = set(s.levers.committee_gate.listed)
    return {
        f"task_kinds.{i}.deadline_days": k.deadline_days + review
        for i, k in enumerate(s.task_kinds)
        if k.name in listed and k.origin == "department"
    }


def arms() -> dict[str, dict]:
    out: dict[str, dict] = {"review 0, shipped behaviours": {REVIEW: 0}, "review 15, shipped behaviours": {REVIEW: 15}}
    for name, o in OFF.items():
        out[f"review 15, {name} off"] = {REVIEW: 15, **o}
    both = {**OFF["blame documentation"], **OFF["coping (box-ticking)"]}
    out["review 15, documentation and coping off"] = {REVIEW: 15, **both}
    out["review 0, communities off"] = {REVIEW: 0, **OFF["communities"]}
    out["review 0, every behaviour off"] = {REVIEW: 0, **ALL_OFF}
    out["review 15, every behaviour off"] = {REVIEW: 15, **ALL_OFF}
    out["review 15, listed deadlines +15 days"] = {REVIEW: 15, **listed_duty_deadlines(15)}
    # coping read on workable work only, approximated: 3 days + the ~260 h (6.5 days) held
    out["review 15, deadlines +15, coping at 9.5 days"] = {
        REVIEW: 15, **listed_duty_deadlines(15), "levers.coping_threshold_days": 9.5}
    return out


def five_day_arms() -> dict[str, dict]:
    """The sweep's 9-duty-item list (services, data, campaigns) with a 5-day review."""
    listed = {"levers.committee_gate.listed": NINE_ITEMS}
    return {
        "9 items, review 0, shipped behaviours": {**listed, REVIEW: 0},
        "9 items, review 5, shipped behaviours": {**listed, REVIEW: 5},
        "9 items, review 5, coping (box-ticking) off": {**listed, REVIEW: 5, **OFF["coping (box-ticking)"]},
        "9 items, review 5, blame documentation off": {**listed, REVIEW: 5, **OFF["blame documentation"]},
    }


def table(arms: dict[str, dict], seeds: list[int], days: int) -> None:
    head = f"{'arm':46s}" + "".join(f"{h:>14s}" for _, h, _ in COLUMNS)
    print(head)
    for name, overrides in arms.items():
        results = run_stack(load_scenario(CASE, overrides), seeds, days=days, timeseries=False)
        cells = []
        for key, _, fmt in COLUMNS:
            v = float(np.mean([float(r.summary[key]) for r in results]))
            cells.append(fmt.format(v))
        print(f"{name:46s}" + "".join(f"{c:>14s}" for c in cells), flush=True)


def chain(seed: int, days: int, review: int, show: list[int]) -> None:
    """Per-committee daily state (means over committees) on `show` days."""
    model = TiaokuaiModel(load_scenario(CASE, {REVIEW: review}), seed)
    w = model.world
    coms = w.roster.level == COMMITTEE
    n = int(coms.sum())
    normal = float(w.normal_hours()[coms].mean())
    print(f"review {review} days, seed {seed}; a committee's normal hours: {normal:.0f} a day, "
          f"coping threshold {model.config.levers.coping_threshold_days:g} days = "
          f"{model.config.levers.coping_threshold_days * normal:.0f} h")
    print(f"{'day':>4s} {'held h':>8s} {'backlog h':>9s} {'coping':>7s} {'overdue':>8s} {'formal. h':>9s} "
          f"{'blame':>7s} {'doc h':>6s} {'sanct.':>6s} {'particip':>8s} {'self-gov h':>10s} {'worked h':>8s}")
    for _ in range(days):
        model.step()
        d = model.day
        if d not in show:
            continue
        t, r = model.tasks, w.roster
        open_com = np.flatnonzero((t.state == OPEN) & coms[t.holder])
        waiting = open_com[t.ready_day[open_com] > d]
        admin = open_com[w.kinds.origin[t.kind[open_com]] != FROM_RESIDENTS]
        ts = model.timeseries()
        com = ts[(ts["day"] == ts["day"].max()) & (ts["level"] == "committee")].iloc[0]
        backlog = r.backlog_hours[coms]
        coping = float(np.mean(backlog > model.config.levers.coping_threshold_days * w.normal_hours()[coms]))
        print(f"{d:4d} {t.effort_left[waiting].sum() / n:8.1f} {backlog.mean():9.1f} {coping:7.0%} "
              f"{np.sum(t.deadline[admin] < d) / n:8.1f} {com['formalism_hours'] / n:9.2f} "
              f"{w.behaviour.blame_stock[coms].mean():7.1f} {com['documentation_hours'] / n:6.2f} "
              f"{com['sanctioned'] / n:6.2f} {com['participation'] / n:8.3f} "
              f"{com['self_governance_hours'] / n:10.2f} {com['hours_used'] / n:8.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--days", type=int, default=250)
    args = ap.parse_args(argv)
    print(f"lists-after (6 of 12 duty items listed), {args.days} days, 50-day warm-up, seeds {args.seeds}: "
          "mean over seeds (stable: share of runs steady)")
    table(arms(), args.seeds, args.days)
    print()
    table(five_day_arms(), args.seeds, args.days)
    show = [1, 2, 5, 8, 10, 11, 12, 15, 16, 17, 18, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250]
    show = [d for d in show if d <= args.days]
    print()
    for review in (0, 15):
        chain(args.seeds[0], args.days, review, show)
        print()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU {cpu.ru_utime + cpu.ru_stime:.1f} s (rusage, this process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
