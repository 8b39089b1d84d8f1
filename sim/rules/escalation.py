"""Escalation: work needing a department's authority goes back up (003's "those who see
the problem cannot handle it")."""

from __future__ import annotations

import numpy as np

from ..draws import Decision
from ..ledger import OPEN
from ..levels import DEPARTMENT, EPS
from ..world import World
from . import blame


def escalate(world: World) -> None:
    """Work needing a department's authority goes back up once the holder below has done
    its part (finding, reporting). The department takes it back with probability
    `escalation_acceptance`, or must once `bounce_limit` bounces are reached; otherwise it
    bounces back down and is escalated again after `escalation_retry_days`. The k-th try
    of a task uses the task's own k-th draw (sim.draws), the same in every regime."""
    t = world.tasks
    rows = np.flatnonzero(t.authority_left > EPS)  # few tasks need authority: test the rest on those
    waiting = (
        (t.state[rows] == OPEN)
        & (world.roster.level[t.holder[rows]] != DEPARTMENT)
        & (t.effort_left[rows] - t.authority_left[rows] <= EPS)
        & (t.ready_day[rows] <= world.day)
    )
    rows = rows[np.flatnonzero(waiting)]  # (index takes: see sim.rules.routing.candidates)
    if rows.size == 0:
        return
    below = t.holder[rows]  # each task's lever values are its holder's world's
    # an office below with blame insists until the department takes it (sim.rules.blame)
    acceptance = blame.shifted(world, below, world.lever_at("escalation_acceptance", below))
    accept = world.task_uniforms(rows, Decision.ESCALATION, t.bounces[rows]) < acceptance
    accept |= t.bounces[rows] >= world.lever_at("bounce_limit", below)
    retry = np.maximum(world.lever_at("escalation_retry_days", below[~accept]), 1)
    owner = world.world_of_tasks(rows)
    world.tally.escalations += world.tally.count(owner)
    accepted, bounced = np.flatnonzero(accept), np.flatnonzero(~accept)
    up = rows[accepted]
    if world.recorder is not None:
        world.recorder.record(t.holder[up], t.responsible[up], t.effort_left[up])
    t.holder[up] = t.responsible[up]
    t.handoffs[up] += 1
    t.pinned[up] = True
    t.fresh[up] = False
    back = rows[bounced]
    t.bounces[back] += 1
    t.handoffs[back] += 2
    t.ready_day[back] = world.day + retry
    world.tally.bounces += world.tally.count(owner[bounced])
