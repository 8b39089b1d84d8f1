"""Running counts of what happens in a run: the rules add to a `Tally` as events occur,
and at the end of each day it closes one record per level (the per-day table).

A tally counts for every world of a stack at once (sim.world): each counter has a leading
axis of worlds (a scalar count is an array of one entry per world, a per-level count a
(worlds, levels) array), and what is added is split by world with `bincount` (each world's
entries in the order it would add them alone) or summed world by world (`sum_by_world`),
so that each world's counts are bit for bit those of the world run alone.
`of_world(w)` gives one world's counts as plain numbers, what the summary reads.

The tally knows nothing of the world it counts: the rules hand it the arrays it needs.
"""

from __future__ import annotations

from types import SimpleNamespace

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
# the counters, each one number per world: integer counts and float sums
COUNTS = (
    "created", "reworked", "done", "abandoned", "refusals", "gate_leaks", "escalations", "bounces",
    "reworks", "audits", "departed", "handoffs_sum", "bounces_sum", "done_after_warmup",
    "on_time_after_warmup", "resident_departed", "resident_abandoned", "resident_done",
    "resident_bounces_sum",
)
SUMS = (
    "effort_created", "purchase_spend", "purchased_hours", "funded_given", "funded_used",
    "funded_abandoned", "funded_left_over", "sojourn_sum", "resident_lead_sum",
    "coproduced_hours",  # residents' request effort residents did themselves (sim.rules.community)
    "staff_lost_to_strain",  # leavers strain accounts for (expected share of each leaving probability)
)


def sum_by_world(values: np.ndarray, world_of: np.ndarray, worlds: int) -> np.ndarray:
    """Each world's sum of `values` (the entries of world w in their order), summed as
    `values[world_of == w].sum()` sums them, so a world's total does not depend on the
    others' (NumPy's pairwise summation depends on the length and order of what it sums)."""
    if worlds == 1:
        return np.array([values.sum()])
    out = np.zeros(worlds)
    if not values.any():  # nothing to add (often: no funded hours in the regime); a sum of zeros is 0
        return out
    order = np.argsort(world_of, kind="stable")
    sorted_values = values[order]
    ends = np.cumsum(np.bincount(world_of, minlength=worlds)).tolist()
    start = 0
    for w, end in enumerate(ends):
        if end > start:
            out[w] = sorted_values[start:end].sum()
        start = end
    return out


def sums_of_runs(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each world's sum of `values` when they come world after world, `sizes[w]` of world
    w: each run summed alone, as `sum_by_world` sums it."""
    if sizes.size == 1:
        return np.array([values.sum()])
    out = np.zeros(sizes.size)
    start = 0
    for w, size in enumerate(sizes.tolist()):
        if size:
            out[w] = values[start : start + size].sum()
            start += size
    return out


class Tally:
    """Counters the rules add to as the day's events happen, one set per world."""

    def __init__(self, warmup_days: int, worlds: int = 1):
        self.warmup = warmup_days
        self.worlds = worlds
        def counts() -> np.ndarray:
            return np.zeros(worlds, dtype=np.int64)

        def sums() -> np.ndarray:
            return np.zeros(worlds)

        self.created = counts()  # arrivals: exogenous demand, assessments, campaigns
        self.reworked = counts()  # box-ticked work sent back as a new ledger row (sim/rules/coping.py)
        self.done, self.abandoned = counts(), counts()
        self.refusals, self.gate_leaks, self.escalations, self.bounces = counts(), counts(), counts(), counts()
        self.reworks = counts()
        self.audits = counts()  # leaks through gates that were audited (sim.rules.compliance)
        self.effort_created = sums()  # staff-hours of every task created
        self.purchase_spend, self.purchased_hours = sums(), sums()
        self.funded_given, self.funded_used, self.funded_abandoned = sums(), sums(), sums()
        self.funded_left_over = sums()  # funded hours still on a task when it was finished
        self.coproduced_hours = sums()  # residents' request effort residents did themselves (sim.rules.community)
        self.staff_lost_to_strain = sums()  # leavers strain accounts for (expected share of each leaving probability)
        # post-warm-up departures
        self.departed, self.handoffs_sum, self.bounces_sum = counts(), counts(), counts()
        self.done_after_warmup, self.on_time_after_warmup = counts(), counts()
        self.sojourn_sum = sums()
        self.resident_departed, self.resident_abandoned, self.resident_done = counts(), counts(), counts()
        self.resident_lead_sum = sums()
        self.resident_bounces_sum = counts()
        self.created_by_day: list[np.ndarray] = []
        self.returned_hours = np.zeros((worlds, N_LEVELS))
        self.blame = np.zeros((worlds, N_LEVELS), dtype=np.int64)
        self.staff_lost = np.zeros((worlds, N_LEVELS), dtype=np.int64)
        # (worlds, staff categories) leavers per category (sim.rules.staff), when there are any
        self.staff_lost_by_category: np.ndarray | int = 0
        self._blame_before = self.blame.copy()
        self._lost_before = self.staff_lost.copy()
        # post-warm-up departures
        self.lead_hist = np.zeros((worlds, LEAD_BINS), dtype=np.int64)
        self.resident_lead_hist = np.zeros((worlds, LEAD_BINS), dtype=np.int64)
        self.overloaded_office_days = np.zeros((worlds, N_LEVELS), dtype=np.int64)
        # today's per-level work, reset each day
        self.today = self._new_day()
        self.days: list[dict[str, np.ndarray]] = []

    def _new_day(self) -> dict[str, np.ndarray]:
        return {name: np.zeros((self.worlds, N_LEVELS)) for name in DAY_COLUMNS}

    # ---- splitting what is added by world -------------------------------------------------
    def per_level(self, level_key: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """(worlds, levels) sums of `weights` (or counts) over entries keyed by
        world × N_LEVELS + level (`World.level_key` of the office concerned)."""
        k = self.worlds * N_LEVELS
        return np.bincount(level_key, weights=weights, minlength=k).reshape(self.worlds, N_LEVELS)

    def count(self, world_of: np.ndarray) -> np.ndarray:
        """How many entries each world has."""
        if self.worlds == 1:
            return np.array([world_of.size])
        return np.bincount(world_of, minlength=self.worlds)

    def whole(self, values: np.ndarray, world_of: np.ndarray) -> np.ndarray:
        """Each world's sum of whole numbers (exact in any order)."""
        if self.worlds == 1:
            return np.array([values.sum()])
        return np.bincount(world_of, weights=values, minlength=self.worlds).astype(np.int64)

    def total(self, values: np.ndarray, world_of: np.ndarray) -> np.ndarray:
        """Each world's sum of `values` (see `sum_by_world`)."""
        return sum_by_world(values, world_of, self.worlds)

    def sums_of_runs(self, values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Each world's sum of `values` that come world after world (see `sums_of_runs`)."""
        return sums_of_runs(values, sizes)

    # ---- what the rules record ---------------------------------------------------------------
    def record_created(self, counts: np.ndarray, effort_total: np.ndarray) -> None:
        """Tasks created (`counts`: each world's number; `effort_total`: each world's effort summed)."""
        self.created += counts
        self.effort_created += effort_total

    def add_returned(self, level_key: np.ndarray, world_of: np.ndarray, hours: np.ndarray) -> None:
        self.refusals += self.count(world_of)
        self.returned_hours += self.per_level(level_key, hours)

    def record_work(
        self, tasks: TaskLedger, administrative: np.ndarray, self_governance: np.ndarray, rows, kind, spent,
        funded_used, level, level_key, office_world, holder,
    ) -> None:
        """Hours spent today on `rows` (of `kind`, held by `holder` at `level`); `funded_used`:
        the funded hours that paid for each (None when there were no funded hours);
        `administrative` and `self_governance` are the kind table's flags and `office_world`
        each office's world."""
        t = tasks
        day = self.today
        if (administrative & self_governance).any():
            day["administrative_hours"] += self.per_level(level_key, spent * administrative[kind])
            day["self_governance_hours"] += self.per_level(level_key, spent * self_governance[kind])
        else:
            # a kind is administrative, self-governance or neither: both sums in one bincount
            # over (world, level, class). Each sum adds the same hours in the same order as
            # a bincount of `spent * flag` would (which also adds zeros, and x + 0.0 is x)
            work_class = administrative.astype(np.intp) + 2 * self_governance  # 0 neither, 1, 2
            key = level_key * 3 + work_class[kind]
            hours = np.bincount(key, weights=spent, minlength=self.worlds * N_LEVELS * 3)
            by_class = hours.reshape(self.worlds, N_LEVELS, 3)
            day["administrative_hours"] += by_class[:, :, 1]
            day["self_governance_hours"] += by_class[:, :, 2]
        above = t.from_above[rows] & RECEIVES_FROM_ABOVE.take(level)  # (take: `[level]` with int8 indices is slow)
        day["from_above_staff_hours"] += self.per_level(level_key, spent * above)
        if funded_used is not None:
            self.funded_used += self.total(funded_used, office_world[holder])
            day["from_above_funded_hours"] += self.per_level(level_key, funded_used * above)

    def record_demand(self, day: int, office_level_key: np.ndarray, overloaded: np.ndarray) -> None:
        """Offices whose demand today exceeded their normal hours (counted after warm-up)."""
        if day > self.warmup:
            overloaded_now = self.per_level(office_level_key, overloaded)
            self.overloaded_office_days += overloaded_now.astype(np.int64)

    def record_departures(
        self, tasks: TaskLedger, origin: np.ndarray, holder_level_key: np.ndarray, day: int, rows: np.ndarray,
        state: int, holder: np.ndarray | None = None, kind: np.ndarray | None = None,
        on_time: np.ndarray | None = None,
    ) -> None:
        """Tasks leaving today (done or abandoned); `origin` is the kind table's origin
        column and `holder_level_key` the world's level key of each office. `holder`,
        `kind` and (for DONE) `on_time`: the rows' holders, kinds and deadline met, when
        the caller has them already."""
        t = tasks
        key = holder_level_key[t.holder[rows] if holder is None else holder]
        by_level = self.per_level(key)  # (worlds, levels) counts
        leaving = by_level.sum(axis=1)  # each world's
        if state == DONE:
            if on_time is None:
                on_time = t.deadline[rows] >= day
            on_time_by_level = self.per_level(key[on_time])
            self.done += leaving
            self.today["tasks_done"] += by_level
            self.today["tasks_done_on_time"] += on_time_by_level
        else:
            on_time = None
            self.abandoned += leaving
        if day <= self.warmup:  # the summary window is days warmup+1 .. days
            return
        world_of = key // N_LEVELS
        sojourn = day - t.created[rows]
        bounces = t.bounces[rows]
        self.departed += leaving
        self.handoffs_sum += self.whole(t.handoffs[rows], world_of)
        self.bounces_sum += self.whole(bounces, world_of)
        # (an index, not a mask: NumPy's boolean indexing is several times slower on mixed masks)
        resident = np.flatnonzero(origin[t.kind[rows] if kind is None else kind] == FROM_RESIDENTS)
        world_of_resident = world_of[resident]
        residents = self.count(world_of_resident)
        self.resident_departed += residents
        if on_time is not None:
            self.done_after_warmup += leaving
            self.on_time_after_warmup += on_time_by_level.sum(axis=1)
            # whole days, exact in any order: the sum of the day's lead times is its histogram's
            # first moment, unless some fell in the last, open bin
            lead_sum = self._add_to_hist(self.lead_hist, world_of, sojourn)
            self.sojourn_sum += self.whole(sojourn, world_of) if lead_sum is None else lead_sum
            self.resident_done += residents
            sojourn_resident = sojourn[resident]
            lead_sum = self._add_to_hist(self.resident_lead_hist, world_of_resident, sojourn_resident)
            self.resident_lead_sum += self.whole(sojourn_resident, world_of_resident) if lead_sum is None else lead_sum
            self.resident_bounces_sum += self.whole(bounces[resident], world_of_resident)
        else:
            self.sojourn_sum += self.whole(sojourn, world_of)  # whole days: exact in any order
            self.resident_abandoned += residents

    def _add_to_hist(self, hist: np.ndarray, world_of: np.ndarray, days: np.ndarray) -> np.ndarray | None:
        """Count whole-day lead times into `hist` (worlds × LEAD_BINS), the longest in the
        last bin; only the bins up to today's longest are counted and added. Returns each
        world's sum of `days` (exact, from the counts), or None when some were longer than
        the last bin holds."""
        if days.size == 0:
            return np.zeros(self.worlds, dtype=np.int64)
        longest = int(days.max())
        clipped = longest > LEAD_BINS - 1
        if clipped:
            days = np.minimum(days, LEAD_BINS - 1)
        bins = min(longest, LEAD_BINS - 1) + 1
        key = world_of.astype(np.int64, copy=False) * bins + days
        counts = np.bincount(key, minlength=self.worlds * bins).reshape(self.worlds, bins)
        hist[:, :bins] += counts
        return None if clipped else counts @ np.arange(bins)

    def close_day(
        self, tasks: TaskLedger, roster, level_key: np.ndarray, normal_hours: np.ndarray, day: int
    ) -> dict[str, np.ndarray]:
        """Snapshot the end of `day` per level (and each office's backlog into the
        roster), and start a fresh day."""
        t = tasks
        open_ = t.state == OPEN
        holder = t.holder[open_]
        # backlog: work the holder's own staff could still do (the authority part of a task
        # waiting below a department is the department's work, not the holder's), from
        # tomorrow on: a task whose admission review ends later is the reviewer's
        # (sim.rules.routing.hold_for_review)
        below = roster.level[holder] != DEPARTMENT
        own = t.effort_left[open_] - np.where(below, t.authority_left[open_], 0.0)
        own = np.where(t.review_until[open_] <= day + 1, own, 0.0)
        per_office = np.bincount(holder, weights=own, minlength=roster.size)
        roster.backlog_hours[:] = per_office
        snapshot = self.today
        snapshot["open_tasks"] = self.per_level(level_key[holder]).astype(float)
        snapshot["backlog_hours"] = self.per_level(level_key, per_office)
        snapshot["offices"] = self.per_level(level_key).astype(float)
        snapshot["staff"] = self.per_level(level_key, roster.staff)
        snapshot["hours_available"] = self.per_level(level_key, normal_hours)
        snapshot["hours_used"] = self.per_level(level_key, roster.hours_used)
        snapshot["overtime_hours"] = self.per_level(level_key, roster.overtime)
        snapshot["blame"] = (self.blame - self._blame_before).astype(float)
        snapshot["staff_lost"] = (self.staff_lost - self._lost_before).astype(float)
        self._blame_before = self.blame.copy()
        self._lost_before = self.staff_lost.copy()
        self.days.append(snapshot)
        self.created_by_day.append(self.created.copy())
        self.today = self._new_day()
        return snapshot

    # ---- one world's counts ------------------------------------------------------------------
    def of_world(self, w: int) -> SimpleNamespace:
        """World w's counts as the summary reads them: Python numbers for the counters,
        1-D arrays per level, one record per day."""
        one = SimpleNamespace(warmup=self.warmup)
        for name in COUNTS:
            setattr(one, name, int(getattr(self, name)[w]))
        for name in SUMS:
            setattr(one, name, float(getattr(self, name)[w]))
        for name in ("returned_hours", "blame", "staff_lost", "lead_hist", "resident_lead_hist",
                     "overloaded_office_days"):
            setattr(one, name, getattr(self, name)[w].copy())
        lost = self.staff_lost_by_category
        one.staff_lost_by_category = lost[w].copy() if isinstance(lost, np.ndarray) else lost
        one.created_by_day = [int(c[w]) for c in self.created_by_day]
        one.days = [{name: d[name][w] for name in DAY_COLUMNS} for d in self.days]
        one.today = {name: self.today[name][w] for name in DAY_COLUMNS}
        return one
