"""Ranking pressure (issue 15, BEHAVIOUR.md §2): monthly rankings of streets and
committees, the one-vote veto on the bottom share, and the signature — committees'
administrative share rises with pressure at constant task volume, and the pressure
cascades down from sanctioned streets to their committees."""

from __future__ import annotations

import numpy as np
import pytest

from sim.draws import Decision
from sim.ledger import DONE, OPEN
from sim.levels import COMMITTEE, STREET
from sim.model import run
from sim.rules import ranking, routing, work
from sim.scenario_io import load_scenario
from tests.support.tiny_world import COMMITTEE_ROW, STREET_ROW, put_task, tiny_world


def three_committees(pressure=0.3):
    """One street of three committees (rows 2, 3, 4)."""
    return tiny_world(levers={"ranking_pressure": pressure},
                      structure={"districts": 1, "departments_per_district": 1, "streets_per_district": 1,
                                 "committees_per_street": 3, "social_organisation_pool_per_district": 0})


def test_the_bottom_committee_of_a_street_that_failed_work_is_sanctioned_and_a_new_month_begins():
    world = three_committees(pressure=0.3)  # ceil(0.3 × 3) = the last one
    b = world.behaviour
    b.month_on_time[[2, 3, 4]] = [10, 9, 5]
    b.month_late[[2, 3, 4]] = [0, 1, 5]
    ranking.rank_offices(world)
    assert b.sanctioned.tolist() == [False, False, False, False, True]
    assert not b.month_late.any() and not b.month_on_time.any()


def test_an_office_that_failed_nothing_is_not_vetoed_even_at_the_bottom():
    world = three_committees(pressure=1.0)  # every committee is in the bottom share
    b = world.behaviour
    b.month_on_time[[2, 3, 4]] = [3, 0, 8]
    b.month_late[[2, 3, 4]] = [0, 0, 2]
    ranking.rank_offices(world)
    assert b.sanctioned[[2, 3, 4]].tolist() == [False, False, True]


def test_streets_are_ranked_within_their_district_and_committees_within_their_street():
    world = tiny_world(levers={"ranking_pressure": 0.5},
                       structure={"districts": 1, "departments_per_district": 1, "streets_per_district": 2,
                                  "committees_per_street": 2, "social_organisation_pool_per_district": 0})
    r, b = world.roster, world.behaviour
    streets, committees = np.flatnonzero(r.level == STREET), np.flatnonzero(r.level == COMMITTEE)
    b.month_late[streets] = [1, 2]
    b.month_on_time[streets] = [9, 8]
    b.month_late[committees] = [5, 4, 1, 2]  # the first street's committees both do worse than the second's
    b.month_on_time[committees] = 10
    ranking.rank_offices(world)
    assert b.sanctioned[streets].tolist() == [False, True]
    assert b.sanctioned[committees].tolist() == [True, False, False, True]  # one per street


def test_work_done_on_time_and_work_failed_count_for_the_holders_ranking():
    world = tiny_world(levers={"ranking_pressure": 0.1})
    world.day = 5
    done = put_task(world, "chore", holder=COMMITTEE_ROW, deadline=5)
    late = put_task(world, "chore", holder=COMMITTEE_ROW, deadline=5)
    put_task(world, "meeting", holder=COMMITTEE_ROW, deadline=5)  # residents' matters are not ranked
    work.finish(world, np.array([done]))
    ranking.record_late(world)
    b = world.behaviour
    assert b.month_on_time[COMMITTEE_ROW] == 1 and b.month_late[COMMITTEE_ROW] == 1
    assert world.tasks.state[late] == OPEN


def test_a_sanctioned_committee_works_its_administrative_tasks_before_residents_matters():
    world = tiny_world(levers={"ranking_pressure": 0.1}, staff={"overtime_ceiling": 0.0})
    world.day = 1
    request = put_task(world, "meeting", holder=COMMITTEE_ROW, effort=8.0, deadline=2)
    chore = put_task(world, "chore", holder=COMMITTEE_ROW, effort=8.0, deadline=5)
    world.behaviour.sanctioned[COMMITTEE_ROW] = True
    work.spend_hours(world)
    assert world.tasks.state[chore] == DONE and world.tasks.effort_left[request] == 8.0  # 8 hours: the chore
    unsanctioned = tiny_world(levers={"ranking_pressure": 0.1}, staff={"overtime_ceiling": 0.0})
    unsanctioned.day = 1
    request = put_task(unsanctioned, "meeting", holder=COMMITTEE_ROW, effort=8.0, deadline=2)
    chore = put_task(unsanctioned, "chore", holder=COMMITTEE_ROW, effort=8.0, deadline=5)
    work.spend_hours(unsanctioned)
    assert unsanctioned.tasks.state[request] == DONE and unsanctioned.tasks.effort_left[chore] == 8.0


def test_a_sanctioned_street_pushes_more_down():
    world = tiny_world(levers={"ranking_pressure": 0.1, "street_push_down_propensity": 0.4})
    holders = np.full(4, STREET_ROW)
    assert ranking.pressed_propensity(world, holders, 0.4).tolist() == [0.4] * 4
    world.behaviour.sanctioned[STREET_ROW] = True
    assert ranking.pressed_propensity(world, holders, 0.4) == pytest.approx([0.7] * 4)
    rows = np.array([put_task(world, "chore", holder=STREET_ROW, draw_key=i + 1) for i in range(400)])
    assert routing.wants_to_push(world, rows, 0.4, None, Decision.PUSH_STREET).mean() == pytest.approx(0.7, abs=0.07)


# ---- the signature --------------------------------------------------------------------
def small_city(pressure, demand=1.0, seed=1, **levers):
    """Unlimited responsibility, one department, two streets of six committees, 120 days."""
    over = {"days": 120, "warmup_days": 40, "structure.departments_per_district": 1,
            "structure.streets_per_district": 2, "structure.committees_per_street": 6,
            "structure.social_organisation_pool_per_district": 0, "structure.heterogeneity_cv": 0.0,
            "levers.ranking_pressure": pressure, **levers}
    base = load_scenario("scenarios/unlimited-responsibility.yaml", over)
    kinds = tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * (demand if k.origin == "department" else 1.0)})
                  for k in base.task_kinds)
    result = run(base.model_copy(update={"task_kinds": kinds}), seed)
    ts = result.timeseries
    by_level = ts[ts.day > 40].groupby("level")[["from_above_staff_hours", "sanctioned", "administrative_hours"]].sum()
    return result.summary, by_level


PRESSURES = (0.0, 0.1, 0.3)


def test_committees_administrative_share_rises_with_ranking_pressure_at_constant_task_volume():
    """BEHAVIOUR.md §2 signature, at the bottom: committees short of hours (departments'
    demand ×1.3) fail work, the bottom ones are sanctioned and put administrative work
    first, so their administrative share of hours rises with pressure while the tasks
    arriving stay the same (common random numbers). With the lever off nothing is ranked."""
    runs = [small_city(p, demand=1.3) for p in PRESSURES]
    summaries = [s for s, _ in runs]
    assert len({s["tasks_created"] for s in summaries}) == 1
    assert len({s["effort_created_hours_total"] for s in summaries}) == 1
    admin = [s["committee_administrative_share"] for s in summaries]
    sanctioned = [s["sanctioned_offices_share"] for s in summaries]
    assert sanctioned[0] == 0.0 and 0.0 < sanctioned[1] < sanctioned[2]
    assert admin[0] < admin[1] < admin[2]
    assert admin[2] - admin[0] > 0.02
    # residents' matters pay for it
    assert summaries[2]["resident_unmet_share"] > summaries[0]["resident_unmet_share"] + 0.02


def test_ranking_pressure_cascades_from_sanctioned_streets_to_their_committees():
    """BEHAVIOUR.md §2 signature, the cascade: streets that keep half of what reaches them
    (8 staff, and so fail some of it) are sanctioned and push more down; committees then work more
    hours on work from above and a larger administrative share, at the same task volume."""
    lever = {"levers.street_push_down_propensity": 0.5, "levers.push_down_backlog_sensitivity": 0.0,
             "street.staff": 8, "levers.blame_shifting": 0.0}  # ranking alone: blame also makes streets push down
    off, off_levels = small_city(0.0, **lever)
    on, on_levels = small_city(0.1, **lever)
    assert off["tasks_created"] == on["tasks_created"]
    assert off_levels.loc["street", "sanctioned"] == 0 and on_levels.loc["street", "sanctioned"] > 0
    assert on_levels.loc["committee", "from_above_staff_hours"] > 1.1 * off_levels.loc["committee", "from_above_staff_hours"]
    assert on["committee_administrative_share"] > off["committee_administrative_share"] + 0.03
    assert on["street_backlog_hours_mean"] < off["street_backlog_hours_mean"]


def test_without_ranking_pressure_the_model_is_the_one_before_ranking(monkeypatch):
    """Lever off (ranking_pressure: 0): bit for bit the run with the ranking rules taken
    out (docs/behaviours.md; benchmarks/summary_fingerprint.py compares main's model too)."""
    off, off_levels = small_city(0.0, demand=1.3)
    for name in ("record_done", "record_late", "rank_offices", "record_sanctions"):
        monkeypatch.setattr(ranking, name, lambda *a, **k: None)
    monkeypatch.setattr(ranking, "pressed_propensity", lambda world, holder, p: p)
    monkeypatch.setattr(ranking, "administrative_first", lambda *a: None)
    monkeypatch.setattr(ranking, "is_ranking_day", lambda world: False)
    bare, bare_levels = small_city(0.0, demand=1.3)
    assert off == bare
    assert off_levels.equals(bare_levels)
