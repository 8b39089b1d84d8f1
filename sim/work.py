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
from .ledger import ABANDONED, DONE

if TYPE_CHECKING:
    from .model import TiaokuaiModel

EPS = 1e-9


def spend_hours(model: TiaokuaiModel) -> None:
    t, roster, tally = model.tasks, model.roster, model.tally
    n_off = roster.size
    below = roster.level[t.holder] != DEPARTMENT
    workable = t.effort_left - np.where(below, t.authority_left, 0.0)
    rows = np.flatnonzero((t.state == 0) & (t.ready_day <= model.day) & (workable > EPS))
    holder = t.holder[rows]
    need = np.maximum(workable[rows] - t.funded[rows], 0.0)
    order = np.lexsort((t.task_id[rows], t.deadline[rows], ~t.hard[rows], holder))
    rows, holder, need = rows[order], holder[order], need[order]

    normal = model.normal_hours()
    total_need = np.bincount(holder, weights=need, minlength=n_off)
    ceiling = model.config.staff.overtime_ceiling * normal
    overtime = np.minimum(ceiling, np.maximum(total_need - normal, 0.0))
    capacity = normal + overtime

    cs = np.cumsum(need)
    starts = np.flatnonzero(np.r_[True, holder[1:] != holder[:-1]]) if rows.size else rows
    before = np.repeat(np.r_[0.0, cs][starts], np.diff(np.r_[starts, rows.size]))
    within = cs - before
    cap = capacity[holder]
    finished = within <= cap + EPS
    spent = np.where(finished, need, np.clip(cap - (within - need), 0.0, None))

    used = np.bincount(holder, weights=spent, minlength=n_off)
    roster.hours_used[:] = used
    roster.capacity[:] = capacity
    roster.overtime[:] = np.maximum(used - normal, 0.0)
    tally.record_work(model, rows, spent, finished, workable[rows])

    # partial progress on the task each office could not finish
    part = rows[~finished]
    t.effort_left[part] -= spent[~finished]
    # finished: the workable part is done; funded hours paid for what staff did not
    done_rows = rows[finished]
    work_done = workable[done_rows]
    funded_used = np.minimum(t.funded[done_rows], work_done)
    t.funded[done_rows] -= funded_used
    t.effort_left[done_rows] -= work_done
    t.effort_left[done_rows] = np.maximum(t.effort_left[done_rows], 0.0)
    complete = done_rows[t.effort_left[done_rows] <= EPS]
    complete = inspect_purchased_work(model, complete)
    finish(model, complete)


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
