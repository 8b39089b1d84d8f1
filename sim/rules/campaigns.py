"""Campaigns (运动式治理): rare bursts of hard work with tight deadlines that hit every
street and committee of a district at once and interrupt routine work (Zhou Xueguang
2012 on the campaign-style mechanism; campaigns and inspection seasons in 000 and 004).

The calendar is drawn once per run from the exogenous stream (`sim.behaviour`), so two
regimes run on one seed face the same campaigns. While a district's campaign runs, each
of its streets and committees receives one hard, pinned task a day of
`campaign_hours / campaign_days` staff-hours, due two days later; it jumps the queue, so
what gives way is routine work and, first of all, the spare hours self-governance lives
on (sim.rules.community).
"""

from __future__ import annotations

import numpy as np

from ..draws import Source
from ..levels import COMMITTEE, STREET
from ..world import World
from .arrivals import create


def launch_campaigns(world: World) -> None:
    """Today's share of every running campaign, imposed on its district's streets and committees."""
    b = world.behaviour
    if b.campaign_kind < 0 or world.day >= b.campaign_active.shape[0]:
        return
    active = b.campaign_active[world.day]
    if not active.any():
        return
    r, top = world.roster, world.topology
    hit = np.flatnonzero(((r.level == STREET) | (r.level == COMMITTEE)) & active[r.district])
    if hit.size == 0:
        return
    kind = np.full(hit.size, b.campaign_kind, dtype=np.intp)
    responsible = top.departments_of_district[r.district[hit], 0]
    territory = np.where(r.level[hit] == COMMITTEE, hit, top.committees_of_district[r.district[hit], 0])
    rows = create(
        world, world.streams.campaigns, kind, holder=hit, territory=territory, responsible=responsible,
        source=Source.CAMPAIGNS,
    )
    t = world.tasks
    t.fresh[rows] = False
    t.pinned[rows] = True
    t.from_above[rows] = True
    world.tally.today["campaign_hours"] += world.tally.per_level(world.level_key[hit], t.effort_total[rows])


def in_campaign(world: World, day: int | None = None) -> np.ndarray:
    """Which districts have a campaign running on `day` (today by default)."""
    b, d = world.behaviour, world.day if day is None else day
    if d >= b.campaign_active.shape[0]:
        return np.zeros(b.campaign_active.shape[1], dtype=bool)
    return b.campaign_active[d]
