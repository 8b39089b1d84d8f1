"""Blame avoidance (issue 15, BEHAVIOUR.md §4): a decaying blame stock per office, and
the documentation it makes the office produce, crowding out work."""

from __future__ import annotations

import numpy as np
import pytest

from sim.draws import Decision
from sim.levels import COMMITTEE, DEPARTMENT
from sim.model import run
from sim.rules import blame, escalation, routing, work
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, DEPARTMENT_ROW, STREET_ROW, put_task, tiny_world


def test_overdue_administrative_work_adds_to_its_holders_blame_which_fades():
    world = tiny_world(levers={"blame_decay": 0.5, "documentation_overhead": 0.1})
    world.day = 5
    put_task(world, "chore", holder=COMMITTEE_ROW, deadline=5)
    put_task(world, "meeting", holder=COMMITTEE_ROW, deadline=5)  # residents' matters blame no one
    blame.update_blame(world)
    b = world.behaviour
    assert b.blame_stock[COMMITTEE_ROW] == 1.0
    assert b.documentation_share[COMMITTEE_ROW] == pytest.approx(0.1)  # one staff member
    world.day = 6
    blame.update_blame(world)
    assert b.blame_stock[COMMITTEE_ROW] == 0.5


def test_documentation_takes_hours_the_queue_does_not_get():
    world = tiny_world(levers={"documentation_overhead": 0.1},
                       staff={"attrition_base": 0.0, "attrition_strain": 0.0, "overtime_ceiling": 0.0})
    world.behaviour.documentation_share[COMMITTEE_ROW] = 0.25
    world.day = 1
    chore = put_task(world, "chore", holder=COMMITTEE_ROW, effort=8.0)
    work.spend_hours(world)
    blame.record_documentation(world)
    assert world.tasks.effort_left[chore] == pytest.approx(2.0)  # 6 of its 8 hours went to the queue
    assert world.roster.hours_used[COMMITTEE_ROW] == pytest.approx(8.0)
    assert world.tally.of_world(0).today["documentation_hours"][COMMITTEE] == pytest.approx(2.0)


def blame_and_documentation(**levers):
    """Unlimited responsibility, one street of twelve committees, departments' demand ×1.3,
    120 days: per level, the shares of blame, documentation hours and hours worked. Ranking
    pressure is off: blame alone (sanctioned committees put administrative work first, so
    less of it goes overdue, and documentation falls to about 0.6% of their hours)."""
    over = {"days": 120, "warmup_days": 40, "structure.departments_per_district": 1,
            "structure.streets_per_district": 1, "structure.committees_per_street": 12,
            "structure.social_organisation_pool_per_district": 0, "levers.ranking_pressure": 0.0, **levers}
    base = load_scenario("scenarios/unlimited-responsibility.yaml", over)
    kinds = tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * (1.3 if k.origin == "department" else 1.0)})
                  for k in base.task_kinds)
    result = run(base.model_copy(update={"task_kinds": kinds}), 1)
    ts = result.timeseries
    by = ts[ts.day > 40].groupby("level")[["blame_stock", "documentation_hours", "hours_used"]].sum()
    return by.loc["department"], by.loc["committee"], by.sum(), result.summary


def test_blame_and_documentation_concentrate_at_the_bottom_out_of_proportion_to_the_work():
    """BEHAVIOUR.md §4 signature: under unlimited responsibility committees carry nearly all
    the blame and the documentation, well beyond their share of the hours worked, and
    documenting takes a visible part of their day."""
    dep, com, total, summary = blame_and_documentation()
    work_share = com.hours_used / total.hours_used
    assert work_share < 0.8
    assert com.blame_stock / total.blame_stock > 0.95
    assert com.documentation_hours / total.documentation_hours > 0.95
    assert dep.documentation_hours == 0.0
    assert com.documentation_hours / com.hours_used > 0.01
    assert summary["documentation_hours_share"] > 0.005


def test_without_documentation_overhead_blame_changes_nothing():
    """The lever off (documentation_overhead: 0): blame is still counted, but no hours go to
    documentation, so the signature above fails."""
    dep, com, total, summary = blame_and_documentation(**{"levers.documentation_overhead": 0.0})
    assert com.blame_stock > 0
    assert total.documentation_hours == 0.0 and summary["documentation_hours_share"] == 0.0
    assert np.isfinite(dep.hours_used) and DEPARTMENT == 0


# ---- blame changes what an office does (levers.blame_shifting) -------------------------
def test_blame_raises_the_probability_of_shifting_work_away_from_the_office():
    world = tiny_world(levers={"blame_shifting": 0.1})
    offices = np.array([DEPARTMENT_ROW, STREET_ROW, COMMITTEE_ROW])
    assert blame.shifted(world, offices, 0.5).tolist() == [0.5, 0.5, 0.5]  # no blame yet
    world.behaviour.blame_stock[[STREET_ROW, COMMITTEE_ROW]] = [5.0, 20.0]  # one staff member each
    assert blame.shifted(world, offices, 0.5) == pytest.approx([0.5, 0.75, 1.0])  # s = min(0.1 B / staff, 1)
    off = tiny_world(levers={"blame_shifting": 0.0})
    off.behaviour.blame_stock[:] = 20.0
    assert blame.shifted(off, offices, 0.5) == 0.5


def test_a_blamed_street_pushes_more_down_and_a_blamed_committee_gets_its_escalations_taken():
    world = tiny_world(levers={"blame_shifting": 0.1, "street_push_down_propensity": 0.2, "escalation_acceptance": 0.2,
                               "bounce_limit": 100})
    rows = np.array([put_task(world, "chore", holder=STREET_ROW, draw_key=i + 1) for i in range(400)])
    calm = routing.wants_to_push(world, rows, 0.2, None, Decision.PUSH_STREET).mean()
    world.behaviour.blame_stock[STREET_ROW] = 8.0  # s = 0.8: p = 0.2 + 0.8 × 0.8 = 0.84
    assert calm == pytest.approx(0.2, abs=0.06)
    assert routing.wants_to_push(world, rows, 0.2, None, Decision.PUSH_STREET).mean() == pytest.approx(0.84, abs=0.06)
    world.day = 1
    asks = np.array([put_task(world, "approval", holder=COMMITTEE_ROW, effort=2.0, authority_left=2.0,
                              draw_key=1000 + i) for i in range(400)])
    world.behaviour.blame_stock[COMMITTEE_ROW] = 8.0
    escalation.escalate(world)
    assert (world.tasks.holder[asks] == DEPARTMENT_ROW).mean() == pytest.approx(0.84, abs=0.06)


def shifting_city(shift, path="scenarios/leaky-admission-list.yaml", demand=2.0, **levers):
    """One department, two streets of three committees, departments' demand scaled, 120 days."""
    over = {"days": 120, "warmup_days": 40, "structure.departments_per_district": 1,
            "structure.streets_per_district": 2, "structure.committees_per_street": 3,
            "structure.social_organisation_pool_per_district": 0, "structure.heterogeneity_cv": 0.0,
            "levers.blame_shifting": shift, **levers}
    base = load_scenario(path, over)
    kinds = tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * (demand if k.origin == "department" else 1.0)})
                  for k in base.task_kinds)
    result = run(base.model_copy(update={"task_kinds": kinds}), 1)
    ts = result.timeseries
    by_level = ts[ts.day > 40].groupby("level")[["from_above_staff_hours", "blame_stock"]].sum()
    return result.summary, by_level


def test_blamed_committees_refuse_and_escalate_more_and_blame_is_shifted_back_up():
    """BEHAVIOUR.md §4, what blame makes an office do, below: behind a leaky committee list,
    committees overloaded by departments' demand ×2 carry the blame; with blame shifting
    they hold more of the gate's refusals (fewer leaks), their escalations are taken up
    with fewer bounces, and part of the blame moves up to the streets that now keep the
    work — at the same task volume. With the lever off none of this happens."""
    off, _ = shifting_city(0.0)
    on, _ = shifting_city(0.05)
    assert off["tasks_created"] == on["tasks_created"]
    assert off["blame_committee_total"] > 1000 and off["blame_street_total"] == 0
    assert on["refusals_total"] > 1.3 * off["refusals_total"]
    assert on["gate_leaks_total"] < 0.8 * off["gate_leaks_total"]
    assert on["bounces_per_task_mean"] < 0.8 * off["bounces_per_task_mean"]
    assert on["blame_street_total"] > 1000 and on["blame_committee_total"] < off["blame_committee_total"]
    assert on["blame_committee_share"] < off["blame_committee_share"] - 0.1


def test_blamed_streets_push_more_down_to_their_committees():
    """BEHAVIOUR.md §4, above: streets that keep half of what reaches them (8 staff) fall
    behind and are blamed; with blame shifting they hand more down, their blame falls by
    more than half and committees work far more hours on work from above."""
    lever = {"levers.street_push_down_propensity": 0.5, "levers.push_down_backlog_sensitivity": 0.0,
             "street.staff": 8, "levers.ranking_pressure": 0.0, "structure.committees_per_street": 6}
    off, off_levels = shifting_city(0.0, "scenarios/unlimited-responsibility.yaml", 1.0, **lever)
    on, on_levels = shifting_city(0.05, "scenarios/unlimited-responsibility.yaml", 1.0, **lever)
    assert off["tasks_created"] == on["tasks_created"]
    assert on["blame_street_total"] < 0.5 * off["blame_street_total"]
    assert on_levels.loc["committee", "from_above_staff_hours"] > 1.3 * off_levels.loc["committee", "from_above_staff_hours"]


def test_without_blame_shifting_blame_changes_no_decision(monkeypatch):
    """The lever off (blame_shifting: 0): bit for bit the run in which blame never touches
    a decision."""
    off, off_levels = shifting_city(0.0)
    monkeypatch.setattr(blame, "shifted", lambda world, offices, p: p)
    bare, bare_levels = shifting_city(0.0)
    assert off == bare and off_levels.equals(bare_levels)
