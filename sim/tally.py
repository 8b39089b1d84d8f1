"""Running counts of what happens in a run: the rules add to a `Tally` as events occur,
and at the end of each day it closes one record per level (the per-day table).

The tally knows nothing of the world it counts: the rules hand it the arrays it needs.
"""

from __future__ import annotations

import numpy as np

from .kinds import FROM_RESIDENTS
from .ledger import DONE, OPEN, TaskLedger
from .levels import BELOW_DEPARTMENTS, DEPARTMENT, N_LEVELS

LEAD_BINS = 4096  # lead times in whole days; longer ones go to the last bin
# levels whose work from above is measured for the unfunded share (streets and below)
RECEIVES_FROM_ABOVE = np.isin(np.arange(N_LEVELS), BELOW_DEPARTMENTS)
DAY_COLUMNS = (
    "open_tasks",
    "backlog_hours",
    "offices",
    "staff",
    "hours_available",
    "hours_used",
    "overtime_hours",
    "tasks_done",
    "tasks_done_on_time",
    "self_governance_hours",
    "from_above_staff_hours",
    "from_above_funded_hours",
    "blame",
    "staff_lost",
    # behaviour (issue 15): stocks are sums over the level's offices at the end of the day
    "participation",
    "self_governance_demand_hours",
    "self_governance_taken_hours",
    "campaign_hours",
    "formalism_hours",
    "formalism_reworks",
    "documentation_hours",
    "blame_stock",
    "leak_propensity",
    "administrative_hours",  # hours worked on departments' tasks, assessments and campaigns
    "sanctioned",  # offices under a ranking's sanction (sim.rules.ranking)
)


class Tally:
    """Counters the rules add to as the day's events happen."""

    def __init__(self, warmup_days: int):
        self.warmup = warmup_days
        self.created = 0  # arrivals: exogenous demand, assessments, campaigns
        self.reworked = 0  # box-ticked work sent back as a new ledger row (sim/rules/coping.py)
        self.effort_created = 0.0  # staff-hours of every task created
        self.created_by_day: list[int] = []
        self.done = 0
        self.abandoned = 0
        self.refusals = 0
        self.gate_leaks = 0
        self.escalations = 0
        self.bounces = 0
        self.reworks = 0
        self.audits = 0  # leaks through gates that were audited (sim.rules.compliance)
        self.purchase_spend = 0.0
        self.purchased_hours = 0.0
        self.funded_given = 0.0
        self.funded_used = 0.0
        self.funded_abandoned = 0.0
        self.funded_left_over = 0.0  # funded hours still on a task when it was finished
        self.returned_hours = np.zeros(N_LEVELS)
        self.blame = np.zeros(N_LEVELS, dtype=np.int64)
        self.staff_lost = np.zeros(N_LEVELS, dtype=np.int64)
        self.coproduced_hours = 0.0  # residents' request effort residents did themselves (sim.rules.community)
        self.staff_lost_to_strain = 0.0  # leavers strain accounts for (expected share of each leaving probability)
        self.staff_lost_by_category: np.ndarray | int = 0  # per staff category (sim.rules.staff), when there are any
        self._blame_before = self.blame.copy()
        self._lost_before = self.staff_lost.copy()
        # post-warm-up departures
        self.departed = 0
        self.sojourn_sum = 0.0
        self.handoffs_sum = 0
        self.bounces_sum = 0
        self.done_after_warmup = 0
        self.on_time_after_warmup = 0
        self.lead_hist = np.zeros(LEAD_BINS, dtype=np.int64)
        self.resident_lead_hist = np.zeros(LEAD_BINS, dtype=np.int64)
        self.overloaded_office_days = np.zeros(N_LEVELS, dtype=np.int64)
        self.resident_departed = 0
        self.resident_abandoned = 0
        self.resident_done = 0
        self.resident_lead_sum = 0.0
        self.resident_bounces_sum = 0
        # today's per-level work, reset each day
        self.today = {name: np.zeros(N_LEVELS) for name in DAY_COLUMNS}
        self.days: list[dict[str, np.ndarray]] = []

    def record_created(self, n: int, effort: np.ndarray) -> None:
        self.created += n
        self.effort_created += float(effort.sum())

    def add_returned(self, level: np.ndarray, hours: np.ndarray) -> None:
        self.refusals += int(level.size)
        self.returned_hours += np.bincount(level, weights=hours, minlength=N_LEVELS)

    def record_work(
        self, tasks: TaskLedger, self_governance: np.ndarray, rows, spent, finished, workable, funded, level
    ) -> None:
        """Hours spent today on `rows` (held at `level`; `funded`: the funded hours usable on
        each); `self_governance` is the kind table's flag."""
        t = tasks
        sg = self_governance[t.kind[rows]]
        above = t.from_above[rows] & RECEIVES_FROM_ABOVE[level]
        funded_used = np.where(finished, np.minimum(funded, workable), 0.0)
        self.funded_used += float(funded_used.sum())
        day = self.today
        day["self_governance_hours"] += np.bincount(level, weights=spent * sg, minlength=N_LEVELS)
        day["from_above_staff_hours"] += np.bincount(level, weights=spent * above, minlength=N_LEVELS)
        day["from_above_funded_hours"] += np.bincount(
            level, weights=funded_used * above, minlength=N_LEVELS
        )

    def record_demand(self, day: int, office_level: np.ndarray, overloaded: np.ndarray) -> None:
        """Offices whose demand today exceeded their normal hours (counted after warm-up)."""
        if day > self.warmup:
            overloaded_now = np.bincount(office_level, weights=overloaded, minlength=N_LEVELS)
            self.overloaded_office_days += overloaded_now.astype(np.int64)

    def record_departures(
        self, tasks: TaskLedger, origin: np.ndarray, holder_level: np.ndarray, day: int, rows: np.ndarray, state: int
    ) -> None:
        """Tasks leaving today (done or abandoned); `origin` is the kind table's origin
        column and `holder_level` the roster's level column."""
        t = tasks
        if state == DONE:
            self.done += int(rows.size)
            level = holder_level[t.holder[rows]]
            on_time = t.deadline[rows] >= day
            self.today["tasks_done"] += np.bincount(level, minlength=N_LEVELS)
            self.today["tasks_done_on_time"] += np.bincount(level, weights=on_time, minlength=N_LEVELS)
        else:
            self.abandoned += int(rows.size)
        if day <= self.warmup:  # the summary window is days warmup+1 .. days
            return
        sojourn = day - t.created[rows]
        self.departed += int(rows.size)
        self.sojourn_sum += float(sojourn.sum())
        self.handoffs_sum += int(t.handoffs[rows].sum())
        self.bounces_sum += int(t.bounces[rows].sum())
        resident = origin[t.kind[rows]] == FROM_RESIDENTS
        self.resident_departed += int(resident.sum())
        if state == DONE:
            self.done_after_warmup += int(rows.size)
            self.on_time_after_warmup += int((t.deadline[rows] >= day).sum())
            self.lead_hist += np.bincount(np.minimum(sojourn, LEAD_BINS - 1), minlength=LEAD_BINS)
            self.resident_done += int(resident.sum())
            self.resident_lead_sum += float(sojourn[resident].sum())
            self.resident_lead_hist += np.bincount(np.minimum(sojourn[resident], LEAD_BINS - 1), minlength=LEAD_BINS)
            self.resident_bounces_sum += int(t.bounces[rows][resident].sum())
        else:
            self.resident_abandoned += int(resident.sum())

    def close_day(self, tasks: TaskLedger, roster, normal_hours: np.ndarray) -> dict[str, np.ndarray]:
        """Snapshot the end of the day per level (and each office's backlog into the
        roster), and start a fresh day."""
        t = tasks
        open_ = t.state == OPEN
        holder = t.holder[open_]
        # backlog: work the holder's own staff could still do (the authority part of a task
        # waiting below a department is the department's work, not the holder's)
        below = roster.level[holder] != DEPARTMENT
        own = t.effort_left[open_] - np.where(below, t.authority_left[open_], 0.0)
        per_office = np.bincount(holder, weights=own, minlength=roster.size)
        roster.backlog_hours[:] = per_office
        lv = roster.level
        day = self.today
        day["open_tasks"] = np.bincount(lv[holder], minlength=N_LEVELS).astype(float)
        day["backlog_hours"] = np.bincount(lv, weights=per_office, minlength=N_LEVELS)
        day["offices"] = np.bincount(lv, minlength=N_LEVELS).astype(float)
        day["staff"] = np.bincount(lv, weights=roster.staff, minlength=N_LEVELS)
        day["hours_available"] = np.bincount(lv, weights=normal_hours, minlength=N_LEVELS)
        day["hours_used"] = np.bincount(lv, weights=roster.hours_used, minlength=N_LEVELS)
        day["overtime_hours"] = np.bincount(lv, weights=roster.overtime, minlength=N_LEVELS)
        day["blame"] = (self.blame - self._blame_before).astype(float)
        day["staff_lost"] = (self.staff_lost - self._lost_before).astype(float)
        self._blame_before = self.blame.copy()
        self._lost_before = self.staff_lost.copy()
        self.days.append(day)
        self.created_by_day.append(self.created)
        self.today = {name: np.zeros(N_LEVELS) for name in DAY_COLUMNS}
        return day
