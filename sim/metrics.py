"""What is measured: running tallies, one record per day per level, and the run summary.

The summary's names are a contract (README "Outputs"); every "mean" is over the days after
warm-up, every "total" over the whole run unless its name says otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .agents import COMMITTEE, DEPARTMENT, LEVELS, STATION, STREET
from .kinds import FROM_RESIDENTS
from .ledger import DONE

if TYPE_CHECKING:
    from .model import TiaokuaiModel

N_LEVELS = len(LEVELS)
LEAD_BINS = 4096  # lead times in whole days; longer ones go to the last bin
# levels whose work from above is measured for the unfunded share (streets and below)
RECEIVES_FROM_ABOVE = np.isin(np.arange(N_LEVELS), (STREET, STATION, COMMITTEE))
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
)


class Tally:
    """Counters the model adds to as the day's events happen."""

    def __init__(self, warmup_days: int):
        self.warmup = warmup_days
        self.created = 0
        self.created_by_day: list[int] = []
        self.done = 0
        self.abandoned = 0
        self.refusals = 0
        self.gate_leaks = 0
        self.escalations = 0
        self.bounces = 0
        self.reworks = 0
        self.purchase_spend = 0.0
        self.purchased_hours = 0.0
        self.funded_given = 0.0
        self.funded_used = 0.0
        self.funded_abandoned = 0.0
        self.funded_left_over = 0.0  # funded hours still on a task when it was finished
        self.returned_hours = np.zeros(N_LEVELS)
        self.blame = np.zeros(N_LEVELS, dtype=np.int64)
        self.staff_lost = np.zeros(N_LEVELS, dtype=np.int64)
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
        self.resident_departed = 0
        self.resident_abandoned = 0
        self.resident_done = 0
        self.resident_lead_sum = 0.0
        self.resident_bounces_sum = 0
        # today's per-level work, reset each day
        self.today = {name: np.zeros(N_LEVELS) for name in DAY_COLUMNS}
        self.days: list[dict[str, np.ndarray]] = []

    def add_returned(self, level: np.ndarray, hours: np.ndarray) -> None:
        self.refusals += int(level.size)
        self.returned_hours += np.bincount(level, weights=hours, minlength=N_LEVELS)

    def record_work(self, model: TiaokuaiModel, rows, spent, finished, workable, level) -> None:
        t = model.tasks
        sg = model.kinds.self_governance[t.kind[rows]]
        above = t.from_above[rows] & RECEIVES_FROM_ABOVE[level]
        funded_used = np.where(finished, np.minimum(t.funded[rows], workable), 0.0)
        self.funded_used += float(funded_used.sum())
        day = self.today
        day["self_governance_hours"] += np.bincount(level, weights=spent * sg, minlength=N_LEVELS)
        day["from_above_staff_hours"] += np.bincount(level, weights=spent * above, minlength=N_LEVELS)
        day["from_above_funded_hours"] += np.bincount(
            level, weights=funded_used * above, minlength=N_LEVELS
        )

    def record_departures(self, model: TiaokuaiModel, rows: np.ndarray, state: int) -> None:
        t, day = model.tasks, model.day
        if state == DONE:
            self.done += int(rows.size)
            level = model.roster.level[t.holder[rows]]
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
        resident = model.kinds.origin[t.kind[rows]] == FROM_RESIDENTS
        self.resident_departed += int(resident.sum())
        if state == DONE:
            self.done_after_warmup += int(rows.size)
            self.on_time_after_warmup += int((t.deadline[rows] >= day).sum())
            self.lead_hist += np.bincount(np.minimum(sojourn, LEAD_BINS - 1), minlength=LEAD_BINS)
            self.resident_done += int(resident.sum())
            self.resident_lead_sum += float(sojourn[resident].sum())
            self.resident_bounces_sum += int(t.bounces[rows][resident].sum())
        else:
            self.resident_abandoned += int(resident.sum())

    def close_day(self, model: TiaokuaiModel) -> dict[str, np.ndarray]:
        """Snapshot the end of the day per level, and start a fresh day."""
        t, roster = model.tasks, model.roster
        open_ = t.state == 0
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
        day["hours_available"] = np.bincount(lv, weights=model.normal_hours(), minlength=N_LEVELS)
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


def timeseries(tally: Tally) -> pd.DataFrame:
    """One row per day per level."""
    n = len(tally.days)
    frame = {"day": np.repeat(np.arange(1, n + 1), N_LEVELS), "level": np.tile(LEVELS, n)}
    for name in DAY_COLUMNS:
        frame[name] = np.concatenate([d[name] for d in tally.days]) if n else np.array([])
    df = pd.DataFrame(frame)
    for name in ("open_tasks", "offices", "staff", "tasks_done", "tasks_done_on_time", "blame", "staff_lost"):
        df[name] = df[name].round().astype(np.int64)
    return df


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def summarise(model: TiaokuaiModel) -> dict:
    """The flat summary of a run (contract names)."""
    tally, cfg = model.tally, model.config
    days = len(tally.days)
    warm = min(cfg.warmup_days, max(days - 1, 0))
    window = tally.days[warm:]
    w = max(len(window), 1)

    def level_sum(name: str, level: int) -> float:
        return float(sum(d[name][level] for d in window))

    def per_office_mean(name: str, level: int) -> float:
        vals = [d[name][level] / d["offices"][level] for d in window if d["offices"][level] > 0]
        return float(np.mean(vals)) if vals else 0.0

    open_series = np.array([d["open_tasks"].sum() for d in window])
    lead_n = tally.lead_hist.sum()
    if lead_n:
        lead_days = np.arange(LEAD_BINS)
        lead_mean = float((tally.lead_hist * lead_days).sum() / lead_n)
        lead_p90 = float(np.searchsorted(np.cumsum(tally.lead_hist), 0.9 * lead_n))
    else:
        lead_mean = lead_p90 = float("nan")
    departures_per_day = tally.departed / w
    sojourn_mean = _ratio(tally.sojourn_sum, tally.departed)
    open_mean = float(open_series.mean()) if open_series.size else 0.0
    above_staff = sum(level_sum("from_above_staff_hours", lv) for lv in (STREET, STATION, COMMITTEE))
    above_funded = sum(level_sum("from_above_funded_hours", lv) for lv in (STREET, STATION, COMMITTEE))
    last = tally.days[-1] if tally.days else None

    s: dict = {
        "scenario": cfg.name,
        "seed": int(model.seed),
        "days": days,
        "warmup_days": warm,
        "tasks_created": int(tally.created),
        "tasks_done": int(tally.done),
        "tasks_abandoned": int(tally.abandoned),
        "tasks_open": int(last["open_tasks"].sum()) if last is not None else 0,
        "tasks_done_on_time_share": _ratio(tally.on_time_after_warmup, tally.done_after_warmup),
        "lead_time_days_mean": lead_mean,
        "lead_time_days_p90": lead_p90,
        "sojourn_days_mean": sojourn_mean,
        "departures_per_day": departures_per_day,
        "open_tasks_mean": open_mean,
        "handoffs_per_task_mean": _ratio(tally.handoffs_sum, tally.departed),
        "bounces_per_task_mean": _ratio(tally.bounces_sum, tally.departed),
        "refusals_total": int(tally.refusals),
        "gate_leaks_total": int(tally.gate_leaks),
        "escalations_total": int(tally.escalations),
    }
    for name, lv in (("department", DEPARTMENT), ("street", STREET), ("station", STATION), ("committee", COMMITTEE)):
        s[f"{name}_backlog_hours_mean"] = per_office_mean("backlog_hours", lv)
        avail = level_sum("hours_available", lv)
        s[f"{name}_utilisation_mean"] = _ratio(level_sum("hours_used", lv), avail) if avail > 0 else 0.0
    s["department_load_mean"] = _ratio(
        level_sum("backlog_hours", DEPARTMENT), level_sum("hours_available", DEPARTMENT)
    )
    s["committee_self_governance_share"] = _ratio(
        level_sum("self_governance_hours", COMMITTEE), level_sum("hours_used", COMMITTEE)
    )
    s["unfunded_work_share"] = _ratio(above_staff, above_staff + above_funded)
    s["resident_unmet_share"] = _ratio(tally.resident_abandoned, tally.resident_departed)
    s["department_returned_hours"] = float(tally.returned_hours[DEPARTMENT])
    s["street_returned_hours"] = float(tally.returned_hours[STREET])
    for name, lv in zip(LEVELS, range(len(LEVELS))):
        s[f"blame_{name}_total"] = int(tally.blame[lv])
    s["social_organisation_hours_purchased"] = float(tally.purchased_hours)
    s["purchase_spend_total"] = float(tally.purchase_spend)
    s["rework_total"] = int(tally.reworks)
    s["resident_lead_time_days_mean"] = _ratio(tally.resident_lead_sum, tally.resident_done)
    s["resident_bounces_per_request_mean"] = _ratio(tally.resident_bounces_sum, tally.resident_done)
    s["staff_lost_total"] = int(tally.staff_lost.sum())
    for name, lv in zip(LEVELS, range(len(LEVELS))):
        s[f"staff_lost_{name}_total"] = int(tally.staff_lost[lv])
    s["overtime_hours_total"] = float(sum(d["overtime_hours"].sum() for d in tally.days))
    s["funded_hours_total"] = float(tally.funded_given)
    ratio, stable = littles_law_check(open_series, departures_per_day, sojourn_mean)
    s["littles_law_ratio"] = ratio
    s["stable"] = stable
    return s


def littles_law_check(open_series: np.ndarray, rate: float, sojourn: float) -> tuple[float, bool]:
    """L / (lambda W) over the window, and whether the open-task count has stopped growing.

    Stable means no upward drift of open tasks across the window: the least-squares trend
    adds no more than 10% of the mean (or 2 tasks) over the window's length, and the last
    quarter's mean exceeds the quarter before by no more than 10% plus three standard
    errors of day-to-day noise."""
    n = open_series.size
    if n < 8 or not rate or not np.isfinite(sojourn) or rate * sojourn <= 0:
        return float("nan"), False
    ratio = float(open_series.mean() / (rate * sojourn))
    days = np.arange(n, dtype=float)
    slope = np.polyfit(days, open_series.astype(float), 1)[0]
    mean = float(open_series.mean())
    drift_ok = slope * n <= 0.10 * mean + 2.0
    q = n // 4
    late, before = open_series[-q:], open_series[-2 * q : -q]
    se = np.sqrt(late.var() / q + before.var() / q)
    settled = late.mean() - before.mean() <= 0.10 * before.mean() + 3.0 * se + 2.0
    return ratio, bool(drift_ok and settled)
