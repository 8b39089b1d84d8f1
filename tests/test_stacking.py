"""Stacked worlds (issue 19): a run's result does not depend on which other runs share its
stack. Runs are picked from stacks of different sizes and compositions (a seed alone, the
same seed twice in one stack, seeds in different orders, next to other seeds) and their
summaries and per-day tables must be bit for bit those of `run` of the same scenario and
seed, with every mechanism switched on.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run, run_stack, with_overrides
from sim.world import World
from tests.support.cities import CITY_MECHANISMS
from tests.support.identical import same

ROOT = Path(__file__).resolve().parents[1]
DAYS = 30  # every mechanism has acted by day 30 (test_the_mechanisms_under_test_are_on)

# every mechanism on: gates with review and leaks, funding, purchases, stations,
# escalation, assessment, reverse evaluation, data sharing, campaigns, coping and
# rationing, learned compliance, blame and documentation, offices that differ,
# co-production, strain, burnout and attrition by staff category
EVERYTHING = {
    "days": DAYS,
    "warmup_days": 10,
    **CITY_MECHANISMS,
    "levers.street_gate.enabled": True,
    "levers.street_gate.compliance": 0.7,
    "levers.street_gate.review_days": 1,
    "levers.committee_gate.enabled": True,
    "levers.committee_gate.compliance": 0.6,
    "levers.resources_follow_tasks": 0.3,
    "levers.purchasing_budget_share": 0.4,
    "levers.reverse_evaluation": True,
    "levers.data_sharing": True,
    "levers.coping_threshold_days": 1.0,
    "levers.compliance_learning_rate": 0.05,
    "levers.documentation_overhead": 0.05,
    "levers.extra_committee_staff_per_street": 3,
    "levers.coping_rations_residents": True,
}


@pytest.fixture(scope="module")
def scenario():
    base = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    return with_overrides(base, EVERYTHING)


@pytest.fixture(scope="module")
def alone(scenario):
    return {seed: run(scenario, seed) for seed in (1, 2, 5)}


@pytest.mark.parametrize("seeds", [[2], [5, 1], [1, 2, 5, 2], [5, 5, 1, 2, 7, 1]])
def test_a_run_from_any_stack_is_the_run_alone(scenario, alone, seeds):
    stacked = run_stack(scenario, seeds)
    assert len(stacked) == len(seeds)
    for seed, result in zip(seeds, stacked):
        if seed not in alone:
            continue
        ref = alone[seed]
        assert list(result.summary) == list(ref.summary)
        differ = [k for k in ref.summary if not same(ref.summary[k], result.summary[k])]
        assert not differ, f"seed {seed} in stack {seeds}: {differ}"
        pd.testing.assert_frame_equal(result.timeseries, ref.timeseries, check_exact=True)


def test_the_mechanisms_under_test_are_on(alone):
    s = alone[1].summary
    for key in ("refusals_total", "gate_leaks_total", "escalations_total", "funded_hours_total",
                "social_organisation_hours_purchased", "campaign_hours_total", "audits_total"):
        assert s[key] > 0, key
    assert s["formalism_hours_share"] > 0 and s["documentation_hours_share"] > 0
    assert s["coproduced_hours_total"] > 0 and s["staff_lost_total"] > 0


def test_a_stack_numbers_its_worlds_one_after_another(scenario):
    one = World.build(scenario, 1)
    three = World.build_stack(scenario, [1, 2, 3])
    n = one.roster.size
    assert three.roster.size == 3 * n and three.n_offices == n
    assert (three.office_world == [w for w in range(3) for _ in range(n)]).all()
    # world 2's topology is world 0's shifted by 2 n offices (and its districts by 2 D)
    d = one.topology.departments_of_district.shape[0]
    assert (three.topology.committees_of_district[2 * d :] == one.topology.committees_of_district + 2 * n).all()
    assert (three.roster.district[2 * n :] == one.roster.district + 2 * d).all()
    # every world's staff is its own seed's (offices that differ are drawn per seed)
    for w, seed in enumerate((1, 2, 3)):
        assert (three.roster.staff[w * n : (w + 1) * n] == World.build(scenario, seed).roster.staff).all()


def test_bad_seeds_in_a_stack_are_refused(scenario):
    with pytest.raises(ValueError, match="seed"):
        run_stack(scenario, [1, -2])


def test_what_a_stack_computes_in_one_pass_is_what_each_world_computes_alone():
    """The one-pass helpers of stacked arrivals and counts give, world by world, exactly
    the single world's numbers: task keys, per-world sums, gamma efforts."""
    import numpy as np

    from sim.draws import Source, task_keys, task_keys_of_worlds
    from sim.kinds import KindTable
    from sim.tally import sums_of_runs

    keys, sizes = [3, 2**64 - 5, 17, 3], np.array([4, 0, 1000, 7])
    alone = np.concatenate([task_keys(k, 9, Source.RESIDENTS, n) for k, n in zip(keys, sizes)])
    assert (task_keys_of_worlds(keys, 9, Source.RESIDENTS, sizes) == alone).all()

    rng = np.random.default_rng(4)
    values = rng.standard_gamma(0.7, int(sizes.sum())) * 13.1
    starts = np.cumsum(sizes) - sizes
    expected = [values[a : a + n].sum() if n else 0.0 for a, n in zip(starts, sizes)]
    assert sums_of_runs(values, sizes).tolist() == expected

    # one gamma draw with a shape per task is the draws of each run of one kind with its shape
    kinds = KindTable(load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml"))
    kind = np.repeat([3, 4, 6, 3], [50, 0, 300, 9])
    a, b = np.random.default_rng(8), np.random.default_rng(8)
    by_run = np.concatenate(
        [a.standard_gamma(1.0 / kinds.effort_cv[k] ** 2, n) * (kinds.effort_mean[k] / (1.0 / kinds.effort_cv[k] ** 2))
         for k, n in ((3, 50), (6, 300), (3, 9))]
    )
    assert (kinds.efforts(kind, b.standard_gamma(kinds.gamma_shape[kind])) == by_run).all()
    assert a.random() == b.random()  # and the generators are left in the same state
    from sim.rules.arrivals import kind_runs

    # runs of one kind never span two worlds, even when one world ends with the kind the next begins with
    kind = np.array([3, 3, 6, 6, 6, 3, 3, 6])
    assert kind_runs(kind, np.array([4, 0, 3, 1])) == [(3, 2), (6, 2), (6, 1), (3, 2), (6, 1)]

    # running totals within groups: each world's cumulative sum taken alone, a world's first
    # row starting a run even when its group number continues the world before
    from sim.ledger import running_total_within

    group = np.array([1, 1, 2, 2, 2, 2, 5, 5, 7, 7, 7])
    world = np.array([0, 0, 0, 1, 1, 1, 1, 1, 3, 3, 3])
    value = rng.standard_gamma(0.5, group.size) * 7.3
    alone = np.concatenate([running_total_within(group[world == w], value[world == w]) for w in (0, 1, 3)])
    assert running_total_within(group, value, world).tolist() == alone.tolist()
