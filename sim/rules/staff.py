"""Staff: Homer-style burnout (overtime builds strain, rest lets it fade), attrition that
strain drives up, vacancies refilled after the hiring delay, and two issue-15 refinements.

Burnout tipping (BEHAVIOUR.md §7; Homer, *System Dynamics Review* 1(1), 1985). With
`staff.strain_productivity_loss` λ > 0 a strained office loses a share λ·strain of its
normal hours (exhaustion saps energy): it needs overtime to do what it did rested, the
overtime builds more strain, and vacancies left by strained leavers load the colleagues
who stay until the hiring delay refills them. Near a threshold the office is then
bistable: at the same demand a rested office copes with little or no overtime while one
that was pushed over the edge stays strained, short of hours and short of staff — ramping
demand up and back down, staff follows a different path each way (hysteresis).

Attrition by staff category (004: streets have civil servants, public-institution staff,
community workers and community auxiliaries, "on the same post but on unequal pay, with
prospects far apart, which does not keep the teams stable"). With `staff.categories`
each street's and committee's posts are split into categories whose base leaving
probability (pay and prospects) is scaled by their `attrition_multiplier`; strain adds
the same to every category. A leaver's post is refilled in its own category. Either
way the tally keeps how many leavers strain accounts for (expected share of each
leaving probability that is strain's), so a case can say whether its turnover is strain
or pay and prospects (`staff_lost_to_strain_share`).

Who leaves is drawn from each office's own draw of the day (and category), by inverting
the binomial distribution (sim.draws): the same office meets the same draw in every
regime, and a more strained office loses at least as many staff on it. With both
refinements off the arithmetic is the model's before issue 15.
"""

from __future__ import annotations

import numpy as np

from ..draws import Decision, binomial_by_inversion
from ..world import World

# no office has fewer hours than this when overtime is turned into a share of normal hours
MIN_HOURS = 1e-9


def energy(world: World) -> np.ndarray | float:
    """The share of its normal hours each office can work (1 unless strain saps it)."""
    s = world.config.staff
    if s.strain_productivity_loss <= 0:
        return 1.0
    over = (world.roster.strain - s.strain_productivity_threshold) / (1.0 - s.strain_productivity_threshold)
    return 1.0 - s.strain_productivity_loss * np.clip(over, 0.0, 1.0)


def staff_turnover(world: World) -> None:
    """Overtime builds strain, rest lets it fade; strain raises the chance each staff
    member leaves; vacancies are refilled after the hiring delay."""
    roster, s = world.roster, world.config.staff
    by_category = world.staff_by_category
    pipeline: np.ndarray = world.hiring_pipeline
    if by_category is not None:
        assert world.category_pipeline is not None  # made together with staff_by_category
        pipeline = world.category_pipeline
    slot = world.day % pipeline.shape[0]
    if by_category is None:
        roster.staff += pipeline[slot]
    else:
        by_category += pipeline[slot]
        roster.staff[:] = by_category.sum(axis=1)
    pipeline[slot] = 0
    # overtime strains against the hours the staff can give (their normal hours, less what burnout sapped)
    normal = np.maximum(world.normal_hours() * energy(world), MIN_HOURS)
    overtime_share = np.where(roster.staff > 0, roster.overtime / normal, 0.0)
    roster.strain = roster.strain * (1.0 - s.strain_recovery) + s.strain_buildup * overtime_share
    strained = s.attrition_strain * roster.strain
    if by_category is None:
        p_leave = np.clip(s.attrition_base + strained, 0.0, 1.0)
        lost = binomial_by_inversion(world.office_uniforms(Decision.STAFF_LEAVES), roster.staff, p_leave)
        roster.staff -= lost
        by_strain = lost * _strain_part(strained, p_leave)
    else:
        strained = strained[:, None]
        p_leave = np.clip(s.attrition_base * world.category_attrition[None, :] + strained, 0.0, 1.0)
        u = world.office_uniforms(Decision.STAFF_LEAVES, columns=by_category.shape[1])
        lost_by_category = binomial_by_inversion(u, by_category, p_leave)
        by_category -= lost_by_category
        roster.staff[:] = by_category.sum(axis=1)
        by_strain = (lost_by_category * _strain_part(strained, p_leave)).sum(axis=1)
        lost = lost_by_category.sum(axis=1)
        per_world = lost_by_category.reshape(world.worlds, world.n_offices, -1).sum(axis=1)
        world.tally.staff_lost_by_category = world.tally.staff_lost_by_category + per_world
    refill = (world.day + s.hiring_delay_days) % pipeline.shape[0]
    pipeline[refill] += lost if by_category is None else lost_by_category
    tally = world.tally
    tally.staff_lost += tally.per_level(world.level_key, lost).astype(np.int64)
    # each world's offices, summed row by row (as its own run sums them)
    tally.staff_lost_to_strain += by_strain.reshape(world.worlds, -1).sum(axis=1)


def _strain_part(strained: np.ndarray, p_leave: np.ndarray) -> np.ndarray:
    """The share of each leaving probability that strain accounts for (0 where nobody may leave)."""
    return np.divide(np.minimum(strained, p_leave), p_leave, out=np.zeros(np.broadcast(strained, p_leave).shape),
                     where=p_leave > 0)
