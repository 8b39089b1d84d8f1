"""Every outcome the model reports, declared once: its name, a readable label, its unit,
the level it concerns, the window it covers and which direction is better.

`SUMMARY` lists the keys of a run's summary, in order (`sim.metrics.summarise` returns
exactly these); `DAILY` lists the per-day series the model keeps in `model.history` (and
its `DataCollector`). The README's outcome table, the units on compare's axes
(`sim.sweep.units`) and the view's series are derived from here; a test checks the
README against this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .levels import LEVELS, Level

# windows
RUN = "identifies the run"
AFTER_WARMUP = "days after warm-up"
WHOLE_RUN = "whole run"
LAST_DAY = "end of the last day"
ONE_DAY = "one day"

Better = Literal["higher", "lower"] | None


@dataclass(frozen=True)
class Outcome:
    """One reported number. `better` is the direction a regime should move it ("higher",
    "lower"), or None where neither is better in itself (counts of events, spending)."""

    name: str
    label: str
    unit: str
    window: str
    better: Better = None
    level: Level | None = None
    family: str | None = None  # e.g. "<level>_backlog_hours_mean": one README row for its levels
    meaning: str = ""


def _per_level(pattern: str, levels: tuple[Level, ...], label: str, unit: str, window: str, better: Better, meaning: str) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(
            pattern.replace("<level>", lv.label),
            label.replace("<level>", lv.label.replace("_", " ")),
            unit,
            window,
            better,
            lv,
            pattern,
            meaning,
        )
        for lv in levels
    )


_GOVERNMENT = (Level.DEPARTMENT, Level.STREET, Level.STATION, Level.COMMITTEE)


def _backlog_and_utilisation() -> tuple[Outcome, ...]:
    out: list[Outcome] = []
    for lv in _GOVERNMENT:
        out += _per_level(
            "<level>_backlog_hours_mean", (lv,), "<level> backlog per office", "staff-hours", AFTER_WARMUP, "lower",
            "mean work queued per office of the level, staff-hours its own staff could do",
        )
        out += _per_level(
            "<level>_utilisation_mean", (lv,), "<level> utilisation", "hours used / hours available", AFTER_WARMUP, None,
            "hours worked / normal staff hours (above 1 means overtime)",
        )
    return tuple(out)


# issue 15: what the offices' behaviour leaves (docs/behaviours.md)
_BEHAVIOUR_SUMMARY: tuple[Outcome, ...] = (
    Outcome("committee_self_governance_hours_mean", "committee self-governance hours", "staff-hours per committee-day",
            AFTER_WARMUP, "higher", Level.COMMITTEE,
            meaning="absolute hours a committee spends on self-governance a day (its matters and the latent demand it takes up)"),
    Outcome("participation_mean", "residents' participation", "0..1", AFTER_WARMUP, "higher", Level.COMMITTEE,
            meaning="committees' participation stock (grows with self-governance served, decays when neglected)"),
    Outcome("self_governance_unmet_share", "latent self-governance left unserved", "share of latent hours",
            AFTER_WARMUP, "lower", Level.COMMITTEE,
            meaning="share of committees' latent self-governance demand not taken up for want of spare hours"),
    Outcome("campaign_hours_total", "campaign work imposed", "staff-hours", WHOLE_RUN,
            meaning="hard campaign work imposed on streets and committees (levers.campaigns_per_year)"),
    Outcome("formalism_hours_share", "formalism (box-ticked work)", "share of hours used", AFTER_WARMUP, "lower",
            meaning="share of government offices' worked hours spent box-ticking administrative work over the coping threshold"),
    Outcome("documentation_hours_share", "documentation (blame avoidance)", "share of hours used", AFTER_WARMUP, "lower",
            meaning="share of government offices' worked hours spent documenting to cover blame (levers.documentation_overhead)"),
    Outcome("audits_total", "leaks audited", "tasks", WHOLE_RUN,
            meaning="pushes forced through an admission gate that were audited and sanctioned (levers.audit_rate)"),
    Outcome("department_leak_propensity_mean", "departments' learned leak propensity", "0..1", AFTER_WARMUP, "lower",
            Level.DEPARTMENT,
            meaning="what departments learned about forcing pushes through gates (levers.compliance_learning_rate)"),
    Outcome("formalism_reworks_total", "box-ticked work redone", "tasks", WHOLE_RUN, "lower",
            meaning="box-ticked tasks that came back in full as rework (levers.rework_probability)"),
    Outcome("committee_administrative_share", "committee hours on administrative work", "share of hours used",
            AFTER_WARMUP, "lower", Level.COMMITTEE,
            meaning="share of committees' worked hours spent on departments' tasks, assessments and campaigns"),
    Outcome("sanctioned_offices_share", "offices under a ranking's sanction", "share of street- and committee-days",
            AFTER_WARMUP, "lower",
            meaning="streets and committees at the bottom of the monthly ranking and sanctioned (levers.ranking_pressure)"),
)


SUMMARY: tuple[Outcome, ...] = (
    Outcome("scenario", "scenario", "", RUN, meaning="the scenario's name"),
    Outcome("seed", "seed", "", RUN, meaning="the run's seed"),
    Outcome("days", "working days simulated", "working days", RUN, meaning="the horizon"),
    Outcome("warmup_days", "warm-up", "working days", RUN, meaning="days left out of the means"),
    Outcome("tasks_created", "tasks created", "tasks", WHOLE_RUN, meaning="arrivals only; created + formalism reworks = done + abandoned + open"),
    Outcome("tasks_done", "tasks done", "tasks", WHOLE_RUN, meaning="tasks finished"),
    Outcome("tasks_abandoned", "tasks abandoned", "tasks", WHOLE_RUN, "lower", meaning="residents' matters given up"),
    Outcome("tasks_open", "tasks open at the end", "tasks", LAST_DAY, "lower", meaning="tasks still open"),
    Outcome("tasks_done_on_time_share", "tasks done on time", "share of tasks done", AFTER_WARMUP, "higher",
            meaning="share of tasks finished (after warm-up) by their deadline"),
    Outcome("lead_time_days_mean", "mean lead time", "working days", AFTER_WARMUP, "lower",
            meaning="working days from creation to completion"),
    Outcome("lead_time_days_p90", "90th-percentile lead time", "working days", AFTER_WARMUP, "lower",
            meaning="working days from creation to completion, 90th percentile"),
    Outcome("sojourn_days_mean", "mean time in system", "working days", AFTER_WARMUP, "lower",
            meaning="Little's W: working days from creation to departure (done or abandoned)"),
    Outcome("departures_per_day", "tasks finished or abandoned", "tasks per working day", AFTER_WARMUP,
            meaning="Little's lambda"),
    Outcome("open_tasks_mean", "open tasks", "tasks", AFTER_WARMUP, "lower", meaning="Little's L"),
    Outcome("handoffs_per_task_mean", "hand-offs", "per task", AFTER_WARMUP, "lower",
            meaning="times a departed task changed hands"),
    Outcome("bounces_per_task_mean", "escalation bounces", "per task", AFTER_WARMUP, "lower",
            meaning="escalation ping-pong of work that needs a department's authority"),
    Outcome("refusals_total", "refusals by gates", "tasks", WHOLE_RUN, meaning="pushes an admission gate refused"),
    Outcome("gate_leaks_total", "leaks through gates", "tasks", WHOLE_RUN, "lower",
            meaning="unlisted tasks pushed through a gate anyway"),
    Outcome("escalations_total", "escalations", "tasks", WHOLE_RUN, meaning="escalations of work needing authority"),
    *_backlog_and_utilisation(),
    Outcome("department_load_mean", "department load", "days of work queued", AFTER_WARMUP, "lower", Level.DEPARTMENT,
            meaning="departments' backlog in days of their normal hours"),
    Outcome("committee_self_governance_share", "committee hours on self-governance", "share of hours used",
            AFTER_WARMUP, "higher", Level.COMMITTEE,
            meaning="share of committees' worked hours spent on self-governance"),
    Outcome("unfunded_work_share", "work sent down without resources", "share of hours", AFTER_WARMUP, "lower",
            meaning="share of work pushed or imposed on streets, stations and committees done without funded hours"),
    Outcome("resident_unmet_share", "residents' requests abandoned", "share of requests", AFTER_WARMUP, "lower",
            meaning="share of residents' matters abandoned unmet"),
    Outcome("department_returned_hours", "work returned to departments by gates", "staff-hours", WHOLE_RUN,
            level=Level.DEPARTMENT, meaning="load the gates kept with departments"),
    Outcome("street_returned_hours", "work returned to streets by gates", "staff-hours", WHOLE_RUN,
            level=Level.STREET, meaning="load the committee gate kept with streets"),
    *_per_level("blame_<level>_total", tuple(Level), "blame on <level>", "tasks", WHOLE_RUN, "lower",
                "administrative tasks that became overdue while held at that level"),
    Outcome("social_organisation_hours_purchased", "hours bought from social organisations", "staff-hours", WHOLE_RUN,
            level=Level.SOCIAL_ORGANISATION, meaning="purchased services"),
    Outcome("purchase_spend_total", "spending on purchased services", "yuan", WHOLE_RUN,
            meaning="yuan streets paid social organisations"),
    Outcome("rework_total", "purchased work redone", "tasks", WHOLE_RUN, "lower",
            meaning="purchased work rejected and returned to the buyer"),
    Outcome("resident_lead_time_days_mean", "residents' mean lead time", "working days", AFTER_WARMUP, "lower",
            meaning="working days from a resident's matter to its completion"),
    Outcome("resident_bounces_per_request_mean", "bounces per resident's request", "per request", AFTER_WARMUP, "lower",
            meaning="escalation bounces of residents' matters done"),
    Outcome("staff_lost_total", "staff lost", "people", WHOLE_RUN, "lower", meaning="strain and attrition"),
    *_per_level("staff_lost_<level>_total", tuple(Level), "<level> staff lost", "people", WHOLE_RUN, "lower",
                "staff who left, by level"),
    Outcome("coproduced_hours_total", "residents' co-produced hours", "staff-hours", WHOLE_RUN,
            meaning="effort of residents' requests residents did themselves (self_governance.coproduction_effort_share × participation)"),
    Outcome("staff_lost_to_strain_share", "staff lost to strain", "share of staff lost", WHOLE_RUN, "lower",
            meaning="share of leavers strain accounts for (the rest left for pay and prospects: staff.attrition_base, "
            "by staff category); 0 when nobody left"),
    Outcome("overtime_hours_total", "overtime", "staff-hours", WHOLE_RUN, "lower", meaning="overtime worked"),
    Outcome("funded_hours_total", "funded hours sent down", "staff-hours", WHOLE_RUN,
            meaning="hours paid for by resources that followed tasks"),
    *_BEHAVIOUR_SUMMARY,
    Outcome("littles_law_ratio", "Little's law ratio L/(λW)", "ratio", AFTER_WARMUP,
            meaning="open tasks / (departures per day × sojourn); 1 when the window is stationary"),
    Outcome("stable", "open tasks stopped growing", "yes/no", AFTER_WARMUP, "higher",
            meaning="open tasks stopped growing (docs/ODD.md §7)"),
    Outcome("effort_created_hours_total", "effort of all tasks created", "staff-hours", WHOLE_RUN,
            meaning="sum of the efforts of the tasks created (equal across regimes on one seed: a check of common random numbers)"),
    Outcome("resident_lead_time_days_p90", "residents' matters: 90th-percentile lead time", "working days",
            AFTER_WARMUP, "lower", meaning="working days from a resident's matter to its completion, 90th percentile"),
    Outcome("resident_lead_time_days_p99", "residents' matters: 99th-percentile lead time", "working days",
            AFTER_WARMUP, "lower", meaning="working days from a resident's matter to its completion, 99th percentile"),
    Outcome("committee_overload_days_share", "committee-days over normal hours", "share of committee-days",
            AFTER_WARMUP, "lower", Level.COMMITTEE,
            meaning="share of committee-days whose demand (workable hours not funded) exceeded normal staff hours"),
    Outcome("days_to_first_crisis", "day of the first crisis", "day number", AFTER_WARMUP, "higher", Level.COMMITTEE,
            meaning="first day after warm-up whose rolling 5-day on-time share of committees' tasks is below 0.8; days + 1 if none (docs/ODD.md §7)"),
    Outcome("blame_committee_share", "blame falling on committees", "share of all blame", WHOLE_RUN, "lower",
            Level.COMMITTEE, meaning="committees' share of all blame (overdue administrative tasks); 0 when there is none"),
    Outcome("regime_cost_yuan_per_day", "regime's extra cost", "yuan per working day", WHOLE_RUN,
            meaning="money spent on top of the baseline's staff: funded hours and purchases over the run, station and extra committee posts at staff.hourly_cost"),
    Outcome("staff_total", "staff of all offices", "people", RUN,
            meaning="posts (establishment) of all offices, stations and social organisations"),
)

DAILY: tuple[Outcome, ...] = (
    *_per_level("<level>_backlog_hours", _GOVERNMENT, "<level> backlog per office", "staff-hours", ONE_DAY, "lower",
                "work queued per office at the end of the day"),
    Outcome("committee_self_governance_share", "committees' hours on self-governance", "share of hours used",
            ONE_DAY, "higher", Level.COMMITTEE),
    Outcome("tasks_done_on_time_share", "tasks done on time", "share of tasks done", ONE_DAY, "higher"),
    Outcome("unfunded_work_share", "work sunk without resources", "share of hours", ONE_DAY, "lower"),
    Outcome("department_load", "departments' load", "backlog / hours available", ONE_DAY, "lower", Level.DEPARTMENT),
    Outcome("open_tasks", "open tasks", "tasks", ONE_DAY, "lower"),
    Outcome("tasks_created", "tasks created", "tasks", ONE_DAY),
    Outcome("committee_participation", "residents' participation", "0..1", ONE_DAY, "higher", Level.COMMITTEE),
    Outcome("committee_self_governance_hours", "committee self-governance hours", "staff-hours per committee",
            ONE_DAY, "higher", Level.COMMITTEE),
)

SUMMARY_KEYS: tuple[str, ...] = tuple(o.name for o in SUMMARY)
DAILY_KEYS: tuple[str, ...] = tuple(o.name for o in DAILY)
# summary outcomes by name (the robustness lane reads `better` from here)
OUTCOMES: dict[str, Outcome] = {o.name: o for o in SUMMARY}
BY_NAME: dict[str, Outcome] = {**{o.name: o for o in DAILY}, **{o.name: o for o in SUMMARY}}


def outcome(name: str) -> Outcome:
    return BY_NAME[name]


def better(name: str) -> Better:
    """The desired direction of a summary outcome ("higher", "lower" or None)."""
    return BY_NAME[name].better if name in BY_NAME else None


def readme_table() -> str:
    """The README's outcome table (one row per outcome, one per family of per-level outcomes)."""
    rows = ["| name | meaning | unit | window | better |", "|---|---|---|---|---|"]
    seen: set[str] = set()
    for o in SUMMARY:
        if o.family:
            if o.family in seen:
                continue
            seen.add(o.family)
            levels = [m.level.label for m in SUMMARY if m.family == o.family and m.level is not None]
            name = f"`{o.family}` ({', '.join(levels)})"
        else:
            name = f"`{o.name}`"
        rows.append(f"| {name} | {o.meaning or o.label} | {o.unit or '–'} | {o.window} | {o.better or '–'} |")
    return "\n".join(rows)


assert len(set(SUMMARY_KEYS)) == len(SUMMARY_KEYS), "summary outcome names must be unique"
assert all(lv in LEVELS for lv in (o.level.label for o in SUMMARY if o.level is not None))
