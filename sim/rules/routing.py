"""Routing: what a holder does with a task it has newly received.

Top down, once a day: departments decide, then streets, then committees (DESIGN §4.2).
The verbs are the domain's: `push_down` (hand to the level below, territorial
management), `admit` (the admission gate at the receiving level, which may refuse or
leak), `fund` (resources that follow the task) and `purchase` (buy it from a social
organisation). Escalation back up is in `sim.rules.escalation`.

Every function acts on an array of ledger rows, so a whole level decides at once. Each
decision on a task uses that task's own draw for it (sim.draws: the same task meets the
same draw in every regime), whatever else the regime decides.
"""

from __future__ import annotations

import numpy as np

from ..config import Gate
from ..draws import Decision
from ..ledger import OPEN
from ..levels import COMMITTEE, DEPARTMENT, SOCIAL_ORGANISATION, STATION, STREET
from ..world import World
from . import blame, compliance, ranking
from .budgets import add_to, within_budget


def candidates(world: World, level: int, other_level: int | None = None) -> np.ndarray:
    """Rows the offices of `level` (or of `other_level`) must decide on today."""
    t = world.tasks
    # few rows are fresh once the day's arrivals are decided on: test the rest on those only
    rows = np.flatnonzero(t.fresh)
    held_at = world.roster.level[t.holder[rows]]
    at_level = held_at == level if other_level is None else (held_at == level) | (held_at == other_level)
    mask = at_level & (t.ready_day[rows] <= world.day) & (t.state[rows] == OPEN)
    return rows[mask]


def take_up(world: World, level: int) -> np.ndarray:
    """The level's offices look at what they newly hold: every candidate is decided on
    today; returns those they are free to route (not pinned to their holder)."""
    rows = candidates(world, level)
    world.tasks.fresh[rows] = False
    return rows[~world.tasks.pinned[rows]]


def route_department_tasks(world: World) -> None:
    """Departments keep a task or push it down to the street whose territory it concerns."""
    rows = take_up(world, DEPARTMENT)
    if rows.size == 0:
        return
    levers = world.levers
    bias = world.roster.push_down_bias
    want = wants_to_push(world, rows, levers.push_down_propensity, bias, Decision.PUSH_DEPARTMENT)
    rows = rows[want]
    target = world.roster.street[world.tasks.territory[rows]]
    rows, target = admit(world, rows, target, levers.street_gate, world.kinds.street_listed, Decision.GATE_STREET)
    push_down(world, rows, target, levers.street_gate)


def route_street_tasks(world: World) -> None:
    """Streets hand work to a service station (administrative work, where stations exist)
    or to the territory's committee, and buy what they keep from social organisations."""
    rows = take_up(world, STREET)
    if rows.size == 0:
        return
    levers, t = world.levers, world.tasks
    own = levers.street_push_down_propensity
    base = levers.push_down_propensity if own is None else own
    want = wants_to_push(world, rows, base, None, Decision.PUSH_STREET)
    kept, rows = rows[~want], rows[want]
    streets = t.holder[rows]
    to_station = np.zeros(rows.size, dtype=bool)
    stations = world.topology.stations_of_street
    if stations.shape[1] > 0 and rows.size:
        to_station = world.kinds.is_administrative[t.kind[rows]]
        n = stations.shape[1]
        pick = np.minimum((world.task_uniforms(rows, Decision.STATION) * n).astype(np.int64), n - 1)
        station_target = stations[streets, pick]
        push_down(world, rows[to_station], station_target[to_station], None)
    rows = rows[~to_station]
    target = t.territory[rows]
    admitted, target = admit(
        world, rows, target, levers.committee_gate, world.kinds.committee_listed, Decision.GATE_COMMITTEE
    )
    refused = np.setdiff1d(rows, admitted, assume_unique=True)
    push_down(world, admitted, target, levers.committee_gate)
    purchase(world, np.sort(np.concatenate([kept, refused])))


def route_committee_tasks(world: World) -> None:
    """Committees may pass purchasable work to a social organisation paid by their street."""
    purchase(world, take_up(world, COMMITTEE))
    world.tasks.fresh[candidates(world, STATION, SOCIAL_ORGANISATION)] = False


def wants_to_push(
    world: World, rows: np.ndarray, propensity: float, bias: np.ndarray | None, decision: Decision
) -> np.ndarray:
    """The holder's wish to hand each task down, each task with its own draw against its
    holder's push-down probability (`push_down_probability`)."""
    p = push_down_probability(world, propensity, bias)
    return world.task_uniforms(rows, decision) < p[world.tasks.holder[rows]]


def push_down_probability(world: World, propensity: float, bias: np.ndarray | None) -> np.ndarray:
    """Each office's probability of handing a task down today: a base propensity that
    rises with the office's own backlog (days of work queued), cut by reverse evaluation
    (`bias`), raised by a ranking's sanction and by the office's blame."""
    everyone = slice(None)
    load = world.roster.backlog_hours / np.maximum(world.normal_hours(), 1.0)
    p = propensity + world.levers.push_down_backlog_sensitivity * load
    if bias is not None:
        p = p * bias
    p = ranking.pressed_propensity(world, everyone, p)  # sanctioned offices push more down
    p = blame.shifted(world, everyone, p)  # blamed offices push more down
    return np.clip(p, 0.0, 1.0)


def admit(
    world: World, rows: np.ndarray, target: np.ndarray, gate: Gate, listed: np.ndarray, decision: Decision
) -> tuple[np.ndarray, np.ndarray]:
    """The admission gate at the receiving level. Unlisted tasks are refused; a sender
    respects the refusal with probability `compliance` (the task stays with it, and its
    hours count as load returned to the sender), otherwise the task leaks through; a
    receiver with blame holds its refusal more firmly (sim.rules.blame).
    `decision` names the gate (GATE_STREET or GATE_COMMITTEE) whose draws are used."""
    t, tally = world.tasks, world.tally
    if not gate.enabled or rows.size == 0:
        return rows, target
    respect = compliance.respect_probability(world, t.holder[rows], gate)
    respect = blame.shifted(world, target, respect)  # a blamed receiver holds its refusal
    respects = world.task_uniforms(rows, decision) < respect
    unlisted = ~listed[t.kind[rows]]
    refused = unlisted & respects
    leaked = unlisted & ~respects
    stay = rows[refused]
    t.refusals[stay] += 1
    tally.add_returned(world.level_key[t.holder[stay]], world.world_of_tasks(stay), t.effort_left[stay])
    tally.gate_leaks += tally.count(world.world_of_tasks(rows[leaked]))
    t.leaked[rows[leaked]] = True
    audit = Decision.AUDIT_STREET if decision == Decision.GATE_STREET else Decision.AUDIT_COMMITTEE
    compliance.learn_from_leaks(world, t.holder[rows[leaked]], world.task_uniforms(rows[leaked], audit))
    if world.levers.reverse_evaluation:
        senders = t.holder[rows[leaked]]
        add_to(world.month_leaked_hours, senders, t.effort_left[rows[leaked]])
    return rows[~refused], target[~refused]


def push_down(world: World, rows: np.ndarray, target: np.ndarray, gate: Gate | None) -> None:
    """Hand tasks to the offices below; resources follow if the regime says so."""
    if rows.size == 0:
        return
    t = world.tasks
    sender = t.holder[rows].copy()
    fund(world, rows, sender)
    if world.recorder is not None:
        world.recorder.record(sender, target, t.effort_left[rows])
    t.holder[rows] = target
    t.handoffs[rows] += 1
    t.from_above[rows] = True
    t.fresh[rows] = True
    if gate is not None and gate.enabled and gate.review_days > 0:
        hold_for_review(world, rows[~t.leaked[rows]], gate.review_days)


def hold_for_review(world: World, rows: np.ndarray, days: int) -> None:
    """Admitted tasks wait `days` for the gate's admission review before their new holder
    may work them. Until the review ends a task is the reviewer's, not the holder's
    (Xicheng reviews list items, seeds/BRIEF; box-ticking under overload, Lipsky 1980, and
    blame for late work, Hood 2011, concern work an office has): it is left out of the
    backlog the holder's behaviours read (`Tally.close_day`: coping's threshold, the
    push-down wish), and a deadline still to come moves on by the review, so a deadline
    cannot pass while the task is held (no blame, no ranking failure for the holder)."""
    t = world.tasks
    end = world.day + days
    t.ready_day[rows] = end
    t.review_until[rows] = end
    deadline = t.deadline[rows]
    t.deadline[rows] = np.where(deadline >= world.day, deadline + days, deadline)


def fund(world: World, rows: np.ndarray, sender: np.ndarray) -> None:
    """Resources follow tasks: the sender pays for a share of the unfunded effort out of
    its budget, in queue order, until its budget runs out. Money is moved, not created."""
    t, levers = world.tasks, world.levers
    share = levers.resources_follow_tasks
    if levers.reverse_evaluation:
        add_to(world.month_pushed_hours, sender, t.effort_left[rows])
    elif share <= 0.0:
        return  # nothing is paid and nothing is recorded
    unfunded = np.maximum(t.effort_left[rows] - t.funded[rows], 0.0)
    if share <= 0.0:
        if levers.reverse_evaluation:
            add_to(world.month_unfunded_hours, sender, unfunded)
        return
    cost = world.config.staff.hourly_cost
    wish = share * unfunded * cost
    budget = world.roster.funding_budget
    granted = within_budget(sender, wish, budget, office_world=world.office_world)
    add_to(budget, sender, -granted)
    hours = granted / cost
    t.funded[rows] += hours
    world.tally.funded_given += world.tally.total(hours, world.office_world[sender])
    if levers.reverse_evaluation:
        add_to(world.month_unfunded_hours, sender, unfunded - hours)


def purchase(world: World, rows: np.ndarray) -> np.ndarray:
    """Buy purchasable tasks from a social organisation of the district, paid from the
    street's purchasing budget while it lasts, and only from an organisation with room in
    its queue. Returns the rows not bought."""
    t, levers, top = world.tasks, world.levers, world.topology
    if rows.size == 0 or levers.purchasing_budget_share <= 0:
        return rows
    pick = world.task_uniforms(rows, Decision.PURCHASE)
    district = world.roster.district[t.holder[rows]]
    n_orgs = top.org_count_by_district[district]
    buyable = world.kinds.purchasable[t.kind[rows]] & (n_orgs > 0)
    slot = (pick * n_orgs).astype(np.int64)
    org = top.orgs_of_district[district, np.minimum(slot, top.orgs_of_district.shape[1] - 1)]
    idx = np.flatnonzero(buyable)
    # an organisation takes on no more than a few days of work (its capacity)
    fits = within_budget(
        org[idx], t.effort_left[rows[idx]], org_room(world), all_or_nothing=True, office_world=world.office_world
    ) > 0
    idx = idx[fits]
    payer = world.roster.street[t.holder[rows[idx]]]
    cost = levers.social_organisation_price_per_hour * t.effort_left[rows[idx]]
    granted = within_budget(
        payer, cost, world.roster.purchase_budget, all_or_nothing=True, office_world=world.office_world
    )
    idx, payer, spend = idx[granted > 0], payer[granted > 0], granted[granted > 0]
    cand, org = rows[idx], org[idx]
    add_to(world.roster.purchase_budget, payer, -spend)
    hours = t.effort_left[cand]
    world.roster.backlog_hours += np.bincount(org, weights=hours, minlength=world.roster.size)
    if world.recorder is not None:
        world.recorder.record(t.holder[cand], org, hours)
    t.buyer[cand] = t.holder[cand]
    t.holder[cand] = org
    t.handoffs[cand] += 1
    t.fresh[cand] = False
    t.pinned[cand] = True
    world.tally.purchase_spend += world.tally.total(spend, world.office_world[payer])
    world.tally.purchased_hours += world.tally.total(hours, world.office_world[payer])
    keep = np.ones(rows.size, dtype=bool)
    keep[idx] = False
    return rows[keep]


def org_room(world: World) -> np.ndarray:
    """Hours of work each office could still accept before its queue exceeds
    levers.social_organisation_max_backlog_days of its normal hours."""
    days = world.levers.social_organisation_max_backlog_days
    return np.maximum(days * world.normal_hours() - world.roster.backlog_hours, 0.0)
