"""Spending the day's hours, deadlines, and what overload does to staff.

`spend_hours` is the vectorised day of work for every office at once: open, ready tasks
are ordered by (holder, hard first, deadline, age); each office works down its queue
with its staff hours plus overtime up to the ceiling, finishing the tasks whose
cumulative effort fits and charging the partial one. Funded hours that travelled with a
task pay for that part of its effort (the receiver's own staff does the rest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .agents import DEPARTMENT, SOCIAL_ORGANISATION
from .kinds import FROM_RESIDENTS
from .ledger import ABANDONED, DONE, running_total_within, stable_order

if TYPE_CHECKING:
    from .model import TiaokuaiModel

EPS = 1e-9


def spend_hours(model: TiaokuaiModel) -> None:
    t, roster, tally = model.tasks, model.roster, model.tally
    n_off = roster.size
    rows = np.flatnonzero((t.state == 0) & (t.ready_day <= model.day))
    holder = t.holder[rows]
    level = roster.level[holder]
    workable = t.effort_left[rows] - np.where(level != DEPARTMENT, t.authority_left[rows], 0.0)
    has_work = np.flatnonzero(workable > EPS)
    rows, holder, level, workable = rows[has_work], holder[has_work], level[has_work], workable[has_work]
    need = np.maximum(workable - t.funded[rows], 0.0)

    normal = model.normal_hours()
    total_need = np.bincount(holder, weights=need, minlength=n_off)
    ceiling = model.config.staff.overtime_ceiling * normal
    overtime = np.minimum(ceiling, np.maximum(total_need - normal, 0.0))
    capacity = normal + overtime

    # An office whose hours cover its whole queue finishes all of it, in any order; only
    # the queues of overloaded offices need ordering, so only they are sorted.
    finished = np.ones(rows.size, dtype=bool)
    spent = need.copy()
    short = np.flatnonzero((total_need > capacity + EPS)[holder])
    if short.size:
        short = short[queue_order(t, rows[short], holder[short])]
        h, w = holder[short], need[short]
        within = running_total_within(h, w)
        cap = capacity[h]
        finished[short] = within <= cap + EPS
        spent[short] = np.where(finished[short], w, np.clip(cap - (within - w), 0.0, None))

    used = np.bincount(holder, weights=spent, minlength=n_off)
    roster.hours_used[:] = used
    roster.capacity[:] = capacity
    roster.overtime[:] = np.maximum(used - normal, 0.0)
    tally.record_work(model, rows, spent, finished, workable, level)

    # partial progress on the task each office could not finish
    part = rows[~finished]
    t.effort_left[part] -= spent[~finished]
    # finished: the workable part is done; funded hours paid for what staff did not
    done_rows, work_done = rows[finished], workable[finished]
    funded_used = np.minimum(t.funded[done_rows], work_done)
    t.funded[done_rows] -= funded_used
    left = np.maximum(t.effort_left[done_rows] - work_done, 0.0)
    t.effort_left[done_rows] = left
    complete = done_rows[left <= EPS]
    complete = inspect_purchased_work(model, complete)
    finish(model, complete)


def queue_order(t, rows: np.ndarray, holder: np.ndarray) -> np.ndarray:
    """The order in which offices work their queues: by holder, hard tasks first, then
    earliest deadline, then the older task (ledger rows are in creation order, so a
    stable sort on the first three keys settles ties by age)."""
    deadline = t.deadline[rows].astype(np.int64)
    lo = int(deadline.min()) if rows.size else 0
    dl_bits = max(int(deadline.max()) - lo, 1).bit_length() if rows.size else 1
    key = (holder.astype(np.int64) << 1) | ~t.hard[rows]
    return stable_order((key << dl_bits) | (deadline - lo))


def inspect_purchased_work(model: TiaokuaiModel, rows: np.ndarray) -> np.ndarray:
    """Work delivered by a social organisation is accepted with probability `quality`;
    rejected work returns to its buyer as rework. Returns the rows that are done."""
    t = model.tasks
    by_org = model.roster.level[t.holder[rows]] == SOCIAL_ORGANISATION
    if not by_org.any():
        return rows
    levers = model.config.levers
    delivered = rows[by_org]
    rejected = model.rng.random(delivered.size) >= levers.social_organisation_quality
    back = delivered[rejected]
    model.record_flow(t.holder[back], t.buyer[back], t.effort_total[back] * levers.rework_share)
    t.holder[back] = t.buyer[back]
    t.effort_left[back] = t.effort_total[back] * levers.rework_share
    t.authority_left[back] = 0.0
    t.reworks[back] += 1
    t.handoffs[back] += 1
    t.pinned[back] = True
    t.fresh[back] = False
    model.tally.reworks += int(back.size)
    keep = np.ones(rows.size, dtype=bool)
    keep[np.flatnonzero(by_org)[rejected]] = False
    return rows[keep]


def finish(model: TiaokuaiModel, rows: np.ndarray) -> None:
    t = model.tasks
    t.state[rows] = DONE
    model.tally.funded_left_over += float(t.funded[rows].sum())
    model.tally.record_departures(model, rows, DONE)


def close_the_day(model: TiaokuaiModel) -> None:
    """Residents give up on requests left too long; administrative work that passes its
    deadline today puts blame on whoever holds it (it is still done, late)."""
    t, kinds = model.tasks, model.kinds
    open_ = t.state == 0
    limit = kinds.abandon_after[t.kind]
    gives_up = open_ & (limit > 0) & (model.day - t.created >= limit)
    rows = np.flatnonzero(gives_up)
    if rows.size:
        t.state[rows] = ABANDONED
        model.tally.funded_abandoned += float(t.funded[rows].sum())
        model.tally.record_departures(model, rows, ABANDONED)
    overdue = open_ & ~gives_up & (t.deadline == model.day) & (kinds.origin[t.kind] != FROM_RESIDENTS)
    level = model.roster.level[t.holder[overdue]]
    model.tally.blame += np.bincount(level, minlength=len(model.tally.blame))


def staff_turnover(model: TiaokuaiModel) -> None:
    """Homer-style burnout: overtime builds strain, rest lets it fade; strain raises the
    chance each staff member leaves; vacancies are refilled after the hiring delay."""
    roster, s = model.roster, model.config.staff
    slot = model.day % model.hiring_pipeline.shape[0]
    roster.staff += model.hiring_pipeline[slot]
    model.hiring_pipeline[slot] = 0
    normal = np.maximum(model.normal_hours(), 1e-9)
    overtime_share = np.where(roster.staff > 0, roster.overtime / normal, 0.0)
    roster.strain = roster.strain * (1.0 - s.strain_recovery) + s.strain_buildup * overtime_share
    p_leave = np.clip(s.attrition_base + s.attrition_strain * roster.strain, 0.0, 1.0)
    lost = model.rng.binomial(roster.staff, p_leave)
    roster.staff -= lost
    refill = (model.day + s.hiring_delay_days) % model.hiring_pipeline.shape[0]
    model.hiring_pipeline[refill] += lost
    model.tally.staff_lost += np.bincount(roster.level, weights=lost, minlength=len(model.tally.staff_lost)).astype(np.int64)


def accrue_budgets(model: TiaokuaiModel) -> None:
    """Money arrives daily: departments' and streets' funding budgets, streets' purchasing."""
    roster = model.roster
    roster.funding_budget += model.daily_funding
    roster.purchase_budget += model.daily_purchasing
