"""Each mechanism lever moves the outcome the sources say it moves (BRIEF 5–11).

Six seeds, common random numbers; the 95% CI of the paired difference must exclude zero.
"""

import numpy as np
import pytest

from sim import run, with_overrides
from tests.support.cities import small
from tests.support.paired import assert_higher, paired, summary

pytestmark = pytest.mark.slow  # paired runs of a 90-day city per lever; the rule tests (test_rules) are the fast tier


def test_more_escalation_acceptance_means_fewer_bounces():
    low = small(levers__escalation_acceptance=0.1)
    high = small(levers__escalation_acceptance=0.9)
    r = paired({"low": low, "high": high}, "bounces_per_task_mean")
    assert_higher(r["low"], r["high"], "bounces with reluctant departments")


def test_bounce_limit_caps_the_ping_pong():
    scenario = small(levers__escalation_acceptance=0.0, levers__bounce_limit=2, days=60)
    model_run = run(scenario, 4)
    assert model_run.summary["escalations_total"] > 0
    from sim import TiaokuaiModel

    model = TiaokuaiModel(scenario, 4)
    for _ in range(60):
        model.step()
    assert model.tasks.bounces.max() <= 2


def test_authority_work_is_finished_by_departments_not_below():
    """Tasks needing authority and pushed down come back up: nothing that needs a
    department's authority is finished below it."""
    from sim import TiaokuaiModel

    model = TiaokuaiModel(small(days=40), 2)
    finished_below = 0
    for _ in range(40):
        model.step()
        t = model.tasks
        below = model.roster.level[t.holder] != 0
        finished_below += int(((t.state == 1) & below & (t.authority_left > 1e-9)).sum())
    assert finished_below == 0
    assert model.tally.escalations > 0


def test_assessment_load_crowds_out_self_governance():
    none = small(levers__assessment_intensity=0.0)
    heavy = small(levers__assessment_intensity=3.0)
    r = paired({"none": none, "heavy": heavy}, "committee_self_governance_share")
    assert_higher(r["none"], r["heavy"], "self-governance share without assessments")


def test_overdue_work_puts_blame_on_its_holder():
    overloaded = run(small(committee__staff=3), 1).summary
    light = small()
    light = light.model_copy(
        update={"task_kinds": tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * 0.05}) for k in light.task_kinds)}
    )
    relaxed = run(light, 1).summary
    assert overloaded["blame_committee_total"] > 0
    assert relaxed["blame_committee_total"] == 0 and relaxed["blame_street_total"] == 0


def test_reverse_evaluation_lowers_work_sunk_to_committees():
    off = small()
    on = small(levers__reverse_evaluation=True)
    r = paired({"off": off, "on": on}, "committee_utilisation_mean")
    assert_higher(r["off"], r["on"], "committee utilisation without reverse evaluation")


def test_service_stations_restore_committee_self_governance_and_cut_their_backlog():
    off = small()
    on = small("service-stations")
    sg = paired({"off": off, "on": on}, "committee_self_governance_share")
    assert_higher(sg["on"], sg["off"], "self-governance share with stations")
    backlog = paired({"off": off, "on": on}, "committee_backlog_hours_mean")
    assert_higher(backlog["off"], backlog["on"], "committee backlog without stations")
    station = paired({"on": on}, "station_utilisation_mean")["on"]
    assert (station > 0.1).all()


def test_purchasing_relieves_streets_and_committees_and_never_overspends():
    off = small()
    on = small("purchased-services")
    street = paired({"off": off, "on": on}, "street_utilisation_mean")
    assert_higher(street["off"], street["on"], "street utilisation without purchasing")
    com = paired({"off": off, "on": on}, "committee_backlog_hours_mean")
    assert_higher(com["off"], com["on"], "committee backlog without purchasing")
    for seed in range(3):
        s = summary(on, seed)
        budget = on.street.budget_per_day * on.levers.purchasing_budget_share
        streets = on.structure.districts * on.structure.streets_per_district
        assert 0 < s["purchase_spend_total"] <= budget * streets * on.days + 1e-6
        assert s["social_organisation_hours_purchased"] > 0


def test_low_quality_organisations_cause_rework():
    good = small("purchased-services", levers__social_organisation_quality=1.0)
    poor = small("purchased-services", levers__social_organisation_quality=0.5)
    r = paired({"good": good, "poor": poor}, "rework_total", seeds=range(3))
    assert (r["good"] == 0).all() and (r["poor"] > 0).all()


def test_a_higher_entry_threshold_means_fewer_organisations():
    from sim import TiaokuaiModel

    def count(threshold):
        model = TiaokuaiModel(small("purchased-services", levers__social_organisation_entry_threshold=threshold), 0)
        return len(model.agents_by_type[type(model.offices[-1])])

    assert count(0.2) > count(0.8) > 0


def test_data_sharing_removes_redundant_collection():
    off = small()
    on = small(levers__data_sharing=True)
    r = paired({"off": off, "on": on}, "tasks_created")
    assert_higher(r["off"], r["on"], "tasks created without data sharing")


def test_sustained_overload_drives_staff_out_and_capacity_down():
    """Far more work than staff: overtime at the ceiling, strain, staff lost beyond the base rate."""
    overloaded = small(days=150, committee__staff=3, staff__attrition_base=0.0)
    result = run(overloaded, 1)
    ts = result.timeseries
    committees = ts[ts.level == "committee"]
    assert result.summary["staff_lost_total"] > 0
    assert committees.staff.iloc[-1] < committees.staff.iloc[0]
    assert committees.overtime_hours.iloc[-30:].mean() > 0


def test_no_overload_loses_no_more_staff_than_the_base_rate():
    """With light work there is no overtime, so losses follow the base rate alone."""
    light = small(days=150)
    light = light.model_copy(
        update={"task_kinds": tuple(k.model_copy(update={"rate_per_day": k.rate_per_day * 0.05}) for k in light.task_kinds)}
    )
    result = run(light, 2)
    assert result.summary["overtime_hours_total"] == 0
    staff0 = result.timeseries.groupby("day").staff.sum().iloc[0]
    p = light.staff.attrition_base
    expected = staff0 * p * light.days
    sd = np.sqrt(expected)
    assert result.summary["staff_lost_total"] <= expected + 4 * sd + 1


def test_streets_can_hand_down_less_than_departments():
    """A separate street propensity keeps work at the street level (Guiyang's centres)."""
    same = small()
    keep = small(levers__street_push_down_propensity=0.2)
    r = paired({"same": same, "keep": keep}, "street_utilisation_mean", seeds=range(4))
    assert_higher(r["keep"], r["same"], "street utilisation when streets keep more")


def test_committees_can_be_spared_assessment():
    both = small(levers__assessment_intensity=2.0)
    streets_only = small(levers__assessment_intensity=2.0, levers__committee_assessment_intensity=0.0)
    r = paired({"both": both, "streets_only": streets_only}, "committee_self_governance_share", seeds=range(4))
    assert_higher(r["streets_only"], r["both"], "self-governance share when committees are not assessed")
