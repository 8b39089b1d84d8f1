"""Coping under overload (issue 15, BEHAVIOUR.md §3): box-ticking over a backlog
threshold, rework that comes back, and the signature — formalism convex in load."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ledger import DONE, OPEN
from sim.levels import COMMITTEE
from sim.model import run_stack
from sim.rules import coping, work
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, put_task, tiny_world


def overloaded_committee(threshold=1.0, **levers):
    world = tiny_world(levers={"coping_threshold_days": threshold, **levers})
    world.roster.backlog_hours[COMMITTEE_ROW] = 20.0  # 2.5 days of its 8 normal hours
    return world


def test_an_office_over_its_threshold_box_ticks_administrative_work_only():
    world = overloaded_committee(box_ticking_effort_share=0.25)
    chore = put_task(world, "chore", holder=COMMITTEE_ROW, effort=4.0, fresh=False)
    request = put_task(world, "meeting", holder=COMMITTEE_ROW, effort=4.0, fresh=False)
    coping.box_tick(world)
    t = world.tasks
    assert t.effort_left[chore] == pytest.approx(1.0) and t.box_ticked[chore]
    assert t.effort_left[request] == pytest.approx(4.0) and not t.box_ticked[request]
    assert world.tally.of_world(0).today["formalism_hours"][COMMITTEE] == pytest.approx(1.0)


def test_below_the_threshold_nothing_is_box_ticked():
    world = overloaded_committee(threshold=3.0)
    chore = put_task(world, "chore", holder=COMMITTEE_ROW, effort=4.0, fresh=False)
    coping.box_tick(world)
    assert world.tasks.effort_left[chore] == 4.0 and not world.tasks.box_ticked[chore]


def test_box_ticked_work_done_comes_back_in_full_as_a_new_task():
    world = overloaded_committee(rework_probability=1.0)
    chore = put_task(world, "chore", holder=COMMITTEE_ROW, effort=4.0, fresh=False)
    coping.box_tick(world)
    world.day = 1
    work.spend_hours(world)
    assert world.tasks.state[chore] == DONE
    created, reworked = world.tally.of_world(0).created, world.tally.of_world(0).reworked
    coping.send_back_rework(world)
    t = world.tasks
    new = t.size - 1
    assert world.tally.of_world(0).reworked == reworked + 1
    assert world.tally.of_world(0).created == created  # rework is not an arrival (common random numbers)
    assert t.state[new] == OPEN and t.holder[new] == COMMITTEE_ROW and t.effort_left[new] == pytest.approx(4.0)
    assert not t.box_ticked[chore]


def formalism_by_load(loads, seeds=(1, 2), **levers):
    """Formalism share of worked hours as departments' demand is scaled (unlimited
    responsibility, one street of twelve committees, 120 days)."""
    over = {"days": 120, "warmup_days": 40, "structure.departments_per_district": 1,
            "structure.streets_per_district": 1, "structure.committees_per_street": 12,
            "structure.social_organisation_pool_per_district": 0, "structure.heterogeneity_cv": 0.0, **levers}
    base = load_scenario("scenarios/unlimited-responsibility.yaml", over)
    out = []
    for m in loads:
        kinds = tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * (m if k.origin == "department" else 1.0)})
                      for k in base.task_kinds)
        scenario = base.model_copy(update={"task_kinds": kinds})
        # the seeds as one stack (sim.run_stack: each run bit for bit the run alone)
        runs = run_stack(scenario, list(seeds), timeseries=False)
        out.append(np.mean([r.summary["formalism_hours_share"] for r in runs]))
    return np.array(out)


LOADS = (0.4, 0.8, 1.4)


@pytest.mark.slow  # a run per load level (~3.5 s of CPU)
def test_formalism_is_convex_in_load_near_zero_below_the_threshold_and_steep_above():
    """BEHAVIOUR.md §3 signature."""
    low, mid, high = formalism_by_load(LOADS)
    assert low < 0.005 and mid < 0.02
    assert high > 0.15
    assert (high - mid) / (LOADS[2] - LOADS[1]) > 5 * max((mid - low) / (LOADS[1] - LOADS[0]), 0.0)


@pytest.mark.slow  # a run per load level (~2 s of CPU)
def test_without_coping_there_is_no_formalism_at_any_load():
    """The lever off (coping_threshold_days: none): the signature above fails."""
    shares = formalism_by_load(LOADS, seeds=(1,), **{"levers.coping_threshold_days": None})
    assert np.all(shares == 0.0)
