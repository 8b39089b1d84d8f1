"""Campaigns and communities that respond (issue 15, BEHAVIOUR.md §5 and §6): their
signatures, each shown to vanish with its lever off.

The world is two districts of twelve committees under the admission-list regime (spare
hours exist, so self-governance has room to grow). A campaign is set to run in district 1
only, on days 60-74; district 2 is the control with the same parameters and seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.levels import COMMITTEE
from sim.model import TiaokuaiModel
from sim.scenario_io import load_scenario

CAMPAIGN = slice(60, 75)
DAYS = 180


def two_districts(**overrides):
    base = {
        "days": DAYS,
        "warmup_days": 20,
        "structure.districts": 2,
        "structure.departments_per_district": 1,
        "structure.streets_per_district": 2,
        "structure.committees_per_street": 6,
        "structure.social_organisation_pool_per_district": 0,
        "levers.campaigns_per_year": 2,  # the calendar is then set by `play`
    }
    return load_scenario("scenarios/admission-list.yaml", {**base, **overrides})


def play(scenario, campaign_in_first_district: bool, seed: int = 3):
    """Run day by day; per day, mean participation and self-governance hours of the
    committees of each district."""
    model = TiaokuaiModel(scenario, seed)
    world = model.world
    b = world.behaviour
    b.campaign_active[:] = False
    if campaign_in_first_district:
        b.campaign_active[CAMPAIGN, 0] = True
    coms = b.committees
    district = world.roster.district[coms]
    part = np.zeros((DAYS + 1, 2))
    hours = np.zeros((DAYS + 1, 2))
    for day in range(1, DAYS + 1):
        model.step()
        for d in (0, 1):
            part[day, d] = b.participation[coms[district == d]].mean()
            hours[day, d] = b.self_governance_taken[coms[district == d]].mean()
    return part, hours


@pytest.mark.slow  # paired year-long runs (~2 s of CPU)
def test_self_governance_falls_during_a_campaign_and_recovers_slowly():
    """BEHAVIOUR.md §5: during the campaign the hit district's committees take up less
    self-governance than on the same days without it; a month after the campaign has
    ended, participation is still lower."""
    scenario = two_districts()
    part_c, hours_c = play(scenario, campaign_in_first_district=True)
    part_0, hours_0 = play(scenario, campaign_in_first_district=False)
    during = hours_c[CAMPAIGN, 0].mean(), hours_0[CAMPAIGN, 0].mean()
    assert during[0] < 0.5 * during[1], during
    after = slice(CAMPAIGN.stop + 20, CAMPAIGN.stop + 40)
    assert part_c[after, 0].mean() < part_0[after, 0].mean() - 0.05
    # it does recover, slowly: the gap shrinks but is still there 20-40 days after the end
    gap_end = part_0[CAMPAIGN.stop, 0] - part_c[CAMPAIGN.stop, 0]
    gap_after = part_0[after, 0].mean() - part_c[after, 0].mean()
    assert 0 < gap_after < gap_end


@pytest.mark.slow  # paired year-long runs (~2 s of CPU)
def test_without_campaigns_the_district_sees_no_campaign():
    """The lever off: campaigns_per_year = 0 builds no campaign kind, so setting the
    calendar changes nothing and the two runs are identical (the signature above needs the lever)."""
    scenario = two_districts(**{"levers.campaigns_per_year": 0})
    part_c, hours_c = play(scenario, campaign_in_first_district=True)
    part_0, hours_0 = play(scenario, campaign_in_first_district=False)
    np.testing.assert_array_equal(part_c, part_0)
    np.testing.assert_array_equal(hours_c, hours_0)


def test_path_dependence_committees_that_lost_participation_stay_below():
    """BEHAVIOUR.md §6: two districts with the same parameters, one hit by a campaign:
    long after it, its committees' participation (and the self-governance it brings) stays
    below the other district's."""
    part, hours = play(two_districts(), campaign_in_first_district=True)
    before = slice(CAMPAIGN.start - 20, CAMPAIGN.start)
    gap_before = part[before, 1].mean() - part[before, 0].mean()
    assert abs(gap_before) < 0.1  # the districts start alike (up to their own luck)
    later = slice(CAMPAIGN.stop + 30, CAMPAIGN.stop + 60)
    assert part[later, 1].mean() - part[later, 0].mean() > gap_before + 0.08


@pytest.mark.parametrize("lever", [{"self_governance.latent_hours_per_committee_day": 0.0},
                                   {"self_governance.participation_decay": 0.0}])
def test_without_responsive_communities_there_is_no_path_dependence(lever):
    """The lever off (no latent demand, or participation that never decays): the campaign
    leaves no lasting gap in participation between the districts."""
    part, _ = play(two_districts(**lever), campaign_in_first_district=True)
    before = slice(CAMPAIGN.start - 20, CAMPAIGN.start)
    later = slice(CAMPAIGN.stop + 30, CAMPAIGN.stop + 60)
    gap_before = part[before, 1].mean() - part[before, 0].mean()
    assert part[later, 1].mean() - part[later, 0].mean() <= gap_before + 0.03


def test_absolute_self_governance_hours_separate_the_regimes():
    """BEHAVIOUR.md 'Outcomes': under unlimited responsibility committees have no spare
    hours, participation collapses and the latent demand goes unserved; under admission
    lists they take it up."""
    over = {k: v for k, v in {
        "days": 150, "warmup_days": 50, "structure.streets_per_district": 2,
        "structure.committees_per_street": 6, "structure.departments_per_district": 1,
        "structure.social_organisation_pool_per_district": 0, "levers.campaigns_per_year": 0,
    }.items()}
    from sim.model import run

    unlimited = run(load_scenario("scenarios/unlimited-responsibility.yaml", over), 2).summary
    gated = run(load_scenario("scenarios/admission-list.yaml", over), 2).summary
    assert gated["committee_self_governance_hours_mean"] > unlimited["committee_self_governance_hours_mean"] + 2.0
    assert gated["participation_mean"] > unlimited["participation_mean"] + 0.2
    assert unlimited["self_governance_unmet_share"] > gated["self_governance_unmet_share"] + 0.3
    assert COMMITTEE == 3  # participation is a committee stock
