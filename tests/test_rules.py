"""Each rule on a tiny World (one department, one street, one committee): the rule's
behaviour in the smallest city that shows it, named as the rule it checks."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ledger import ABANDONED, DONE, OPEN
from sim.levels import COMMITTEE, DEPARTMENT, STREET
from sim.rules import budgets, escalation, evaluation, play_day, routing, work
from tests.support.tiny_world import COMMITTEE_ROW, DEPARTMENT_ROW, STREET_ROW, put_task, tiny_world


def gated(compliance: float = 1.0) -> dict:
    return {"street_gate": {"enabled": True, "compliance": compliance}}


def test_a_refused_task_stays_with_its_sender():
    world = tiny_world(levers=gated())
    row = put_task(world, "unlisted_chore", holder=DEPARTMENT_ROW)
    routing.route_department_tasks(world)
    t = world.tasks
    assert t.holder[row] == DEPARTMENT_ROW
    assert t.refusals[row] == 1 and world.tally.of_world(0).refusals == 1
    assert world.tally.of_world(0).returned_hours[DEPARTMENT] == pytest.approx(2.0)
    assert not t.fresh[row], "the sender has decided; it does not try again tomorrow"


def test_a_listed_task_goes_down_to_the_street_of_its_territory():
    world = tiny_world(levers=gated())
    row = put_task(world, "chore", holder=DEPARTMENT_ROW)
    routing.route_department_tasks(world)
    t = world.tasks
    assert t.holder[row] == STREET_ROW and t.from_above[row] and t.fresh[row] and t.handoffs[row] == 1


def test_a_sender_that_ignores_the_gate_leaks_the_task_through_and_the_leak_is_counted():
    world = tiny_world(levers=gated(compliance=0.0))
    row = put_task(world, "unlisted_chore", holder=DEPARTMENT_ROW)
    routing.route_department_tasks(world)
    assert world.tasks.holder[row] == STREET_ROW and world.tasks.leaked[row]
    assert world.tally.of_world(0).gate_leaks == 1 and world.tally.of_world(0).refusals == 0


def test_a_department_that_never_pushes_keeps_its_work():
    world = tiny_world(levers={"push_down_propensity": 0.0})
    row = put_task(world, "chore", holder=DEPARTMENT_ROW)
    routing.route_department_tasks(world)
    assert world.tasks.holder[row] == DEPARTMENT_ROW and not world.tasks.fresh[row]


def test_a_street_hands_work_to_the_committee_of_its_territory():
    world = tiny_world()
    row = put_task(world, "chore", holder=STREET_ROW)
    routing.route_street_tasks(world)
    assert world.tasks.holder[row] == COMMITTEE_ROW


def test_resources_follow_tasks_out_of_the_senders_budget_and_money_is_moved_not_created():
    world = tiny_world(levers={"resources_follow_tasks": 0.5})
    world.roster.funding_budget[DEPARTMENT_ROW] = 90.0  # yuan: 1.5 hours at 60 yuan an hour
    rows = [put_task(world, "chore", holder=DEPARTMENT_ROW) for _ in range(2)]
    routing.route_department_tasks(world)
    funded = world.tasks.funded[rows]
    # the first task gets half its 2 hours funded (1 h), the second what is left (0.5 h)
    assert funded.tolist() == pytest.approx([1.0, 0.5])
    assert world.roster.funding_budget[DEPARTMENT_ROW] == pytest.approx(0.0)
    assert world.tally.of_world(0).funded_given == pytest.approx(1.5)


def test_an_office_with_enough_hours_finishes_its_whole_queue_in_a_day():
    world = tiny_world()
    rows = [put_task(world, "chore", holder=COMMITTEE_ROW) for _ in range(3)]  # 6 of 8 hours
    work.spend_hours(world)
    assert (world.tasks.state[rows] == DONE).all()
    assert world.roster.hours_used[COMMITTEE_ROW] == pytest.approx(6.0)
    assert world.roster.overtime[COMMITTEE_ROW] == 0


def test_an_overloaded_office_works_hard_tasks_first_then_the_earliest_deadline_up_to_its_overtime_ceiling():
    world = tiny_world()
    late = put_task(world, "chore", holder=COMMITTEE_ROW, effort=6.0, deadline=9)
    soon = put_task(world, "chore", holder=COMMITTEE_ROW, effort=6.0, deadline=2)
    hard = put_task(world, "chore", holder=COMMITTEE_ROW, effort=3.0, deadline=9, hard=True)
    work.spend_hours(world)
    t = world.tasks
    # 8 normal hours + 25% overtime = 10: the hard task (3 h), then the earlier deadline (6 h), 1 h on the last
    assert t.state[hard] == DONE and t.state[soon] == DONE and t.state[late] == OPEN
    assert t.effort_left[late] == pytest.approx(5.0)
    assert world.roster.overtime[COMMITTEE_ROW] == pytest.approx(2.0)


def test_work_needing_authority_goes_back_up_once_the_part_below_is_done():
    world = tiny_world(levers={"escalation_acceptance": 1.0})
    row = put_task(world, "approval", holder=COMMITTEE_ROW, effort=1.0, authority_left=1.0)
    escalation.escalate(world)
    t = world.tasks
    assert t.holder[row] == DEPARTMENT_ROW and t.pinned[row] and world.tally.of_world(0).escalations == 1


def test_a_refused_escalation_bounces_back_and_waits_before_it_is_sent_up_again():
    world = tiny_world(levers={"escalation_acceptance": 0.0, "escalation_retry_days": 4})
    row = put_task(world, "approval", holder=COMMITTEE_ROW, effort=1.0, authority_left=1.0)
    escalation.escalate(world)
    t = world.tasks
    assert t.holder[row] == COMMITTEE_ROW and t.bounces[row] == 1 and t.ready_day[row] == world.day + 4
    escalation.escalate(world)  # not ready yet: nothing happens
    assert world.tally.of_world(0).escalations == 1


def test_after_bounce_limit_bounces_the_department_must_take_the_task():
    world = tiny_world(levers={"escalation_acceptance": 0.0, "bounce_limit": 2})
    row = put_task(world, "approval", holder=COMMITTEE_ROW, effort=1.0, authority_left=1.0, bounces=2)
    escalation.escalate(world)
    assert world.tasks.holder[row] == DEPARTMENT_ROW


def test_residents_give_up_on_a_matter_left_longer_than_their_patience():
    world = tiny_world()
    row = put_task(world, "meeting", holder=COMMITTEE_ROW)  # abandon_after_days = 3
    world.day = 2
    work.close_the_day(world)
    assert world.tasks.state[row] == OPEN
    world.day = 3
    work.close_the_day(world)
    assert world.tasks.state[row] == ABANDONED and world.tally.of_world(0).abandoned == 1


def test_overdue_administrative_work_blames_whoever_holds_it_on_its_deadline():
    world = tiny_world()
    put_task(world, "chore", holder=STREET_ROW, deadline=1)
    world.day = 1
    work.close_the_day(world)
    assert world.tally.of_world(0).blame.tolist() == [0, 1, 0, 0, 0]


def test_a_department_that_sinks_unfunded_work_is_rated_down_at_the_end_of_the_rating_period():
    world = tiny_world(levers={"reverse_evaluation": True, "reverse_evaluation_sensitivity": 0.5})
    put_task(world, "chore", holder=DEPARTMENT_ROW)
    routing.route_department_tasks(world)  # pushed, unfunded
    world.day = evaluation.RATING_PERIOD_DAYS - 1
    assert not evaluation.is_rating_day(world)
    world.day = evaluation.RATING_PERIOD_DAYS
    assert evaluation.is_rating_day(world)
    evaluation.rate_departments(world)
    assert world.roster.push_down_bias[DEPARTMENT_ROW] == pytest.approx(0.5)
    assert world.roster.push_down_bias[STREET_ROW] == 1.0


def test_a_payer_grants_wishes_in_order_until_its_budget_runs_out():
    payer = np.array([0, 0, 0, 1])
    wish = np.array([3.0, 3.0, 3.0, 5.0])
    budget = np.array([7.0, 10.0])
    assert budgets.within_budget(payer, wish, budget).tolist() == [3.0, 3.0, 1.0, 5.0]
    assert budgets.within_budget(payer, wish, budget, all_or_nothing=True).tolist() == [3.0, 3.0, 0.0, 5.0]


def test_one_day_of_play_keeps_every_task_accounted_for():
    world = tiny_world(task_kinds=[{"name": "chore", "origin": "department", "rate_per_day": 3.0,
                                    "effort_mean_hours": 2.0, "deadline_days": 5}])
    for _ in range(5):
        play_day(world)
    t = world.tally
    assert world.day == 5 and len(t.days) == 5
    assert t.created == t.done + t.abandoned + int(t.days[-1]["open_tasks"].sum())
    assert t.created > 0


def test_levels_are_numbered_top_down():
    world = tiny_world()
    assert world.roster.level.tolist() == [DEPARTMENT, STREET, COMMITTEE]


def test_funded_hours_pay_for_work_below_but_never_for_a_departments_own_work_on_an_escalated_task():
    world = tiny_world()
    up = put_task(world, "chore", holder=DEPARTMENT_ROW, effort=4.0, funded=3.0, from_above=True)
    below = put_task(world, "chore", holder=COMMITTEE_ROW, effort=4.0, funded=3.0, from_above=True)
    work.spend_hours(world)
    t, r = world.tasks, world.roster
    assert t.state[up] == DONE and t.state[below] == DONE
    assert r.hours_used[DEPARTMENT_ROW] == pytest.approx(4.0), "the department does all its own work"
    assert r.hours_used[COMMITTEE_ROW] == pytest.approx(1.0), "the committee's work is paid for but one hour"
    assert world.tally.of_world(0).funded_used == pytest.approx(3.0)
    assert world.tally.of_world(0).funded_left_over == pytest.approx(3.0), "the department's task is finished with its funded hours unspent"


def test_extra_committee_staff_are_spread_evenly_over_a_streets_committees():
    world = tiny_world(structure={"districts": 1, "departments_per_district": 1, "streets_per_district": 2,
                                  "committees_per_street": 3, "social_organisation_pool_per_district": 0},
                       levers={"extra_committee_staff_per_street": 7})
    committees = world.roster.level == COMMITTEE
    assert world.roster.staff[committees].tolist() == [1 + 3, 1 + 2, 1 + 2] * 2
    assert (world.roster.posts == world.roster.staff).all()


def test_a_committee_whose_demand_exceeds_its_normal_hours_has_an_overloaded_day():
    world = tiny_world()
    world.day = 1
    put_task(world, "chore", holder=COMMITTEE_ROW, effort=9.0)  # 9 hours for 8
    put_task(world, "chore", holder=STREET_ROW, effort=8.0)  # exactly its 8 hours: not over
    work.spend_hours(world)
    assert world.tally.of_world(0).overloaded_office_days.tolist() == [0, 0, 0, 1, 0]
