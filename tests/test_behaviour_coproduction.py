"""Co-production (issue 15 behaviour 6, BEHAVIOUR.md §6): participation lowers the effort
of residents' requests, after the demand draw — and the signature, a virtuous circle:
where participation survives, co-production frees committee hours that feed it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import run
from sim.rules import community
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, put_task, tiny_world


def test_participation_lowers_the_effort_of_residents_own_requests_after_the_draw():
    world = tiny_world(self_governance={"coproduction_effort_share": 0.5})
    world.behaviour.participation[COMMITTEE_ROW] = 0.8
    start = world.tasks.size
    meeting = put_task(world, "meeting", holder=COMMITTEE_ROW, effort=4.0)  # self-governance: kept
    approval = put_task(world, "approval", holder=COMMITTEE_ROW, effort=2.0)  # needs a department: kept
    # a residents' kind that is neither: the tiny city's "meeting" made an ordinary request
    world.kinds.self_governance[world.kinds.names.index("meeting")] = False
    created = world.tally.of_world(0).effort_created
    community.co_produce(world, slice(start, world.tasks.size))
    t = world.tasks
    assert t.effort_total[meeting] == pytest.approx(4.0 * (1 - 0.5 * 0.8))
    assert t.effort_left[meeting] == pytest.approx(2.4)
    assert t.effort_total[approval] == 2.0 and t.effort_left[approval] == 2.0
    assert world.tally.of_world(0).coproduced_hours == pytest.approx(1.6)
    assert world.tally.of_world(0).effort_created == created  # what was drawn is what counts as created


def test_without_co_production_nothing_changes():
    world = tiny_world()
    world.behaviour.participation[COMMITTEE_ROW] = 1.0
    world.kinds.self_governance[world.kinds.names.index("meeting")] = False
    row = put_task(world, "meeting", holder=COMMITTEE_ROW, effort=4.0)
    community.co_produce(world, slice(row, row + 1))
    assert world.tasks.effort_total[row] == 4.0 and world.tally.of_world(0).coproduced_hours == 0.0


def city(share: float, scenario: str = "scenarios/gate-and-resources.yaml") -> dict:
    over = {"days": 120, "warmup_days": 30, "structure.streets_per_district": 3,
            "self_governance.coproduction_effort_share": share}
    return run(load_scenario(scenario, over), 5, timeseries=False).summary


def test_co_production_feeds_participation_where_it_survives_on_the_same_demand():
    """BEHAVIOUR.md §6 signature (co-production): under a gate with resources, residents who
    do part of their requests free committee hours that go to self-governance, and
    participation rises further; the tasks and efforts drawn are the same (common random
    numbers). Off (share 0) nothing is co-produced and participation is where it was."""
    off, on = city(0.0), city(0.5)
    assert on["effort_created_hours_total"] == off["effort_created_hours_total"]
    assert on["tasks_created"] == off["tasks_created"]
    assert off["coproduced_hours_total"] == 0.0 and on["coproduced_hours_total"] > 0
    assert on["participation_mean"] > off["participation_mean"] + 0.03
    assert on["committee_self_governance_hours_mean"] > off["committee_self_governance_hours_mean"]
    assert on["committee_utilisation_mean"] < off["committee_utilisation_mean"]


@pytest.mark.slow  # paired months-long runs (~5 s of CPU)
def test_co_production_cannot_rescue_participation_that_collapsed():
    """The vicious side: under unlimited responsibility participation has collapsed, so
    there is little to co-produce and participation stays where it was."""
    off, on = city(0.0, "scenarios/unlimited-responsibility.yaml"), city(0.5, "scenarios/unlimited-responsibility.yaml")
    assert off["participation_mean"] < 0.1
    assert np.isclose(on["participation_mean"], off["participation_mean"], atol=0.01)
