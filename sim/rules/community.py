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

Co-production (`coproduction_effort_share`, off by default): participation also lowers
the effort of residents' requests, since engaged residents do part of the work themselves
(001: proposal systems and direct elections revived participation; the co-production
literature, Ostrom 1996). Applied after the demand draw, so common random numbers hold.
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
    k = world.worlds  # each world's committees, one row per world: summed row by row
    today["self_governance_hours"][:, COMMITTEE] += taken.reshape(k, -1).sum(axis=1)
    today["self_governance_demand_hours"][:, COMMITTEE] += demand.reshape(k, -1).sum(axis=1)
    today["self_governance_taken_hours"][:, COMMITTEE] += taken.reshape(k, -1).sum(axis=1)


def co_produce(world: World, rows: slice) -> None:
    """Residents of a committee with participation P do a share `coproduction_effort_share · P`
    of their own requests' effort (BEHAVIOUR.md §6: co-production). Applied to requests just
    drawn, after the draw: the efforts drawn (and counted as created) are the same in every
    regime; only what is left for the committee shrinks. Requests needing a department's
    authority and self-governance matters are not co-produced."""
    share = world.config.self_governance.coproduction_effort_share
    if share <= 0:
        return
    t, k = world.tasks, world.kinds
    kind = t.kind[rows]
    own = ~k.needs_authority[kind] & ~k.self_governance[kind]
    if not own.any():
        return
    idx = np.arange(rows.start, rows.stop)[own]
    keep = 1.0 - share * world.behaviour.participation[t.holder[idx]]
    world.tally.coproduced_hours += world.tally.total(t.effort_total[idx] * (1.0 - keep), world.world_of_tasks(idx))
    t.effort_total[idx] *= keep
    t.effort_left[idx] *= keep


def record_participation(world: World) -> None:
    """The day's participation stock, summed over committees (the per-day table divides by offices)."""
    b = world.behaviour
    per_world = b.participation[b.committees].reshape(world.worlds, -1)  # summed row by row
    world.tally.today["participation"][:, COMMITTEE] = per_world.sum(axis=1)
