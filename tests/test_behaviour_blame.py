"""Blame avoidance (issue 15, BEHAVIOUR.md §4): a decaying blame stock per office, and
the documentation it makes the office produce, crowding out work."""

from __future__ import annotations

import numpy as np
import pytest

from sim.levels import COMMITTEE, DEPARTMENT
from sim.model import run
from sim.rules import blame, work
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, put_task, tiny_world


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
    assert world.tally.today["documentation_hours"][COMMITTEE] == pytest.approx(2.0)


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
