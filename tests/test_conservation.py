"""Invariants that hold on every day of every run, whatever the levers (DESIGN §6)."""

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from sim import TiaokuaiModel, with_overrides
from sim.agents import LEVELS
from tests.support.cities import preset
from tests.support.tiers import examples

LEVER_SPACE = {
    "levers.push_down_propensity": st.floats(0, 1),
    "levers.street_gate.enabled": st.booleans(),
    "levers.street_gate.compliance": st.floats(0, 1),
    "levers.street_gate.review_days": st.integers(0, 5),
    "levers.committee_gate.enabled": st.booleans(),
    "levers.committee_gate.compliance": st.floats(0, 1),
    "levers.resources_follow_tasks": st.floats(0, 1),
    "levers.escalation_acceptance": st.floats(0, 1),
    "levers.bounce_limit": st.integers(0, 5),
    "levers.assessment_intensity": st.floats(0, 3),
    "levers.reverse_evaluation": st.booleans(),
    "levers.service_stations_per_street": st.integers(0, 2),
    "levers.purchasing_budget_share": st.floats(0, 1),
    "levers.social_organisation_entry_threshold": st.floats(0, 1),
    "levers.social_organisation_quality": st.floats(0, 1),
    "levers.data_sharing": st.booleans(),
    "staff.hiring_delay_days": st.integers(0, 30),
    "staff.attrition_strain": st.floats(0, 0.05),
    "structure.departments_per_district": st.integers(1, 4),
    "structure.streets_per_district": st.integers(1, 4),
    "structure.committees_per_street": st.integers(1, 5),
    "structure.districts": st.integers(1, 2),
    "committee.staff": st.integers(0, 6),
    "street.budget_per_day": st.floats(0, 20000),
}


@st.composite
def scenarios(draw):
    overrides = {k: draw(v) for k, v in LEVER_SPACE.items()}
    demand = draw(st.floats(0.05, 2.0))
    base = preset("unlimited-responsibility")
    kinds = [k.model_copy(update={"rate_per_day": k.rate_per_day * demand}) for k in base.task_kinds]
    scenario = with_overrides(base, {**overrides, "days": 40, "warmup_days": 10})
    return scenario.model_copy(update={"task_kinds": tuple(kinds)})


def check_day(model: TiaokuaiModel) -> None:
    tally, t, roster = model.tally, model.tasks, model.roster
    open_now = int((t.state == 0).sum())
    assert tally.created + tally.reworked == tally.done + tally.abandoned + open_now, "created + reworked != done + abandoned + open"
    assert np.all(roster.hours_used <= roster.capacity + 1e-6), "an office worked more hours than it had"
    s = model.config.staff
    assert np.all(roster.capacity <= roster.posts * s.hours_per_day * (1 + s.overtime_ceiling) + 1e-6)
    assert np.all(t.effort_left[t.state == 0] >= -1e-9)
    assert np.all(roster.purchase_budget >= -1e-6) and np.all(roster.funding_budget >= -1e-6)


def check_money(model: TiaokuaiModel) -> None:
    """Funded hours are conserved: what senders paid for, receivers got and used or still hold."""
    tally, t, days = model.tally, model.tasks, model.day
    accrued = model.daily_funding.sum() * days
    paid_hours = (accrued - model.roster.funding_budget.sum()) / model.config.staff.hourly_cost
    assert np.isclose(paid_hours, tally.funded_given, rtol=1e-9, atol=1e-6)
    on_open = float(t.funded[t.state == 0].sum())
    accounted = on_open + tally.funded_used + tally.funded_abandoned + tally.funded_left_over
    assert np.isclose(tally.funded_given, accounted, rtol=1e-9, atol=1e-6)
    spent = model.daily_purchasing.sum() * days - model.roster.purchase_budget.sum()
    assert np.isclose(spent, tally.purchase_spend, rtol=1e-9, atol=1e-6)


# the whole suite (make test) draws 25 and 10 cases; make test-fast draws fewer of the same kind
@settings(max_examples=examples(full=25, fast=6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_every_task_is_in_exactly_one_state_and_no_office_overworks(scenario, seed):
    model = TiaokuaiModel(scenario, seed)
    for _ in range(scenario.days):
        model.step()
        check_day(model)
    check_money(model)


@settings(max_examples=examples(full=10, fast=3), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0.1, 1.0))
def test_funded_hours_sent_down_are_received_and_accounted(seed, share):
    scenario = with_overrides(
        preset("gate-and-resources"),
        {"levers.resources_follow_tasks": share, "days": 40, "warmup_days": 10,
         "structure.streets_per_district": 3, "structure.committees_per_street": 3},
    )
    model = TiaokuaiModel(scenario, seed)
    for _ in range(scenario.days):
        model.step()
    assert model.tally.funded_given > 0
    check_money(model)


def test_timeseries_has_one_row_per_day_per_level(small_city):
    from sim import run

    result = run(small_city(days=30, warmup=5), seed=3)
    ts = result.timeseries
    assert len(ts) == 30 * len(LEVELS)
    assert set(ts.level) == set(LEVELS)
    assert (ts.groupby("day").size() == len(LEVELS)).all()
    assert ts.tasks_done.sum() == result.summary["tasks_done"]
