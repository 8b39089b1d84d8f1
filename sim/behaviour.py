"""What the offices remember and decide with (issue 15, shared/domain/BEHAVIOUR.md):
each committee's participation stock, each office's blame stock and the share of its
day documentation takes, each street's and committee's ranking record and sanction,
and the district's calendar of campaigns.

The state is built once per run with the world; the rules that change it live in
`sim.rules.campaigns`, `community`, `coping`, `blame` and `ranking`. With every behaviour's lever
off the state stays neutral (no campaign, participation never read)
and the model is the one before issue 15.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Scenario
from .kinds import FROM_ASSESSMENT, KindTable
from .levels import COMMITTEE, DEPARTMENT, STREET

# the campaign kind appended to the scenario's kinds when campaigns are on
CAMPAIGN_KIND_NAME = "campaign"
# a stream of its own for exogenous events drawn once per run (campaign calendar), spawned
# from the run's seed, so every regime run on one seed faces the same campaigns and the
# day-to-day draws of the model are not disturbed by them
EXOGENOUS_STREAM = 15
# and one for the offices' differences (structure.heterogeneity_cv), drawn once at the start
HETEROGENEITY_STREAM = 16


@dataclass
class Behaviour:
    """The offices' memory, one entry per roster row (committees only for participation)."""

    participation: np.ndarray  # float64, 0..1: residents' participation (committees)
    self_governance_taken: np.ndarray  # float64: latent self-governance hours taken up on the last day
    leak_propensity: np.ndarray  # float64, 0..1: what a sender learned about forcing pushes through gates
    blame_stock: np.ndarray  # float64: decaying count of overdue administrative work held
    documentation_share: np.ndarray  # float64, 0..0.5: share of today's normal hours spent documenting
    campaign_active: np.ndarray  # bool (days + 1, districts of every world): a campaign runs that day
    campaign_kind: int  # kind index of campaign tasks, -1 when campaigns are off
    committees: np.ndarray  # roster rows of committees
    population: np.ndarray  # float64, mean 1: a committee's residents relative to the mean (scales latent demand)
    # ranking pressure (sim.rules.ranking): this month's record and the last ranking's verdict
    month_on_time: np.ndarray  # float64: administrative tasks finished by their deadline this month
    month_late: np.ndarray  # float64: administrative tasks that passed their deadline while held this month
    sanctioned: np.ndarray  # bool: at the bottom of the last ranking (one-vote veto)

    @classmethod
    def new(cls, config: Scenario, level: np.ndarray, districts: int, kinds: KindTable, seeds: list[int],
            population: np.ndarray | None = None, campaigns_per_year: list[float] | None = None) -> Behaviour:
        """The neutral state of a stack of worlds (one per seed; `level` is the stacked
        roster's, `districts` one world's); each world's calendar from its own seed, and
        its own `campaigns_per_year` when given (worlds of a stack may differ in it, not
        in whether campaigns run nor in their hours and days)."""
        size = level.size
        committees = np.flatnonzero(level == COMMITTEE)
        participation = np.zeros(size)
        participation[committees] = config.self_governance.initial_participation
        lv = config.levers
        calendar = np.zeros((config.days + 1, districts * len(seeds)), dtype=bool)
        kind = -1
        if lv.campaigns_per_year > 0 and lv.campaign_hours > 0:
            per_year = campaigns_per_year or [lv.campaigns_per_year] * len(seeds)
            calendar = np.concatenate([
                campaign_calendar(exogenous_stream(seed), config.days, districts, rate, lv.campaign_days)
                for seed, rate in zip(seeds, per_year)
            ], axis=1)
            kind = add_campaign_kind(kinds, lv.campaign_hours / lv.campaign_days)
        return cls(
            participation=participation,
            self_governance_taken=np.zeros(size),
            leak_propensity=np.zeros(size),
            blame_stock=np.zeros(size),
            documentation_share=np.zeros(size),
            campaign_active=calendar,
            campaign_kind=kind,
            committees=committees,
            population=np.ones(size) if population is None else population,
            month_on_time=np.zeros(size),
            month_late=np.zeros(size),
            sanctioned=np.zeros(size, dtype=bool),
        )


def exogenous_stream(seed: int) -> np.random.Generator:
    """The run's generator for exogenous events drawn once (not the model's daily stream)."""
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=(EXOGENOUS_STREAM,)))


def campaign_calendar(rng: np.random.Generator, days: int, districts: int, per_year: float, length: int) -> np.ndarray:
    """Which days a campaign runs in each district: starts are a Poisson process of
    `per_year` per 250 working days, each campaign lasting `length` working days."""
    active = np.zeros((days + 1, districts), dtype=bool)
    counts = rng.poisson(per_year * days / 250.0, size=districts)
    for d, n in enumerate(counts.tolist()):
        for start in rng.integers(1, days + 1, size=n).tolist():
            active[start : start + length, d] = True
    return active


def add_campaign_kind(kinds: KindTable, daily_hours: float) -> int:
    """Append the campaign kind to the kind table: hard, imposed work with a tight
    deadline, never listed, never purchasable. Returns its index."""
    values = {
        "origin": FROM_ASSESSMENT, "rate": 0.0, "redundant_share": 0.0, "effort_mean": daily_hours,
        "effort_cv": 0.0, "gamma_shape": 0.0, "gamma_scale": 0.0, "deadline": 2,
        "needs_authority": False, "authority_share": 0.0,
        "street_listed": False, "committee_listed": False, "abandon_after": 0, "hard": True,
        "self_governance": False, "purchasable": False, "is_administrative": True,
    }
    n = len(kinds.names)
    for name, column in list(vars(kinds).items()):
        if isinstance(column, np.ndarray) and column.shape == (n,):
            if name not in values:
                raise RuntimeError(f"add_campaign_kind: no campaign value for the kind column {name!r}")
            setattr(kinds, name, np.append(column, np.array(values[name], dtype=column.dtype)))
    kinds.names = (*kinds.names, CAMPAIGN_KIND_NAME)
    return n


def lognormal_mean_one(rng: np.random.Generator, cv: float, size: int) -> np.ndarray:
    """Lognormal multipliers with mean 1 and coefficient of variation `cv`."""
    sigma2 = np.log1p(cv * cv)
    return rng.lognormal(-sigma2 / 2.0, np.sqrt(sigma2), size)


def offices_that_differ(
    config: Scenario, level: np.ndarray, staff: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Offices that differ (BEHAVIOUR.md §8): each department's, street's and committee's
    staff scaled by a lognormal multiplier (mean 1, at least one person), and each
    committee's population, drawn once per run from a stream of its own. Returns the
    staff and the population multipliers (ones when `heterogeneity_cv` is 0)."""
    cv = config.structure.heterogeneity_cv
    population = np.ones(level.size)
    if cv <= 0:
        return staff, population
    rng = np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=(HETEROGENEITY_STREAM,)))
    varies = (level == DEPARTMENT) | (level == STREET) | (level == COMMITTEE)
    scaled = staff.copy()
    multiplier = lognormal_mean_one(rng, cv, int(varies.sum()))
    scaled[varies] = np.maximum(np.rint(staff[varies] * multiplier), 1).astype(staff.dtype)
    committees = level == COMMITTEE
    population[committees] = lognormal_mean_one(rng, cv, int(committees.sum()))
    return scaled, population
