"""Stacks over levers (issue 19): the worlds of one stack may run different regimes —
scenarios that differ in their levers but not in their city — and each run taken from
such a stack must be bit for bit `run(its scenario, its seed)`: every summary value and
the per-day table, whatever the other regimes and seeds of the stack and their order.
Scenarios whose cities or kinds differ are refused, naming what differs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run, run_stack, with_overrides
from sim.world import LeverDiffers, World, stack_key
from tests.support.cities import CITY_MECHANISMS
from tests.support.identical import same

ROOT = Path(__file__).resolve().parents[1]
SHORT = {"days": 40, "warmup_days": 10}
SHIPPED = ("unlimited-responsibility", "admission-list", "leaky-admission-list", "resources-follow-tasks",
           "gate-and-resources")


def shipped(name: str, **more):
    return with_overrides(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), {**SHORT, **more})


@pytest.fixture(scope="module")
def regimes():
    """The shipped regimes that share the preset's city, and levers on top of them: demand
    and data sharing, and the matched-cost arm's extra committee staff."""
    out = {name: shipped(name) for name in SHIPPED}
    out["busy-sharing"] = shipped("unlimited-responsibility", **{
        "levers.demand_multiplier": 1.3, "levers.data_sharing": True})
    out["gated-busy"] = shipped("gate-and-resources", **{"levers.demand_multiplier": 1.3})
    out["staffed"] = shipped("unlimited-responsibility", **{"levers.extra_committee_staff_per_street": 14})
    return out


@pytest.fixture(scope="module")
def alone(regimes):
    return {(name, seed): run(s, seed) for name, s in regimes.items() for seed in (1, 2)}


def check(results, names, seeds, regimes, alone) -> None:
    assert len(results) == len(names)
    for name, seed, result in zip(names, seeds, results):
        ref = alone.get((name, seed)) or run(regimes[name], seed)
        assert list(result.summary) == list(ref.summary)
        differ = [k for k in ref.summary if not same(ref.summary[k], result.summary[k])]
        assert not differ, f"{name}@{seed} in stack {list(zip(names, seeds))}: {differ}"
        pd.testing.assert_frame_equal(result.timeseries, ref.timeseries, check_exact=True)


STACKS = [
    (["admission-list", "unlimited-responsibility"], [1, 1]),
    (list(SHIPPED), [1, 1, 1, 1, 1]),
    (list(reversed(SHIPPED)), [2, 1, 2, 1, 2]),
    (["busy-sharing", "gate-and-resources", "busy-sharing", "unlimited-responsibility"], [1, 1, 2, 2]),
    (["staffed", "gated-busy", "leaky-admission-list", "staffed", "resources-follow-tasks", "admission-list",
      "busy-sharing", "unlimited-responsibility"], [2, 1, 1, 1, 2, 2, 2, 1]),
]


@pytest.mark.slow
@pytest.mark.parametrize("names,seeds", STACKS)
def test_a_run_from_a_stack_of_regimes_is_the_run_alone(regimes, alone, names, seeds):
    results = run_stack([regimes[n] for n in names], seeds)
    check(results, names, seeds, regimes, alone)


@pytest.mark.slow
def test_the_regimes_of_a_stack_differ(regimes, alone):
    """The stacks above compare something: on one seed the regimes' runs differ, and the
    mechanisms the levers switch acted."""
    base = alone[("unlimited-responsibility", 1)].summary
    for name in regimes:
        if name != "unlimited-responsibility":
            s = alone[(name, 1)].summary
            assert any(not same(base[k], s[k]) for k in base if k != "scenario"), name
    assert alone[("admission-list", 1)].summary["refusals_total"] > 0
    assert alone[("leaky-admission-list", 1)].summary["gate_leaks_total"] > 0
    assert alone[("resources-follow-tasks", 1)].summary["funded_hours_total"] > 0
    assert alone[("busy-sharing", 1)].summary["tasks_created"] < alone[("gated-busy", 1)].summary["tasks_created"]


# behaviours and the rest of the levers, each on in some worlds and off (or another value)
# in others, on a city with every mechanism (tests/test_stacking.py's EVERYTHING, shorter)
MECHANISMS = {
    "days": 40,
    "warmup_days": 10,
    **CITY_MECHANISMS,
}
VARIANTS = {
    "plain": {},
    "everything": {
        "levers.street_gate.enabled": True, "levers.street_gate.compliance": 0.7, "levers.street_gate.review_days": 1,
        "levers.committee_gate.enabled": True, "levers.committee_gate.compliance": 0.6,
        "levers.resources_follow_tasks": 0.3, "levers.purchasing_budget_share": 0.4,
        "levers.reverse_evaluation": True, "levers.data_sharing": True, "levers.coping_threshold_days": 1.0,
        "levers.compliance_learning_rate": 0.05, "levers.documentation_overhead": 0.05,
        "levers.extra_committee_staff_per_street": 3, "levers.coping_rations_residents": True,
        "levers.ranking_pressure": 0.3,
    },
    "behaviours-off": {
        "levers.coping_threshold_days": None, "levers.blame_shifting": 0.0, "levers.documentation_overhead": 0.0,
        "levers.ranking_pressure": 0.0, "levers.compliance_learning_rate": 0.0, "levers.assessment_intensity": 0.0,
        "levers.street_gate.enabled": True, "levers.street_gate.review_days": 2,
    },
    "other-values": {
        "levers.push_down_propensity": 0.6, "levers.street_push_down_propensity": 0.9,
        "levers.push_down_backlog_sensitivity": 0.3, "levers.escalation_acceptance": 0.2, "levers.bounce_limit": 1,
        "levers.escalation_retry_days": 5, "levers.committee_assessment_intensity": 1.5,
        "levers.campaigns_per_year": 10.0, "levers.coping_threshold_days": 0.5, "levers.box_ticking_effort_share": 0.3,
        "levers.rework_probability": 0.9, "levers.blame_decay": 0.2, "levers.blame_shifting": 0.3,
        "levers.documentation_overhead": 0.2, "levers.ranking_pressure": 0.5, "levers.reverse_evaluation": True,
        "levers.reverse_evaluation_sensitivity": 0.9, "levers.demand_multiplier": 1.2,
        "levers.street_gate.enabled": True, "levers.street_gate.compliance": 0.3,
        "levers.street_gate.listed": ["data_collection", "policy_campaign"], "levers.compliance_learning_rate": 0.2,
        "levers.audit_rate": 0.3, "levers.leak_sanction": 0.6,
    },
    "buyers": {
        "levers.purchasing_budget_share": 0.7, "levers.social_organisation_price_per_hour": 50.0,
        "levers.social_organisation_quality": 0.5, "levers.rework_share": 0.9,
        "levers.social_organisation_max_backlog_days": 1.0, "levers.social_organisation_staff": 6,
        "levers.station_staff": 12, "levers.resources_follow_tasks": 0.8,
    },
}


@pytest.fixture(scope="module")
def variants():
    base = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    kinds = [k.name for k in base.task_kinds]
    assert {"data_collection", "policy_campaign"} <= set(kinds), kinds  # the listed kind of "other-values"
    return {name: with_overrides(base, {**MECHANISMS, **over, "name": name}) for name, over in VARIANTS.items()}


@pytest.mark.slow
@pytest.mark.parametrize("names,seeds", [
    (list(VARIANTS), [1, 1, 1, 1, 1]),
    (["buyers", "other-values", "plain", "everything", "behaviours-off", "other-values"], [2, 1, 2, 2, 1, 2]),
])
def test_a_run_from_a_stack_mixing_every_lever_is_the_run_alone(variants, names, seeds):
    results = run_stack([variants[n] for n in names], seeds)
    check(results, names, seeds, variants, {})


@pytest.mark.slow
def test_the_mixed_levers_act(variants):
    """The levers mixed above change the runs (so a world reading another's would show)."""
    one = {name: run(s, 1, timeseries=False).summary for name, s in variants.items()}
    assert one["everything"]["social_organisation_hours_purchased"] > 0
    bought = "social_organisation_hours_purchased"
    assert one["buyers"][bought] != one["everything"][bought]
    assert one["other-values"]["audits_total"] > 0 and one["everything"]["audits_total"] > 0
    assert one["behaviours-off"]["formalism_hours_share"] == 0 < one["everything"]["formalism_hours_share"]
    assert one["other-values"]["bounces_per_task_mean"] != one["plain"]["bounces_per_task_mean"]
    assert one["other-values"]["campaign_hours_total"] != one["plain"]["campaign_hours_total"]
    assert one["other-values"]["refusals_total"] > 0
    assert one["behaviours-off"]["refusals_total"] > 0 and one["plain"]["refusals_total"] == 0


def test_a_stack_of_regimes_gives_each_world_its_own_levers(regimes):
    names = ["unlimited-responsibility", "gate-and-resources", "staffed"]
    world = World.build_stack([regimes[n] for n in names], [1, 1, 1])
    assert world.lever("data_sharing") is False  # shared: one value
    assert world.lever("resources_follow_tasks").tolist() == [0.0, 0.5, 0.0]
    assert world.levers.data_sharing is False
    with pytest.raises(LeverDiffers, match="street_gate"):
        world.levers.street_gate  # noqa: B018 - a rule may not read a lever the worlds do not share as one
    n = world.n_offices
    for w, name in enumerate(names):  # each world's staff from its own scenario
        assert (world.roster.staff[w * n : (w + 1) * n] == World.build(regimes[name], 1).roster.staff).all()
    # the roster of a stack of regimes is the same city in every world
    assert (world.roster.level[:n] == world.roster.level[2 * n :]).all()


@pytest.mark.parametrize("other,what", [
    (lambda: shipped("service-stations"), "service_stations_per_street"),
    (lambda: shipped("purchased-services"), "social_organisation_entry_threshold"),
    (lambda: shipped("unlimited-responsibility", **{"street.budget_per_day": 5000.0}), "street.budget_per_day"),
    (lambda: shipped("unlimited-responsibility", **{"structure.committees_per_street": 12}),
     "structure.committees_per_street"),
    (lambda: shipped("unlimited-responsibility", **{"levers.campaigns_per_year": 5.0}), "campaigns"),
    (lambda: shipped("unlimited-responsibility", days=41), "days"),
])
def test_scenarios_that_differ_in_their_city_are_refused(other, what):
    base = shipped("admission-list")
    with pytest.raises(ValueError, match=f"cannot share a stack: they differ in .*{what}"):
        run_stack([base, other()], [1, 1])
    assert stack_key(base) != stack_key(other())
    assert stack_key(base) == stack_key(shipped("gate-and-resources", **{"levers.demand_multiplier": 0.7}))


def test_run_stack_needs_one_scenario_per_seed(regimes):
    with pytest.raises(ValueError, match="one scenario per seed"):
        run_stack([regimes["admission-list"]], [1, 2])


def test_a_small_city_s_regimes_stacked_are_their_runs_alone():
    """The fast tier's check: the shipped regimes and levers on a small city, 30 days,
    stacked in one stack with seeds mixed, each run bit for bit its run alone."""
    from tests.support.cities import SMALL_CITY

    small = {**SMALL_CITY, "days": 30, "warmup_days": 5}
    regimes = {name: shipped(name, **small) for name in SHIPPED}
    regimes["busy-sharing"] = shipped("unlimited-responsibility", **small, **{
        "levers.demand_multiplier": 1.3, "levers.data_sharing": True, "levers.ranking_pressure": 0.0,
        "levers.coping_threshold_days": None, "levers.extra_committee_staff_per_street": 5})
    names = ["gate-and-resources", "busy-sharing", "unlimited-responsibility", "leaky-admission-list",
             "admission-list", "resources-follow-tasks", "busy-sharing"]
    seeds = [3, 1, 3, 2, 3, 1, 2]
    check(run_stack([regimes[n] for n in names], seeds), names, seeds, regimes, {})


def small_regime(name: str, **levers):
    from tests.support.cities import SMALL_CITY

    over = {**SMALL_CITY, "days": 30, "warmup_days": 5, "name": name}
    return with_overrides(load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml"),
                          {**over, **{f"levers.{k}": v for k, v in levers.items()}})


def test_worlds_whose_admission_lists_differ_in_length_share_a_stack():
    """Admission lists naming different numbers of kinds are one lever value per world (they
    were made into one NumPy array over the worlds' tuples, which NumPy refuses when their
    lengths differ: building the stack raised)."""
    short = small_regime("short", **{"street_gate.enabled": True, "street_gate.listed": ["data_collection"]})
    longer = small_regime("longer", **{"street_gate.enabled": True,
                                       "street_gate.listed": ["data_collection", "enforcement"]})
    regimes = {"short": short, "longer": longer}
    names, seeds = ["short", "longer", "short"], [1, 1, 2]
    results = run_stack([regimes[n] for n in names], seeds)
    check(results, names, seeds, regimes, {})
    assert all(r.summary["refusals_total"] > 0 for r in results)


@pytest.mark.parametrize("learning,sanction", [((0.05, 0.5), (0.2, 0.2)), ((0.05, 0.05), (0.0, 1.0))])
def test_worlds_that_learn_from_leaks_differently_share_a_stack(learning, sanction):
    """Leak learning with the learning rate per world and the sanction shared, and the other
    way round (a shared sanction was indexed as an array of the offices': the stack raised)."""
    leaky = {"street_gate.enabled": True, "street_gate.compliance": 0.3, "committee_gate.enabled": True,
             "committee_gate.compliance": 0.2, "audit_rate": 0.3}
    regimes = {f"w{w}": small_regime(f"w{w}", **leaky, compliance_learning_rate=r, leak_sanction=s)
               for w, (r, s) in enumerate(zip(learning, sanction))}
    names, seeds = ["w0", "w1", "w0"], [1, 1, 2]
    results = run_stack([regimes[n] for n in names], seeds)
    check(results, names, seeds, regimes, {})
    assert all(r.summary["gate_leaks_total"] > 0 for r in results)
    assert all(r.summary["audits_total"] > 0 for r in results)
