"""Routing: what a holder does with a task it has newly received.

Top down, once a day: departments decide, then streets, then committees (DESIGN §4.2).
The verbs are the domain's: `push_down` (hand to the level below, territorial
management), `admit` (the admission gate at the receiving level, which may refuse or
leak), `fund` (resources that follow the task), `purchase` (buy it from a social
organisation) and `escalate` (send work needing authority back up to its department).

Every function acts on an array of ledger rows, so a whole level decides at once. All
draws go through the model's generator, and a fixed number of draws is taken per task
whatever the regime, so regimes compared on one seed see the same luck.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .agents import COMMITTEE, DEPARTMENT, SOCIAL_ORGANISATION, STATION, STREET
from .config import Gate
from .ledger import running_total_within, stable_order

if TYPE_CHECKING:
    from .model import TiaokuaiModel

EPS = 1e-9


def candidates(model: TiaokuaiModel, level: int) -> np.ndarray:
    """Rows the offices of `level` must decide on today."""
    t = model.tasks
    # few rows are fresh once the day's arrivals are decided on: test the rest on those only
    rows = np.flatnonzero(t.fresh)
    mask = (model.roster.level[t.holder[rows]] == level) & (t.ready_day[rows] <= model.day) & (t.state[rows] == 0)
    return rows[mask]


def route_department_tasks(model: TiaokuaiModel) -> None:
    """Departments keep a task or push it down to the street whose territory it concerns."""
    rows = candidates(model, DEPARTMENT)
    model.tasks.fresh[rows] = False
    rows = rows[~model.tasks.pinned[rows]]
    if rows.size == 0:
        return
    levers = model.config.levers
    want = wants_to_push(model, rows, levers.push_down_propensity, bias=model.roster.push_down_bias)
    rows = rows[want]
    target = model.roster.street[model.tasks.territory[rows]]
    rows, target = admit(model, rows, target, levers.street_gate, model.kinds.street_listed)
    push_down(model, rows, target, levers.street_gate)


def route_street_tasks(model: TiaokuaiModel) -> None:
    """Streets hand work to a service station (administrative work, where stations exist)
    or to the territory's committee, and buy what they keep from social organisations."""
    rows = candidates(model, STREET)
    model.tasks.fresh[rows] = False
    rows = rows[~model.tasks.pinned[rows]]
    if rows.size == 0:
        return
    levers = model.config.levers
    t = model.tasks
    base = levers.push_down_propensity if levers.street_push_down_propensity is None else levers.street_push_down_propensity
    want = wants_to_push(model, rows, base, bias=None)
    kept, rows = rows[~want], rows[want]
    streets = t.holder[rows]
    to_station = np.zeros(rows.size, dtype=bool)
    stations = model.stations_of_street
    if stations.shape[1] > 0 and rows.size:
        to_station = model.kinds.is_administrative[t.kind[rows]]
        pick = model.rng.integers(0, stations.shape[1], size=rows.size)
        station_target = stations[streets, pick]
        push_down(model, rows[to_station], station_target[to_station], None)
    rows = rows[~to_station]
    target = t.territory[rows]
    admitted, target = admit(model, rows, target, levers.committee_gate, model.kinds.committee_listed)
    refused = np.setdiff1d(rows, admitted, assume_unique=True)
    push_down(model, admitted, target, levers.committee_gate)
    purchase(model, np.sort(np.concatenate([kept, refused])))


def route_committee_tasks(model: TiaokuaiModel) -> None:
    """Committees may pass purchasable work to a social organisation paid by their street."""
    rows = candidates(model, COMMITTEE)
    model.tasks.fresh[rows] = False
    rows = rows[~model.tasks.pinned[rows]]
    purchase(model, rows)
    for level in (STATION, SOCIAL_ORGANISATION):
        model.tasks.fresh[candidates(model, level)] = False


def wants_to_push(
    model: TiaokuaiModel, rows: np.ndarray, propensity: float, bias: np.ndarray | None
) -> np.ndarray:
    """The holder's wish to hand each task down: a base propensity that rises with the
    holder's own backlog (days of work queued), cut by reverse evaluation."""
    levers = model.config.levers
    holder = model.tasks.holder[rows]
    load = model.roster.backlog_hours[holder] / np.maximum(model.normal_hours()[holder], 1.0)
    p = propensity + levers.push_down_backlog_sensitivity * load
    if bias is not None:
        p = p * bias[holder]
    return model.rng.random(rows.size) < np.clip(p, 0.0, 1.0)


def admit(
    model: TiaokuaiModel, rows: np.ndarray, target: np.ndarray, gate: Gate, listed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The admission gate at the receiving level. Unlisted tasks are refused; a sender
    respects the refusal with probability `compliance` (the task stays with it, and its
    hours count as load returned to the sender), otherwise the task leaks through."""
    t, tally = model.tasks, model.tally
    respects = model.rng.random(rows.size) < gate.compliance
    if not gate.enabled or rows.size == 0:
        return rows, target
    unlisted = ~listed[t.kind[rows]]
    refused = unlisted & respects
    leaked = unlisted & ~respects
    stay = rows[refused]
    t.refusals[stay] += 1
    level = model.roster.level[t.holder[stay]]
    tally.add_returned(level, t.effort_left[stay])
    tally.gate_leaks += int(leaked.sum())
    t.leaked[rows[leaked]] = True
    if model.config.levers.reverse_evaluation:
        senders = t.holder[rows[leaked]]
        _add_to(model.month_leaked_hours, senders, t.effort_left[rows[leaked]])
    return rows[~refused], target[~refused]


def push_down(model: TiaokuaiModel, rows: np.ndarray, target: np.ndarray, gate: Gate | None) -> None:
    """Hand tasks to the offices below; resources follow if the regime says so."""
    if rows.size == 0:
        return
    t = model.tasks
    sender = t.holder[rows].copy()
    fund(model, rows, sender)
    hours = t.effort_left[rows]
    model.record_flow(sender, target, hours)
    t.holder[rows] = target
    t.handoffs[rows] += 1
    t.from_above[rows] = True
    t.fresh[rows] = True
    if gate is not None and gate.enabled and gate.review_days > 0:
        listed = ~t.leaked[rows]
        t.ready_day[rows[listed]] = model.day + gate.review_days


def fund(model: TiaokuaiModel, rows: np.ndarray, sender: np.ndarray) -> None:
    """Resources follow tasks: the sender pays for a share of the unfunded effort out of
    its budget, in queue order, until its budget runs out. Money is moved, not created."""
    t = model.tasks
    share = model.config.levers.resources_follow_tasks
    unfunded = np.maximum(t.effort_left[rows] - t.funded[rows], 0.0)
    if model.config.levers.reverse_evaluation:
        _add_to(model.month_pushed_hours, sender, t.effort_left[rows])
    if share <= 0.0:
        if model.config.levers.reverse_evaluation:
            _add_to(model.month_unfunded_hours, sender, unfunded)
        return
    cost = model.config.staff.hourly_cost
    wish = share * unfunded * cost
    budget = model.roster.funding_budget
    granted = _within_budget(sender, wish, budget)
    _add_to(budget, sender, -granted)
    hours = granted / cost
    t.funded[rows] += hours
    model.tally.funded_given += float(hours.sum())
    if model.config.levers.reverse_evaluation:
        _add_to(model.month_unfunded_hours, sender, unfunded - hours)


def purchase(model: TiaokuaiModel, rows: np.ndarray) -> np.ndarray:
    """Buy purchasable tasks from a social organisation of the district, paid from the
    street's purchasing budget while it lasts, and only from an organisation with room in
    its queue. Returns the rows not bought."""
    t = model.tasks
    if rows.size == 0 or model.config.levers.purchasing_budget_share <= 0:
        return rows
    pick = model.rng.random(rows.size)
    district = model.roster.district[t.holder[rows]]
    n_orgs = model.org_count_by_district[district]
    buyable = model.kinds.purchasable[t.kind[rows]] & (n_orgs > 0)
    slot = (pick * n_orgs).astype(np.int64)
    org = model.orgs_of_district[district, np.minimum(slot, model.orgs_of_district.shape[1] - 1)]
    idx = np.flatnonzero(buyable)
    # an organisation takes on no more than a few days of work (its capacity)
    fits = _within_budget(org[idx], t.effort_left[rows[idx]], org_room(model), all_or_nothing=True) > 0
    idx = idx[fits]
    payer = model.roster.street[t.holder[rows[idx]]]
    price = model.config.levers.social_organisation_price_per_hour
    cost = price * t.effort_left[rows[idx]]
    granted = _within_budget(payer, cost, model.roster.purchase_budget, all_or_nothing=True)
    idx, payer, spend = idx[granted > 0], payer[granted > 0], granted[granted > 0]
    cand, org = rows[idx], org[idx]
    _add_to(model.roster.purchase_budget, payer, -spend)
    hours = t.effort_left[cand]
    model.roster.backlog_hours += np.bincount(org, weights=hours, minlength=model.roster.size)
    model.record_flow(t.holder[cand], org, hours)
    t.buyer[cand] = t.holder[cand]
    t.holder[cand] = org
    t.handoffs[cand] += 1
    t.fresh[cand] = False
    t.pinned[cand] = True
    model.tally.purchase_spend += float(spend.sum())
    model.tally.purchased_hours += float(hours.sum())
    keep = np.ones(rows.size, dtype=bool)
    keep[idx] = False
    return rows[keep]


def org_room(model: TiaokuaiModel) -> np.ndarray:
    """Hours of work each office could still accept before its queue exceeds
    levers.social_organisation_max_backlog_days of its normal hours."""
    days = model.config.levers.social_organisation_max_backlog_days
    return np.maximum(days * model.normal_hours() - model.roster.backlog_hours, 0.0)


def escalate(model: TiaokuaiModel) -> None:
    """Work needing a department's authority goes back up once the holder below has done
    its part (finding, reporting). The department takes it back with probability
    `escalation_acceptance`, or must once `bounce_limit` bounces are reached; otherwise it
    bounces back down and is escalated again after `escalation_retry_days`."""
    t = model.tasks
    rows = np.flatnonzero(t.authority_left > EPS)  # few tasks need authority: test the rest on those
    waiting = (
        (t.state[rows] == 0)
        & (model.roster.level[t.holder[rows]] != DEPARTMENT)
        & (t.effort_left[rows] - t.authority_left[rows] <= EPS)
        & (t.ready_day[rows] <= model.day)
    )
    rows = rows[waiting]
    if rows.size == 0:
        return
    levers = model.config.levers
    accept = model.rng.random(rows.size) < levers.escalation_acceptance
    accept |= t.bounces[rows] >= levers.bounce_limit
    model.tally.escalations += int(rows.size)
    up = rows[accept]
    model.record_flow(t.holder[up], t.responsible[up], t.effort_left[up])
    t.holder[up] = t.responsible[up]
    t.handoffs[up] += 1
    t.pinned[up] = True
    t.fresh[up] = False
    back = rows[~accept]
    t.bounces[back] += 1
    t.handoffs[back] += 2
    t.ready_day[back] = model.day + max(levers.escalation_retry_days, 1)
    model.tally.bounces += int(back.size)


def _add_to(total: np.ndarray, office: np.ndarray, amount: np.ndarray) -> None:
    """total[office] += amount, with repeated offices summed (bincount: far faster than np.add.at)."""
    if office.size:
        total += np.bincount(office, weights=amount, minlength=total.size)


def _within_budget(
    payer: np.ndarray, wish: np.ndarray, budget: np.ndarray, all_or_nothing: bool = False
) -> np.ndarray:
    """Grant each wish in order while the payer's budget lasts (vectorised per payer).

    With `all_or_nothing`, a wish is granted whole or not at all (a purchase); otherwise
    the wish that crosses the budget is granted in part (funding)."""
    granted = wish.astype(float, copy=True)
    if wish.size == 0:
        return granted
    # a payer whose budget covers all its wishes grants them all, in any order; only
    # the wishes of payers that run short need to be queued
    total = np.bincount(payer, weights=wish, minlength=budget.size)
    short = np.flatnonzero((total > budget + EPS)[payer])
    if short.size == 0:
        return granted
    short = short[stable_order(payer[short])]
    p, w = payer[short], wish[short]
    spent_after = running_total_within(p, w)
    avail = budget[p]
    if all_or_nothing:
        granted[short] = np.where(spent_after <= avail + EPS, w, 0.0)
    else:
        granted[short] = np.clip(avail - (spent_after - w), 0.0, w)
    return granted
