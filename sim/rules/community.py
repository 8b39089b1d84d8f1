"""Communities that respond: elastic self-governance (BEHAVIOUR.md §6).

Sources: "slow development of self-governance" (000); committees are the "legs" of every
department (003); direct elections and proposal systems revived participation (001).

Self-governance beyond the matters residents bring as tasks is latent demand: each
committee could spend `latent_hours_per_committee_day × participation` hours a day on
it (meetings, mediation, mobilisation), and takes it up only with the normal hours it has
left once the day's work is done. Participation is a stock in 0..1 that grows with the
self-governance hours served (logistically: slowly from a low level, as trust is rebuilt)
and decays when latent demand goes unserved:

    P ← P + growth · (taken / L) · (1 − P) − decay · P · (1 − taken / (L · P))

with L the latent hours at full participation. Served in full, P rises towards 1; with
no spare hours it falls by `decay` a day. The asymmetry (lost in weeks, rebuilt in
months) is the path dependence: committees that lost participation in a campaign stay
below those that did not long after it.
"""

from __future__ import annotations

import numpy as np

from ..levels import COMMITTEE, EPS
from ..world import World


def take_up_self_governance(world: World) -> None:
    """After the day's work: committees spend spare normal hours on latent self-governance,
    and their participation grows with what they served or decays with what they did not."""
    sg = world.config.self_governance
    latent = sg.latent_hours_per_committee_day
    b, roster, today = world.behaviour, world.roster, world.tally.today
    coms = b.committees
    if latent <= 0 or coms.size == 0:
        return
    p = b.participation[coms]
    demand = latent * b.population[coms] * p
    spare = np.maximum(world.normal_hours()[coms] - roster.hours_used[coms], 0.0)
    taken = np.minimum(spare, demand)
    roster.hours_used[coms] += taken
    b.self_governance_taken[coms] = taken
    served = np.where(demand > EPS, taken / np.maximum(demand, EPS), 1.0)
    full = latent * b.population[coms]
    p = p + sg.participation_growth * (taken / full) * (1.0 - p) - sg.participation_decay * p * (1.0 - served)
    b.participation[coms] = np.clip(p, 0.0, 1.0)
    today["self_governance_hours"][COMMITTEE] += taken.sum()
    today["self_governance_demand_hours"][COMMITTEE] += demand.sum()
    today["self_governance_taken_hours"][COMMITTEE] += taken.sum()


def record_participation(world: World) -> None:
    """The day's participation stock, summed over committees (the per-day table divides by offices)."""
    b = world.behaviour
    world.tally.today["participation"][COMMITTEE] = float(b.participation[b.committees].sum())
