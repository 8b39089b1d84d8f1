"""Offices that differ (issue 15, BEHAVIOUR.md §8): where responses are non-linear the
mean office is not the mean of the offices."""

from __future__ import annotations

import numpy as np
import pytest

from sim.behaviour import offices_that_differ
from sim.levels import COMMITTEE, DEPARTMENT, STREET
from sim.model import TiaokuaiModel
from tests.support.cities import small
from tests.test_behaviour_coping import formalism_by_load


def test_staff_and_population_vary_lognormally_around_the_scenarios_values_once_per_run():
    s = small(structure__heterogeneity_cv=0.4, structure__committees_per_street=60)
    a, b, c = (TiaokuaiModel(s, seed).world for seed in (3, 3, 4))
    coms = a.roster.level == COMMITTEE
    assert np.array_equal(a.roster.staff, b.roster.staff)  # drawn once per run, from the seed
    assert np.array_equal(a.behaviour.population, b.behaviour.population)
    assert not np.array_equal(a.roster.staff, c.roster.staff)
    assert a.roster.staff[coms].std() > 0 and abs(a.roster.staff[coms].mean() / s.committee.staff - 1) < 0.1
    pop = a.behaviour.population[coms]
    assert abs(pop.mean() - 1) < 0.1 and 0.25 < pop.std() < 0.55
    assert np.array_equal(a.roster.posts, a.roster.staff)


def test_with_no_heterogeneity_every_office_of_a_level_is_the_same():
    s = small(structure__heterogeneity_cv=0.0)
    level = np.array([DEPARTMENT, STREET, COMMITTEE, COMMITTEE])
    staff = np.array([40, 15, 5, 5])
    out, population = offices_that_differ(s, level, staff, seed=1)
    assert np.array_equal(out, staff) and np.all(population == 1.0)


@pytest.mark.slow  # a run per spread of offices (~2 s of CPU)
def test_the_mean_office_is_not_the_mean_of_the_offices():
    """BEHAVIOUR.md §8 signature: at 80% of departments' demand, identical committees stay
    below the coping threshold (almost no formalism), while committees whose staff vary
    (cv 0.5) around the same mean box-tick a visible share of their hours — coping is
    convex, so the spread, not the mean, decides."""
    same = formalism_by_load((0.8,), **{"structure.heterogeneity_cv": 0.0})[0]
    differ = formalism_by_load((0.8,), **{"structure.heterogeneity_cv": 0.5})[0]
    assert same < 0.01
    assert differ > 0.05
