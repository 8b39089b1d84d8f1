"""Spending the day's hours, and what deadlines do.

`spend_hours` is the vectorised day of work for every office at once: open, ready tasks
are ordered by (holder, hard first, deadline, age); each office works down its queue
with its staff hours plus overtime up to the ceiling, finishing the tasks whose
cumulative effort fits and charging the partial one. Funded hours that travelled with a
task pay for that part of its effort (the receiver's own staff does the rest) below the
departments; a department's own work on an escalated task is never paid by them.
"""

from __future__ import annotations

import numpy as np

from ..draws import Decision
from ..kinds import FROM_RESIDENTS
from ..ledger import ABANDONED, DONE, OPEN, TaskLedger, running_total_within, stable_order
from ..levels import DEPARTMENT, EPS, SOCIAL_ORGANISATION
from ..world import World
from . import coping, ranking, staff


def spend_hours(world: World) -> None:
    t, roster, tally = world.tasks, world.roster, world.tally
    n_off = roster.size
    rows = np.flatnonzero((t.state == OPEN) & (t.ready_day <= world.day))
    holder = t.holder[rows]
    level = roster.level[holder]
    below = level != DEPARTMENT
    workable = t.effort_left[rows] - np.where(below, t.authority_left[rows], 0.0)
    has_work = workable > EPS
    if not has_work.all():  # (usually all: what waits for a department's authority is not ready)
        keep = np.flatnonzero(has_work)
        rows, holder, level = rows[keep], holder[keep], level[keep]
        below, workable = below[keep], workable[keep]
    # funded hours pay for work below departments only: they never pay for a department's
    # own work when a task they travelled with is escalated back up (they wait on the task)
    funded = t.funded[rows]
    any_funded = bool(funded.any())  # none at all in a regime where resources do not follow tasks
    if any_funded:
        funded = np.where(below, funded, 0.0)
        any_funded = bool(funded.any())
    need = np.maximum(workable - funded, 0.0) if any_funded else workable  # (workable > 0)

    # hours spent documenting (blame avoidance, sim.rules.blame) and hours burnout saps
    # (sim.rules.staff.energy) are not there for the queue
    normal = world.normal_hours() * (1.0 - world.behaviour.documentation_share) * staff.energy(world)
    total_need = np.bincount(holder, weights=need, minlength=n_off)
    tally.record_demand(world.day, world.level_key, total_need > normal + EPS)
    ceiling = world.config.staff.overtime_ceiling * normal
    overtime = np.minimum(ceiling, np.maximum(total_need - normal, 0.0))
    capacity = normal + overtime

    # An office whose hours cover its whole queue finishes all of it, in any order; only
    # the queues of overloaded offices need ordering, so only they are sorted.
    finished = np.ones(rows.size, dtype=bool)
    spent = need.copy()
    short = np.flatnonzero((total_need > capacity + EPS)[holder])
    unfinished = short[:0]
    if short.size:
        queued, h = rows[short], holder[short]
        first = ranking.administrative_first(world, queued, h)  # sanctioned offices
        rationed = coping.rationed(world, queued, h)
        order = queue_order(t, queued, h, rationed=rationed, first=first)
        short, h = short[order], h[order]
        w = need[short]
        within = running_total_within(h, w, world.office_world[h])
        cap = capacity[h]
        done_now = within <= cap + EPS
        finished[short] = done_now
        spent[short] = np.where(done_now, w, np.clip(cap - (within - w), 0.0, None))
        unfinished = short[np.flatnonzero(~done_now)]  # (index takes: see sim.rules.routing.candidates)

    level_key = world.level_key[holder]
    kind = t.kind[rows]
    used = np.bincount(holder, weights=spent, minlength=n_off)
    roster.hours_used[:] = used
    roster.capacity[:] = capacity
    roster.overtime[:] = np.maximum(used - normal, 0.0)
    # funded hours used: on finished work, as much of it as they cover
    funded_used = np.where(finished, np.minimum(funded, workable), 0.0) if any_funded else None
    tally.record_work(t, world.kinds.is_administrative, world.kinds.self_governance, rows, kind, spent, funded_used,
                      level, level_key, world.office_world, holder)

    # partial progress on the task each office could not finish
    t.effort_left[rows[unfinished]] -= spent[unfinished]
    # finished: the workable part is done; funded hours paid for what staff did not
    done = np.flatnonzero(finished)
    done_rows, work_done = rows[done], workable[done]
    if funded_used is not None:
        t.funded[done_rows] -= funded_used[done]
    left = np.maximum(t.effort_left[done_rows] - work_done, 0.0)
    t.effort_left[done_rows] = left
    complete = done_rows[np.flatnonzero(left <= EPS)]
    complete = inspect_purchased_work(world, complete)
    finish(world, complete)


def queue_order(
    t: TaskLedger, rows: np.ndarray, holder: np.ndarray, rationed: np.ndarray | None = None,
    first: np.ndarray | None = None,
) -> np.ndarray:
    """The order in which offices work their queues: by holder, hard tasks first, then
    earliest deadline, then the older task (ledger rows are in creation order, so a
    stable sort on the first three keys settles ties by age). Rows marked `first` (a
    sanctioned office's administrative work, sim.rules.ranking) come before the rest of
    their holder's work of the same hardness; rows marked `rationed` (residents' matters at
    a coping office, sim.rules.coping.rationed) after it."""
    deadline = t.deadline[rows].astype(np.int64)
    lo = int(deadline.min()) if rows.size else 0
    dl_bits = max(int(deadline.max()) - lo, 1).bit_length() if rows.size else 1
    key = (holder.astype(np.int64, copy=False) << 1) | ~t.hard[rows]
    if first is not None:
        key = (key << 1) | ~first
    if rationed is not None:
        key = (key << 1) | rationed
    return stable_order((key << dl_bits) | (deadline - lo))


def inspect_purchased_work(world: World, rows: np.ndarray) -> np.ndarray:
    """Work delivered by a social organisation is accepted with probability `quality`;
    rejected work returns to its buyer as rework. Returns the rows that are done."""
    t = world.tasks
    if not world.lever_anywhere("purchasing_budget_share"):
        return rows  # nothing is bought (sim.rules.routing.purchase), so no organisation holds work
    by_org = world.roster.level[t.holder[rows]] == SOCIAL_ORGANISATION
    if not by_org.any():
        return rows
    delivered = rows[by_org]
    # each delivered task's own draw (sim.draws), the same in every regime that buys it
    draw = world.task_uniforms(delivered, Decision.QUALITY, t.reworks[delivered])
    rejected = draw >= world.lever_at("social_organisation_quality", t.holder[delivered])
    back = delivered[rejected]
    rework_share = world.lever_at("rework_share", t.holder[back])  # the organisation's world's
    if world.recorder is not None:
        world.recorder.record(t.holder[back], t.buyer[back], t.effort_total[back] * rework_share)
    t.holder[back] = t.buyer[back]
    t.effort_left[back] = t.effort_total[back] * rework_share
    t.authority_left[back] = 0.0
    t.reworks[back] += 1
    t.handoffs[back] += 1
    t.pinned[back] = True
    t.fresh[back] = False
    world.tally.reworks += world.tally.count(world.world_of_tasks(back))
    keep = np.ones(rows.size, dtype=bool)
    keep[np.flatnonzero(by_org)[rejected]] = False
    return rows[keep]


def finish(world: World, rows: np.ndarray) -> None:
    t = world.tasks
    t.state[rows] = DONE
    # what the ranking and the tally both read of the finished tasks, gathered once
    holder, kind, on_time = t.holder[rows], t.kind[rows], t.deadline[rows] >= world.day
    ranking.record_done(world, rows, holder, kind, on_time)
    funded = t.funded[rows]
    if funded.any():  # funded hours left on a finished task (a sum of none adds nothing)
        world.tally.funded_left_over += world.tally.total(funded, world.world_of_tasks(rows))
    world.tally.record_departures(t, world.kinds.origin, world.level_key, world.day, rows, DONE,
                                  holder=holder, kind=kind, on_time=on_time)


def close_the_day(world: World) -> None:
    """Residents give up on requests left too long; administrative work that passes its
    deadline today puts blame on whoever holds it (it is still done, late)."""
    t, kinds, day = world.tasks, world.kinds, world.day
    open_ = t.state == OPEN
    limit = kinds.abandon_after[t.kind]
    gives_up = open_ & (limit > 0) & (day - t.created >= limit)
    rows = np.flatnonzero(gives_up)
    if rows.size:
        t.state[rows] = ABANDONED
        funded = t.funded[rows]
        if funded.any():
            world.tally.funded_abandoned += world.tally.total(funded, world.world_of_tasks(rows))
        world.tally.record_departures(t, kinds.origin, world.level_key, day, rows, ABANDONED)
    overdue = open_ & ~gives_up & (t.deadline == day) & (kinds.origin[t.kind] != FROM_RESIDENTS)
    world.tally.blame += world.tally.per_level(world.level_key[t.holder[overdue]])
