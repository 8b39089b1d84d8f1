"""The expected-flow ("mean-field") calculation of a scenario: hours per office per day
at each level, from arrival rates, mean efforts and routing probabilities alone, with no
simulation (issue 15: a model that arithmetic reproduces everywhere is not done).

It holds for the model with every behaviour off (`BEHAVIOURS_OFF`), no admission gates,
no purchasing or stations, no abandonment and low load (offices' backlogs near zero, so
the push-down sensitivity to backlog does not act). Departments keep a share
1 − p of what they create, streets keep 1 − p_s of what reaches them, the rest reaches
the committee of the territory; below a department only the part of a task not needing
authority is done, the authority part is done by the responsible department.
"""

from __future__ import annotations

from sim import Scenario
from sim.levels import COMMITTEE, DEPARTMENT, STREET

# every issue-15 behaviour off: the model before the offices decided
BEHAVIOURS_OFF = {
    "levers.campaigns_per_year": 0,
    "levers.coping_threshold_days": None,
    "levers.documentation_overhead": 0.0,
    "self_governance.latent_hours_per_committee_day": 0.0,
    "levers.compliance_learning_rate": 0.0,
    "structure.heterogeneity_cv": 0.0,
    "staff.strain_productivity_loss": 0.0,
    "levers.ranking_pressure": 0.0,
    "levers.blame_shifting": 0.0,
}


def expected_utilisation(s: Scenario) -> dict[int, float]:
    """Expected hours worked per normal hour, at departments, streets and committees."""
    st, lv = s.structure, s.levers
    n_dep, n_st = st.departments_per_district, st.streets_per_district
    n_com = n_st * st.committees_per_street
    p = lv.push_down_propensity
    p_s = p if lv.street_push_down_propensity is None else lv.street_push_down_propensity
    hours = {DEPARTMENT: 0.0, STREET: 0.0, COMMITTEE: 0.0}  # per district per day
    assessed = {STREET: lv.assessment_intensity,
                COMMITTEE: lv.assessment_intensity if lv.committee_assessment_intensity is None
                else lv.committee_assessment_intensity}
    n_assess = sum(k.origin == "assessment" for k in s.task_kinds)
    for k in s.task_kinds:
        a = k.authority_share if k.needs_authority else 0.0
        e = k.effort_mean_hours
        if k.origin == "department":
            daily = k.rate_per_day * n_dep * (1.0 - (k.redundant_share if lv.data_sharing else 0.0))
            kept, at_street, at_committee = 1.0 - p, p * (1.0 - p_s), p * p_s
            hours[DEPARTMENT] += daily * e * (kept + (at_street + at_committee) * a)
            hours[STREET] += daily * e * at_street * (1.0 - a)
            hours[COMMITTEE] += daily * e * at_committee * (1.0 - a)
        elif k.origin == "residents":
            daily = k.rate_per_day * n_com
            hours[COMMITTEE] += daily * e * (1.0 - a)
            hours[DEPARTMENT] += daily * e * a
        elif n_assess:
            for level, offices in ((STREET, n_st), (COMMITTEE, n_com)):
                hours[level] += assessed[level] / n_assess * offices * e
    capacity = {
        DEPARTMENT: n_dep * s.department.staff,
        STREET: n_st * s.street.staff,
        COMMITTEE: n_com * s.committee.staff,
    }
    return {lv_: hours[lv_] / (capacity[lv_] * s.staff.hours_per_day) for lv_ in hours}
