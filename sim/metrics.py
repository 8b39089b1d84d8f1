"""What a run reports: the per-day values, the per-day per-level table and the summary.

The names and their meanings are declared in `sim.outcomes`; the share formulas below
are the only copies, used for one day (the history) and for the window after warm-up
(the summary). Every "mean" is over the days after warm-up, every "total" over the
whole run unless its name says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .levels import BELOW_DEPARTMENTS, COMMITTEE, DEPARTMENT, LEVELS, N_LEVELS, STATION, STREET
from .outcomes import DAILY_KEYS, SUMMARY_KEYS
from .tally import DAY_COLUMNS, LEAD_BINS, Tally
from .world import World

if TYPE_CHECKING:
    import pandas as pd

NAN = float("nan")
# days_to_first_crisis: the first day after warm-up whose rolling on-time share of the
# tasks committees finished falls below CRISIS_ON_TIME_SHARE (docs/ODD.md §7)
CRISIS_WINDOW_DAYS = 5
CRISIS_ON_TIME_SHARE = 0.8
GOVERNMENT = [DEPARTMENT, STREET, STATION, COMMITTEE]  # offices of the state (not social organisations)
# per-day table columns that count things (integers in the table)
COUNT_COLUMNS = ("open_tasks", "offices", "staff", "tasks_done", "tasks_done_on_time", "blame", "staff_lost")

PerLevel = Mapping[str, np.ndarray]  # a day's record, or the sums over a window: name -> value per level


# ---- the share formulas -----------------------------------------------------------------
def share(part: float, whole: float, empty: float = NAN) -> float:
    """part / whole, or `empty` when there is no whole."""
    return float(part / whole) if whole > 0 else empty


def self_governance_share(rec: PerLevel, empty: float = NAN) -> float:
    """Committees' worked hours spent on self-governance."""
    return share(rec["self_governance_hours"][COMMITTEE], rec["hours_used"][COMMITTEE], empty)


def unfunded_share(rec: PerLevel, empty: float = NAN) -> float:
    """Of the work from above done at streets, stations and committees, the part done
    by their own staff rather than paid for by funded hours."""
    staff = sum(rec["from_above_staff_hours"][lv] for lv in BELOW_DEPARTMENTS)
    funded = sum(rec["from_above_funded_hours"][lv] for lv in BELOW_DEPARTMENTS)
    return share(staff, staff + funded, empty)


# ---- one day ----------------------------------------------------------------------------
def daily_values(tally: Tally, w: int = 0) -> dict[str, float]:
    """The per-day series (`sim.outcomes.DAILY`) of world w for the last closed day."""
    day = {name: value[w] for name, value in tally.days[-1].items()}
    done = day["tasks_done"].sum()
    offices = np.maximum(day["offices"], 1)
    created = [int(c[w]) for c in tally.created_by_day[-2:]]
    values = {
        "department_backlog_hours": day["backlog_hours"][DEPARTMENT] / offices[DEPARTMENT],
        "street_backlog_hours": day["backlog_hours"][STREET] / offices[STREET],
        "station_backlog_hours": day["backlog_hours"][STATION] / offices[STATION],
        "committee_backlog_hours": day["backlog_hours"][COMMITTEE] / offices[COMMITTEE],
        "committee_self_governance_share": self_governance_share(day, empty=0.0),
        "tasks_done_on_time_share": share(day["tasks_done_on_time"].sum(), done, empty=1.0),
        "unfunded_work_share": unfunded_share(day, empty=0.0),
        "department_load": day["backlog_hours"][DEPARTMENT] / max(day["hours_available"][DEPARTMENT], 1.0),
        "open_tasks": day["open_tasks"].sum(),
        "tasks_created": created[-1] - (created[-2] if len(created) > 1 else 0),
        "committee_participation": day["participation"][COMMITTEE] / offices[COMMITTEE],
        "committee_self_governance_hours": day["self_governance_hours"][COMMITTEE] / offices[COMMITTEE],
    }
    return {key: float(values[key]) for key in DAILY_KEYS}


def timeseries(tally) -> pd.DataFrame:
    """One row per day per level, of one world (`Tally.of_world`)."""
    import pandas as pd  # here, not at the top: a run without a time series does not import pandas

    n = len(tally.days)
    frame = {"day": np.repeat(np.arange(1, n + 1), N_LEVELS), "level": np.tile(LEVELS, n)}
    for name in DAY_COLUMNS:
        frame[name] = np.concatenate([d[name] for d in tally.days]) if n else np.array([])
    df = pd.DataFrame(frame)
    for name in COUNT_COLUMNS:
        df[name] = df[name].round().astype(np.int64)
    return df


# ---- the run ----------------------------------------------------------------------------
def window_sums(window: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Each per-day column summed over the window, per level (day by day, in order)."""
    sums = {}
    for name in DAY_COLUMNS:
        rows = np.zeros((len(window) + 1, N_LEVELS))
        if window:
            rows[1:] = [d[name] for d in window]
        # a running sum down the days: 0 + day 1 + day 2 + ..., in order, the additions of
        # a Python sum() over the days (a NumPy sum along the days would add them pairwise)
        sums[name] = np.cumsum(rows, axis=0)[-1]
    return sums


def day_totals_sum(days: list[dict[str, np.ndarray]], name: str) -> float:
    """sum(d[name].sum() for d in days): each day's total over the levels, added day by day in order."""
    totals = np.zeros(len(days) + 1)
    if days:
        totals[1:] = np.array([d[name] for d in days]).sum(axis=1)  # each row as its own .sum()
    return float(np.cumsum(totals)[-1])


def summarise(world: World, w: int = 0) -> dict:
    """The flat summary of a run (world w of a stack): the keys of `sim.outcomes.SUMMARY`, in that order."""
    tally, cfg = world.tally.of_world(w), world.scenarios[w]  # world w's own scenario (its regime)
    days = len(tally.days)
    warm = min(cfg.warmup_days, max(days - 1, 0))
    window = tally.days[warm:]
    n_window = max(len(window), 1)
    sums = window_sums(window)

    def per_office_mean(name: str, level: int) -> float:
        vals = [d[name][level] / d["offices"][level] for d in window if d["offices"][level] > 0]
        return float(np.mean(vals)) if vals else 0.0

    open_series = np.array([d["open_tasks"] for d in window]).sum(axis=1) if window else np.array([])
    lead_n = tally.lead_hist.sum()
    if lead_n:
        lead_days = np.arange(LEAD_BINS)
        lead_mean = float((tally.lead_hist * lead_days).sum() / lead_n)
    else:
        lead_mean = NAN
    departures_per_day = tally.departed / n_window
    sojourn_mean = share(tally.sojourn_sum, tally.departed)
    last = tally.days[-1] if tally.days else None

    s: dict = {
        "scenario": cfg.name,
        "seed": int(world.seeds[w]),
        "days": days,
        "warmup_days": warm,
        "tasks_created": int(tally.created),
        "tasks_done": int(tally.done),
        "tasks_abandoned": int(tally.abandoned),
        "tasks_open": int(last["open_tasks"].sum()) if last is not None else 0,
        "tasks_done_on_time_share": share(tally.on_time_after_warmup, tally.done_after_warmup),
        "lead_time_days_mean": lead_mean,
        "lead_time_days_p90": quantile_of(tally.lead_hist, 0.9),
        "sojourn_days_mean": sojourn_mean,
        "departures_per_day": departures_per_day,
        "open_tasks_mean": float(open_series.mean()) if open_series.size else 0.0,
        "handoffs_per_task_mean": share(tally.handoffs_sum, tally.departed),
        "bounces_per_task_mean": share(tally.bounces_sum, tally.departed),
        "refusals_total": int(tally.refusals),
        "gate_leaks_total": int(tally.gate_leaks),
        "escalations_total": int(tally.escalations),
    }
    for lv in (DEPARTMENT, STREET, STATION, COMMITTEE):
        s[f"{LEVELS[lv]}_backlog_hours_mean"] = per_office_mean("backlog_hours", lv)
        avail = sums["hours_available"][lv]
        s[f"{LEVELS[lv]}_utilisation_mean"] = share(sums["hours_used"][lv], avail, empty=0.0)
    s["department_load_mean"] = share(sums["backlog_hours"][DEPARTMENT], sums["hours_available"][DEPARTMENT])
    s["committee_self_governance_share"] = self_governance_share(sums)
    s["unfunded_work_share"] = unfunded_share(sums)
    s["resident_unmet_share"] = share(tally.resident_abandoned, tally.resident_departed)
    s["department_returned_hours"] = float(tally.returned_hours[DEPARTMENT])
    s["street_returned_hours"] = float(tally.returned_hours[STREET])
    for lv, name in enumerate(LEVELS):
        s[f"blame_{name}_total"] = int(tally.blame[lv])
    s["social_organisation_hours_purchased"] = float(tally.purchased_hours)
    s["purchase_spend_total"] = float(tally.purchase_spend)
    s["rework_total"] = int(tally.reworks)
    s["resident_lead_time_days_mean"] = share(tally.resident_lead_sum, tally.resident_done)
    s["resident_bounces_per_request_mean"] = share(tally.resident_bounces_sum, tally.resident_done)
    s["staff_lost_total"] = int(tally.staff_lost.sum())
    for lv, name in enumerate(LEVELS):
        s[f"staff_lost_{name}_total"] = int(tally.staff_lost[lv])
    s["coproduced_hours_total"] = float(tally.coproduced_hours)
    s["staff_lost_to_strain_share"] = share(tally.staff_lost_to_strain, float(tally.staff_lost.sum()), 0.0)
    s["overtime_hours_total"] = day_totals_sum(tally.days, "overtime_hours")
    s["funded_hours_total"] = float(tally.funded_given)
    s.update(behaviour_outcomes(sums, window, tally))
    ratio, stable = littles_law_check(open_series, departures_per_day, sojourn_mean)
    s["littles_law_ratio"] = ratio
    s["stable"] = stable
    # outcomes that separate regimes (issue 13)
    s["effort_created_hours_total"] = float(tally.effort_created)
    s["resident_lead_time_days_p90"] = quantile_of(tally.resident_lead_hist, 0.9)
    s["resident_lead_time_days_p99"] = quantile_of(tally.resident_lead_hist, 0.99)
    s["committee_overload_days_share"] = share(tally.overloaded_office_days[COMMITTEE], sums["offices"][COMMITTEE])
    s["days_to_first_crisis"] = days_to_first_crisis(tally.days, warm)
    s["blame_committee_share"] = share(tally.blame[COMMITTEE], float(tally.blame.sum()), empty=0.0)
    s["regime_cost_yuan_per_day"] = regime_cost_per_day(world, days, tally, w)
    s["staff_total"] = int(world.roster.posts[world.office_world == w].sum())
    return {key: s[key] for key in SUMMARY_KEYS}


def behaviour_outcomes(sums: PerLevel, window: list[dict[str, np.ndarray]], tally) -> dict[str, float]:
    """What the offices' behaviour leaves (issue 15), over the window after warm-up."""
    committee_days = sums["offices"][COMMITTEE]
    return {
        "committee_self_governance_hours_mean": share(
            sums["self_governance_hours"][COMMITTEE], committee_days, empty=0.0
        ),
        "participation_mean": share(sums["participation"][COMMITTEE], committee_days),
        "self_governance_unmet_share": 1.0 - share(
            sums["self_governance_taken_hours"][COMMITTEE], sums["self_governance_demand_hours"][COMMITTEE], empty=1.0
        ),
        "campaign_hours_total": day_totals_sum(tally.days, "campaign_hours"),
        "formalism_hours_share": share(
            sums["formalism_hours"][GOVERNMENT].sum(), sums["hours_used"][GOVERNMENT].sum(), empty=0.0
        ),
        "documentation_hours_share": share(
            sums["documentation_hours"][GOVERNMENT].sum(), sums["hours_used"][GOVERNMENT].sum(), empty=0.0
        ),
        "audits_total": int(tally.audits),
        "department_leak_propensity_mean": share(
            sums["leak_propensity"][DEPARTMENT], sums["offices"][DEPARTMENT], empty=0.0
        ),
        "formalism_reworks_total": int(day_totals_sum(tally.days, "formalism_reworks")),
        "committee_administrative_share": share(
            sums["administrative_hours"][COMMITTEE], sums["hours_used"][COMMITTEE], empty=0.0
        ),
        "sanctioned_offices_share": share(
            sums["sanctioned"][[STREET, COMMITTEE]].sum(), sums["offices"][[STREET, COMMITTEE]].sum(), empty=0.0
        ),
    }


def quantile_of(hist: np.ndarray, q: float) -> float:
    """The q-quantile of whole-day lead times counted in `hist` (NaN when empty)."""
    n = hist.sum()
    return float(np.searchsorted(np.cumsum(hist), q * n)) if n else NAN


def days_to_first_crisis(days: list[dict[str, np.ndarray]], warm: int) -> int:
    """The first day after warm-up on which the share of committees' tasks done on time
    over the last CRISIS_WINDOW_DAYS days (that day included) falls below
    CRISIS_ON_TIME_SHARE; the horizon + 1 if it never does. Days without any task done by
    committees in the window are no crisis."""
    done = np.array([d["tasks_done"][COMMITTEE] for d in days])
    on_time = np.array([d["tasks_done_on_time"][COMMITTEE] for d in days])
    k = CRISIS_WINDOW_DAYS
    done_w = np.convolve(done, np.ones(k))[: len(days)]
    on_time_w = np.convolve(on_time, np.ones(k))[: len(days)]
    crisis = (done_w > 0) & (on_time_w < CRISIS_ON_TIME_SHARE * done_w)
    crisis[:warm] = False
    hits = np.flatnonzero(crisis)
    return int(hits[0]) + 1 if hits.size else len(days) + 1


def regime_cost_per_day(world: World, days: int, tally, w: int = 0) -> float:
    """Yuan a day the regime spends on top of the baseline's staff: funded hours and
    purchases (over the run), and the posts of service stations and of extra committee
    staff at staff.hourly_cost for a normal day. `tally`: world w's (`Tally.of_world`)."""
    cfg = world.scenarios[w]
    cost, hours = cfg.staff.hourly_cost, cfg.staff.hours_per_day
    mine = world.office_world == w
    level, posts = world.roster.level[mine], world.roster.posts[mine]
    streets = int((level == STREET).sum())
    extra_posts = int(posts[level == STATION].sum()) + cfg.levers.extra_committee_staff_per_street * streets
    money = (tally.funded_given * cost + tally.purchase_spend) / max(days, 1)
    return float(money + extra_posts * hours * cost)


def littles_law_check(open_series: np.ndarray, rate: float, sojourn: float) -> tuple[float, bool]:
    """L / (lambda W) over the window, and whether the open-task count has stopped growing.

    Stable means no upward drift of open tasks across the window: the least-squares trend
    adds no more than 10% of the mean (or 2 tasks) over the window's length, and the last
    quarter's mean exceeds the quarter before by no more than 10% plus three standard
    errors of day-to-day noise."""
    n = open_series.size
    if n < 8 or not rate or not np.isfinite(sojourn) or rate * sojourn <= 0:
        return NAN, False
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
