"""Signs of effects the sources describe, for the regime levers of the core (BRIEF 1–4).

Each law is checked on six seeds with common random numbers: the 95% CI of the paired
difference must exclude zero in the stated direction.
"""

import pytest

from sim import with_overrides
from tests.support.cities import small
from tests.support.paired import assert_higher, paired

pytestmark = pytest.mark.slow  # paired runs of a 90-day city on six seeds per law


def test_closing_the_street_gate_moves_load_from_streets_back_to_departments():
    open_ = small()
    closed = with_overrides(open_, {"levers.street_gate.enabled": True})
    dep = paired({"open": open_, "closed": closed}, "department_utilisation_mean")
    street = paired({"open": open_, "closed": closed}, "committee_utilisation_mean")
    assert_higher(dep["closed"], dep["open"], "department utilisation with the street gate closed")
    assert_higher(street["open"], street["closed"], "work reaching below streets with the gate open")
    returned = paired({"closed": closed}, "department_returned_hours")["closed"]
    assert (returned > 0).all()


def test_a_leaky_gate_lies_between_open_and_closed():
    arms = {
        "open": small(),
        "leaky": small("leaky-admission-list"),
        "closed": small("admission-list"),
    }
    for outcome in ("department_utilisation_mean", "committee_self_governance_share"):
        r = paired(arms, outcome)
        assert_higher(r["leaky"], r["open"], f"{outcome}: leaky vs open")
        assert_higher(r["closed"], r["leaky"], f"{outcome}: closed vs leaky")
    leaks = paired({"leaky": arms["leaky"], "closed": arms["closed"]}, "gate_leaks_total")
    assert (leaks["leaky"] > 0).all() and (leaks["closed"] == 0).all()


def test_resources_following_tasks_lower_the_unfunded_work_share():
    r = paired({"none": small(), "half": small("resources-follow-tasks")}, "unfunded_work_share")
    assert_higher(r["none"], r["half"], "unfunded work share without resources")
    assert (r["none"] == 1.0).all()


def test_unlimited_responsibility_crowds_out_committee_self_governance():
    r = paired({"unlimited": small(), "gated": small("admission-list")}, "committee_self_governance_share")
    assert_higher(r["gated"], r["unlimited"], "self-governance share with both gates closed")


def test_admission_review_delays_admitted_work():
    quick = small("admission-list")
    slow = with_overrides(quick, {"levers.street_gate.review_days": 10})
    r = paired({"quick": quick, "slow": slow}, "lead_time_days_mean")
    assert_higher(r["slow"], r["quick"], "lead time with a 10-day admission review")
