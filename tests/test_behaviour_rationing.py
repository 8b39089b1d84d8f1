"""Coping rations residents' matters (issue 15 behaviour 3, BEHAVIOUR.md §3; Lipsky 1980:
rationing by delay): an office over its coping threshold works residents' matters only
after its other work. Signature: nothing changes below the threshold; above it residents
wait and give up while the office keeps up with what is checked from above."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import run
from sim.rules import coping, work
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, put_task, tiny_world


def queue_at_committee(rations: bool, backlog: float):
    world = tiny_world(levers={"coping_threshold_days": 1.0, "coping_rations_residents": rations})
    world.roster.backlog_hours[COMMITTEE_ROW] = backlog
    request = put_task(world, "approval", holder=COMMITTEE_ROW, fresh=False)  # a resident's matter, older
    chore = put_task(world, "chore", holder=COMMITTEE_ROW, fresh=False)  # administrative, same deadline
    rows = np.array([request, chore])
    holder = world.tasks.holder[rows]
    order = work.queue_order(world.tasks, rows, holder, coping.rationed(world, rows, holder))
    return rows[order].tolist(), request, chore


def test_a_coping_office_works_residents_matters_after_its_other_work():
    order, request, chore = queue_at_committee(rations=True, backlog=20.0)
    assert order == [chore, request]


def test_below_the_threshold_or_with_the_lever_off_the_queue_is_by_deadline_and_age():
    for rations, backlog in ((True, 4.0), (False, 20.0)):
        order, request, chore = queue_at_committee(rations, backlog)
        assert order == [request, chore]


def city(load: float, rations: bool, seed: int = 1) -> dict:
    """One street of twelve committees under unlimited responsibility, departments' demand scaled."""
    over = {"days": 120, "warmup_days": 40, "structure.departments_per_district": 1,
            "structure.streets_per_district": 1, "structure.committees_per_street": 12,
            "structure.social_organisation_pool_per_district": 0, "levers.coping_rations_residents": rations}
    base = load_scenario("scenarios/unlimited-responsibility.yaml", over)
    kinds = tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * (load if k.origin == "department" else 1.0)})
                  for k in base.task_kinds)
    return run(base.model_copy(update={"task_kinds": kinds}), seed, timeseries=False).summary


@pytest.mark.slow  # runs across loads (~2 s of CPU)
def test_rationing_leaves_residents_unserved_only_above_the_coping_threshold():
    """BEHAVIOUR.md §3 signature (rationing): at low load the lever changes nothing; at high
    load residents give up several times as often while administrative work is done on
    time more often. Off, the two loads differ only by the overload itself."""
    low_off, low_on = city(0.4, False), city(0.4, True)
    both_nan = [k for k in low_off if low_on[k] != low_on[k] and low_off[k] != low_off[k]]
    differ = [k for k in low_off if low_on[k] != low_off[k] and k not in both_nan]
    assert differ == []  # no office is over its threshold: bit for bit (NaN equals NaN)
    high_off, high_on = city(1.4, False), city(1.4, True)
    assert high_on["resident_unmet_share"] > 3 * high_off["resident_unmet_share"] > 0
    assert high_on["resident_lead_time_days_mean"] > high_off["resident_lead_time_days_mean"]
    assert high_on["tasks_done_on_time_share"] > high_off["tasks_done_on_time_share"]
