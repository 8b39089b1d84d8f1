"""Staff: Homer-style burnout (overtime builds strain, rest lets it fade), attrition that
strain drives up (004), and vacancies refilled after the hiring delay."""

from __future__ import annotations

import numpy as np

from ..world import World

# no office has fewer hours than this when overtime is turned into a share of normal hours
MIN_HOURS = 1e-9


def staff_turnover(world: World) -> None:
    """Overtime builds strain, rest lets it fade; strain raises the chance each staff
    member leaves; vacancies are refilled after the hiring delay."""
    roster, s, pipeline = world.roster, world.config.staff, world.hiring_pipeline
    slot = world.day % pipeline.shape[0]
    roster.staff += pipeline[slot]
    pipeline[slot] = 0
    normal = np.maximum(world.normal_hours(), MIN_HOURS)
    overtime_share = np.where(roster.staff > 0, roster.overtime / normal, 0.0)
    roster.strain = roster.strain * (1.0 - s.strain_recovery) + s.strain_buildup * overtime_share
    p_leave = np.clip(s.attrition_base + s.attrition_strain * roster.strain, 0.0, 1.0)
    lost = world.streams.staff.binomial(roster.staff, p_leave)
    roster.staff -= lost
    refill = (world.day + s.hiring_delay_days) % pipeline.shape[0]
    pipeline[refill] += lost
    tally = world.tally
    tally.staff_lost += np.bincount(roster.level, weights=lost, minlength=len(tally.staff_lost)).astype(np.int64)
