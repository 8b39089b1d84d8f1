"""An admission review holds a task for the reviewer, not its new holder (docs/ODD.md,
admission gate and §7; docs/cases.md §5). With `review_days` > 0 an admitted task waits
the review before its holder may work it; while it waits it is not in the holder's
backlog (so it sets off no box-ticking, Lipsky, nor pushes the holder to hand work down)
and its deadline moves on by the review (a deadline passing during the review blames no
holder, Hood). Before this rule the held work crowded out committees' self-governance in
the lists case (0.56 -> 0.14, formalism 0.34 of hours)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ledger import OPEN
from sim.levels import COMMITTEE
from sim.model import run_stack
from sim.rules import play_day
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, DEPARTMENT_ROW, put_task, tiny_world

REVIEW = 15


def reviewed_world(review_days: int):
    """One department, street and committee (8 normal hours a day); three listed chores of
    4 h each (deadline 5 days) sent down on day 1 to a committee list with `review_days`;
    coping at half a day of backlog (4 h), blame documentation on."""
    world = tiny_world(levers={"committee_gate": {"enabled": True, "review_days": review_days},
                               "coping_threshold_days": 0.5, "documentation_overhead": 0.05})
    rows = [put_task(world, "chore", holder=DEPARTMENT_ROW, effort=4.0) for _ in range(3)]
    return world, np.array(rows)


def play_until(world, day: int) -> None:
    while world.day < day:
        play_day(world)


def test_held_work_is_not_worked_before_its_review_ends():
    world, rows = reviewed_world(REVIEW)
    play_until(world, 1)
    t = world.tasks
    assert np.all(t.holder[rows] == COMMITTEE_ROW)  # admitted on day 1
    ready = int(t.ready_day[rows].min())
    assert ready == 1 + REVIEW
    play_until(world, ready - 1)
    assert np.all(t.state[rows] == OPEN) and np.all(t.effort_left[rows] == 4.0)
    play_until(world, ready + 2)
    assert np.all(t.effort_left[rows] < 4.0)  # worked once the review is over


def test_held_work_is_not_in_the_committees_backlog_until_its_review_ends():
    world, rows = reviewed_world(REVIEW)
    play_until(world, 1)
    ready = int(world.tasks.ready_day[rows].min())
    play_until(world, ready - 2)
    assert world.roster.backlog_hours[COMMITTEE_ROW] == 0.0  # the reviewer's, not the committee's
    play_day(world)  # the evening before the review ends: tomorrow's backlog holds it
    assert world.roster.backlog_hours[COMMITTEE_ROW] == pytest.approx(12.0)


def test_a_deadline_passing_during_the_review_is_not_the_committees():
    world, rows = reviewed_world(REVIEW)
    play_until(world, 1)
    assert np.all(world.tasks.deadline[rows] == 5 + REVIEW)  # created day 0, deadline 5, moved on by the review
    play_until(world, 1 + REVIEW)
    assert world.behaviour.blame_stock[COMMITTEE_ROW] == 0.0
    assert world.tally.of_world(0).blame[COMMITTEE] == 0


def test_held_work_sets_off_no_box_ticking_of_the_work_the_committee_has():
    """12 held hours would be 1.5 days of the committee's 8 normal hours, over its 0.5-day
    threshold: counted as its backlog they made it box-tick the 3-hour chore it may work."""
    world, rows = reviewed_world(REVIEW)
    play_until(world, 1)
    own = put_task(world, "chore", holder=COMMITTEE_ROW, effort=3.0, fresh=False)
    play_day(world)
    assert not world.tasks.box_ticked[own]
    assert sum(d["formalism_hours"][COMMITTEE] for d in world.tally.of_world(0).days) == 0.0
    assert world.tasks.effort_left[own] == 0.0 or world.tasks.state[own] != OPEN  # worked in full


def lists_case(review_days: int) -> dict:
    """The lists case (6 of 12 duty items listed) at half its size (6 streets, 5
    departments), 120 days, seed 1."""
    over = {"days": 120, "warmup_days": 40, "structure.streets_per_district": 6,
            "structure.departments_per_district": 5, "levers.committee_gate.review_days": review_days}
    scenario = load_scenario("scenarios/cases/lists-after.yaml", over)
    return run_stack(scenario, [1], timeseries=False)[0].summary


def test_a_long_review_leaves_committees_self_governance_and_formalism_as_without_review():
    """The signature: a 15-day review delays admitted work but does not crowd out
    self-governance (before: 0.56 -> 0.14, formalism 0 -> 0.34, documentation 0 -> 0.32)."""
    without, held = lists_case(0), lists_case(REVIEW)
    assert without["committee_self_governance_share"] > 0.4  # the list works without review
    assert held["committee_self_governance_share"] == pytest.approx(without["committee_self_governance_share"], abs=0.03)
    assert held["formalism_hours_share"] == pytest.approx(without["formalism_hours_share"], abs=0.02)
    assert held["documentation_hours_share"] == pytest.approx(without["documentation_hours_share"], abs=0.02)
    assert held["committee_utilisation_mean"] < 1.0
