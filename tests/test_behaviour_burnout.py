"""Burnout tipping and attrition by staff category (issue 15 behaviour 7, BEHAVIOUR.md §7):
strain that saps hours past a threshold, vacancies that load those who stay, hiring that
lags — and the signature, hysteresis: demand ramped up and back down leaves committees
short of staff and strained for good, where the model without it recovers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.draws import Decision, binomial_by_inversion
from sim.levels import COMMITTEE, STREET
from sim.model import run
from sim.rules import play_day, staff, work
from sim.scenario_io import load_scenario
from sim.world import World
from tests.support.mean_field import BEHAVIOURS_OFF
from tests.support.tiny_world import COMMITTEE_ROW, put_task, tiny_world

# ---- the rule --------------------------------------------------------------------------


def test_strain_below_the_threshold_costs_no_hours_and_above_it_costs_up_to_the_loss():
    world = tiny_world(staff={"strain_productivity_loss": 0.8, "strain_productivity_threshold": 0.3,
                              "attrition_base": 0.0, "attrition_strain": 0.0})
    world.roster.strain[:] = [0.2, 0.65, 1.5]
    assert staff.energy(world) == pytest.approx([1.0, 0.6, 0.2])


def test_a_burnt_out_office_works_fewer_hours_and_strains_against_the_hours_it_has():
    world = tiny_world(staff={"strain_productivity_loss": 0.5, "strain_productivity_threshold": 0.0,
                              "attrition_base": 0.0, "attrition_strain": 0.0})
    world.roster.strain[COMMITTEE_ROW] = 1.0  # half its 8 normal hours gone
    put_task(world, "meeting", holder=COMMITTEE_ROW, effort=20.0, fresh=False)
    world.day = 1
    work.spend_hours(world)
    assert world.roster.hours_used[COMMITTEE_ROW] == pytest.approx(4.0 * 1.25)  # 4 hours + the overtime ceiling
    assert world.roster.overtime[COMMITTEE_ROW] == pytest.approx(1.0)
    strain = world.roster.strain[COMMITTEE_ROW]
    staff.staff_turnover(world)
    # overtime 1 h on 4 h it can give: a quarter, not an eighth, of its normal hours
    expected = strain * (1 - world.config.staff.strain_recovery) + world.config.staff.strain_buildup * 0.25
    assert world.roster.strain[COMMITTEE_ROW] == pytest.approx(expected)


def old_staff_turnover(world: World) -> None:
    """The staff rule before issue 15's behaviour 7, copied: the reference for 'off' (who
    leaves drawn as every rule now draws it, from the office's own draw: sim.draws)."""
    roster, s, pipeline = world.roster, world.config.staff, world.hiring_pipeline
    slot = world.day % pipeline.shape[0]
    roster.staff += pipeline[slot]
    pipeline[slot] = 0
    normal = np.maximum(world.normal_hours(), 1e-9)
    overtime_share = np.where(roster.staff > 0, roster.overtime / normal, 0.0)
    roster.strain = roster.strain * (1.0 - s.strain_recovery) + s.strain_buildup * overtime_share
    p_leave = np.clip(s.attrition_base + s.attrition_strain * roster.strain, 0.0, 1.0)
    lost = binomial_by_inversion(world.office_uniforms(Decision.STAFF_LEAVES), roster.staff, p_leave)
    roster.staff -= lost
    refill = (world.day + s.hiring_delay_days) % pipeline.shape[0]
    pipeline[refill] += lost
    tally = world.tally
    tally.staff_lost += np.bincount(roster.level, weights=lost, minlength=len(tally.staff_lost)).astype(np.int64)


def test_with_no_productivity_loss_and_no_categories_the_run_is_the_model_before_bit_for_bit(monkeypatch):
    """Behaviour off (the default): the same run as with the old staff rule."""
    over = {"days": 90, "warmup_days": 10, "staff.attrition_strain": 0.01}
    scenario = load_scenario("scenarios/unlimited-responsibility.yaml", over)
    assert scenario.staff.strain_productivity_loss == 0 and not scenario.staff.categories
    new = dict(run(scenario, 4, timeseries=False).summary)
    monkeypatch.setattr(staff, "staff_turnover", old_staff_turnover)
    old = dict(run(scenario, 4, timeseries=False).summary)
    assert new.pop("staff_lost_to_strain_share") > 0
    old.pop("staff_lost_to_strain_share")
    assert new["staff_lost_total"] > 0
    assert new.keys() == old.keys()
    differ = [k for k in new if new[k] != old[k] and not (new[k] != new[k] and old[k] != old[k])]  # NaN equals NaN
    assert differ == []


# ---- attrition by staff category (004) --------------------------------------------------

CATEGORIES = [
    {"name": "civil_servant", "street_share": 0.5, "committee_share": 0.0, "attrition_multiplier": 0.0},
    {"name": "community_worker", "street_share": 0.5, "committee_share": 1.0, "attrition_multiplier": 10.0},
]


def test_posts_are_split_into_categories_by_level_and_add_up():
    world = tiny_world(staff={"categories": CATEGORIES, "attrition_base": 0.0, "attrition_strain": 0.0},
                       street={"staff": 7})
    by = world.staff_by_category
    assert by.shape == (3, 3)
    assert by.sum(axis=1).tolist() == world.roster.staff.tolist()
    assert sorted(by[world.roster.level == STREET][0, :2].tolist()) == [3, 4]
    assert by[world.roster.level == COMMITTEE][0].tolist() == [0, 1, 0]
    assert by[0].tolist() == [0, 0, 1]  # departments are uncategorised


def test_categories_on_unequal_pay_and_prospects_leave_at_unequal_rates_and_not_for_strain():
    world = tiny_world(staff={"categories": CATEGORIES, "attrition_base": 0.01, "attrition_strain": 0.0},
                       street={"staff": 400}, committee={"staff": 0})
    for day in range(1, 21):
        world.day = day
        staff.staff_turnover(world)
    lost = world.tally.of_world(0).staff_lost_by_category
    assert lost[0] == 0 and lost[1] > 20  # only the category without pay and prospects leaves
    assert world.tally.of_world(0).staff_lost_to_strain == 0.0
    assert world.staff_by_category.sum(axis=1).tolist() == world.roster.staff.tolist()


def test_leavers_strain_accounts_for_are_counted_as_such():
    world = tiny_world(staff={"attrition_base": 0.0, "attrition_strain": 0.5}, street={"staff": 200})
    world.roster.strain[:] = 1.0
    world.day = 1
    staff.staff_turnover(world)
    assert world.tally.of_world(0).staff_lost.sum() > 0
    assert world.tally.of_world(0).staff_lost_to_strain == pytest.approx(world.tally.of_world(0).staff_lost.sum())


def test_staff_categories_must_add_up():
    with pytest.raises(ValueError, match="street_share must add up to 1"):
        tiny_world(staff={"categories": CATEGORIES[:1]})


# ---- the signature: bistability, hysteresis -------------------------------------------

# committees of two streets under unlimited responsibility, every other behaviour off, so
# burnout is the only thing that remembers; strain-driven attrition 0.005 (between the
# preset's 0.002 and the staff section's default 0.01: with 0.01 vacancies alone trap the
# committees — today's model tips too —, with 0.002 staff barely move)
BURNOUT = {"staff.strain_productivity_loss": 0.8, "staff.strain_productivity_threshold": 0.3}
ATTRITION = {"staff.attrition_strain": 0.005}
RAMP_UP = np.linspace(0.4, 1.5, 80)
RAMP_DOWN = np.linspace(1.5, 0.5, 60)
BACK_AT = 0.5
HOLD = 200


def committee_staff_paths(seeds: tuple[int, ...], **over) -> tuple[np.ndarray, np.ndarray]:
    """Committees' staff in post (share of posts) and mean strain, day by day (one row per
    seed), as demand is ramped up, held, ramped down to BACK_AT and held there. The seeds
    are stepped as one stack (World.build_stack: each world bit for bit its run alone,
    tests/test_stacking.py), about half the CPU of one world at a time."""
    multipliers = np.concatenate([RAMP_UP, np.full(30, 1.5), RAMP_DOWN, np.full(HOLD, BACK_AT)])
    settings = {**BEHAVIOURS_OFF, "days": multipliers.size + 1, "warmup_days": 0,
                "structure.departments_per_district": 2, "structure.streets_per_district": 2,
                "structure.committees_per_street": 8, "structure.social_organisation_pool_per_district": 0,
                **ATTRITION, **over}
    world = World.build_stack(load_scenario("scenarios/unlimited-responsibility.yaml", settings), list(seeds))
    offices = world.roster.size // len(seeds)
    rows = [slice(w * offices, (w + 1) * offices) for w in range(len(seeds))]  # world w's offices
    committees = [world.roster.level[r] == COMMITTEE for r in rows]
    posts = [world.roster.posts[r][c].sum() for r, c in zip(rows, committees)]
    in_post, strain = [], []
    for m in multipliers:
        world.levers = world.levers.model_copy(update={"demand_multiplier": float(m)})
        play_day(world)
        in_post.append([world.roster.staff[r][c].sum() / p for r, c, p in zip(rows, committees, posts)])
        strain.append([world.roster.strain[r][c].mean() for r, c in zip(rows, committees)])
    return np.array(in_post).T, np.array(strain).T


def hysteresis(seeds=(1, 2, 3, 4), **over) -> tuple[float, float]:
    """Staff in post and strain, over the last 60 days back at BACK_AT, against their values
    on the way up at the same demand (days around it, averaged over seeds). The staff gap
    of one seed is noisy (0.04-0.16 without burnout, 0.10-0.19 with it, seeds 1-6 on
    common decision draws), so four seeds, not two."""
    up_at = int(np.argmin(np.abs(RAMP_UP - BACK_AT)))
    gaps_staff, gaps_strain = [], []
    for in_post, strain in zip(*committee_staff_paths(seeds, **over)):
        gaps_staff.append(in_post[up_at - 5 : up_at + 5].mean() - in_post[-60:].mean())
        gaps_strain.append(strain[-60:].mean() - strain[up_at - 5 : up_at + 5].mean())
    return float(np.mean(gaps_staff)), float(np.mean(gaps_strain))


@pytest.mark.slow  # a demand ramp up and down on several seeds (~8 s of CPU)
def test_burnout_tipping_demand_ramped_up_and_back_down_leaves_committees_short_of_staff_and_strained():
    """BEHAVIOUR.md §7 signature: at the same demand, committees that were pushed over the
    edge stay short-staffed and strained 200 days after demand came back down."""
    staff_gap, strain_gap = hysteresis(**BURNOUT)
    assert staff_gap > 0.1
    assert strain_gap > 0.4


@pytest.mark.slow  # a demand ramp up and down on several seeds (~8 s of CPU)
def test_without_burnout_the_committees_recover_when_demand_comes_back_down():
    """The lever off (staff.strain_productivity_loss: 0): the signature above fails."""
    staff_gap, strain_gap = hysteresis(**{"staff.strain_productivity_loss": 0.0})
    assert staff_gap < 0.1
    assert strain_gap < 0.25


def committee_strain_after(days: int, demand: float, seeds=(1, 2, 3), **over) -> np.ndarray:
    """Each committee's strain after `days` at constant departments' demand, over seeds
    (stepped as one stack: each world bit for bit its run alone)."""
    settings = {**BEHAVIOURS_OFF, "days": days + 1, "warmup_days": 0,
                "structure.departments_per_district": 2, "structure.streets_per_district": 2,
                "structure.committees_per_street": 8, "structure.social_organisation_pool_per_district": 0,
                "levers.demand_multiplier": demand, **ATTRITION, **over}
    world = World.build_stack(load_scenario("scenarios/unlimited-responsibility.yaml", settings), list(seeds))
    for _ in range(days):
        play_day(world)
    return world.roster.strain[world.roster.level == COMMITTEE]  # world by world, as the seeds


@pytest.mark.slow  # many committees near the threshold over months (~8 s of CPU)
def test_near_the_threshold_identical_committees_end_in_two_states_some_burnt_out_some_not():
    """BEHAVIOUR.md §7: near the threshold some collapse and others do not. At the same
    constant demand, committees with the same parameters split into a burnt-out group (strain
    near its ceiling, ≥ 0.5) and a rested one (< 0.3); without the loss few reach 0.5."""
    on = committee_strain_after(300, 0.7, **BURNOUT)
    off = committee_strain_after(300, 0.7, **{"staff.strain_productivity_loss": 0.0})
    assert (on >= 0.5).mean() > 0.4 and (on < 0.3).mean() > 0.15
    assert (off >= 0.5).mean() < 0.2
