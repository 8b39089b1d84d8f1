"""Routing: what a holder does with a task it has newly received.

Top down, once a day: departments decide, then streets, then committees (DESIGN §4.2).
The verbs are the domain's: `push_down` (hand to the level below, territorial
management), `admit` (the admission gate at the receiving level, which may refuse or
leak), `fund` (resources that follow the task) and `purchase` (buy it from a social
organisation). Escalation back up is in `sim.rules.escalation`.

Every function acts on an array of ledger rows, so a whole level decides at once. Each
decision on a task uses that task's own draw for it (sim.draws: the same task meets the
same draw in every regime), whatever else the regime decides.

Each task is decided with its holder's world's levers (`world.lever_at`): in a stack whose
worlds differ in their regime, a gate refuses only in the worlds that have it, and so on.
"""

from __future__ import annotations

import numpy as np

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
    # through the mask's indices: NumPy's boolean indexing is several times slower than an
    # index take when true and false are mixed (here and in the other rules' mixed masks)
    return rows[np.flatnonzero(mask)]


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
    bias = world.roster.push_down_bias
    propensity = world.lever_at("push_down_propensity", slice(None))
    want = wants_to_push(world, rows, propensity, bias, Decision.PUSH_DEPARTMENT)
    rows = rows[np.flatnonzero(want)]
    target = world.roster.street[world.tasks.territory[rows]]
    rows, target = admit(world, rows, target, "street_gate", world.admitted["street"], Decision.GATE_STREET)
    push_down(world, rows, target, "street_gate")


def route_street_tasks(world: World) -> None:
    """Streets hand work to a service station (administrative work, where stations exist)
    or to the territory's committee, and buy what they keep from social organisations."""
    rows = take_up(world, STREET)
    if rows.size == 0:
        return
    t = world.tasks
    want = wants_to_push(world, rows, street_propensity(world), None, Decision.PUSH_STREET)
    kept, rows = rows[np.flatnonzero(~want)], rows[np.flatnonzero(want)]
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
        world, rows, target, "committee_gate", world.admitted["committee"], Decision.GATE_COMMITTEE
    )
    # admitted is a subsequence of rows: all of them when nothing was refused (no gate)
    refused = rows[:0] if admitted.size == rows.size else np.setdiff1d(rows, admitted, assume_unique=True)
    push_down(world, admitted, target, "committee_gate")
    purchase(world, np.sort(np.concatenate([kept, refused])))


def route_committee_tasks(world: World) -> None:
    """Committees may pass purchasable work to a social organisation paid by their street."""
    purchase(world, take_up(world, COMMITTEE))
    world.tasks.fresh[candidates(world, STATION, SOCIAL_ORGANISATION)] = False


def street_propensity(world: World) -> float | np.ndarray:
    """A street's base push-down propensity: its own lever, or the general one where absent
    (one value, or one per office when the worlds of the stack differ)."""
    own = world.lever_values("street_push_down_propensity")
    base = [p if s is None else s for p, s in zip(world.lever_values("push_down_propensity"), own)]
    if all(b == base[0] for b in base[1:]):
        return base[0]
    return world.per_office(np.array(base))


def wants_to_push(
    world: World, rows: np.ndarray, propensity: float | np.ndarray, bias: np.ndarray | None, decision: Decision
) -> np.ndarray:
    """The holder's wish to hand each task down, each task with its own draw against its
    holder's push-down probability (`push_down_probability`)."""
    p = push_down_probability(world, propensity, bias)
    return world.task_uniforms(rows, decision) < p[world.tasks.holder[rows]]


def push_down_probability(world: World, propensity: float | np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """Each office's probability of handing a task down today: a base propensity that
    rises with the office's own backlog (days of work queued), cut by reverse evaluation
    (`bias`), raised by a ranking's sanction and by the office's blame."""
    everyone = slice(None)
    load = world.roster.backlog_hours / np.maximum(world.normal_hours(), 1.0)
    p = propensity + world.lever_at("push_down_backlog_sensitivity", everyone) * load
    if bias is not None:
        p = p * bias
    p = ranking.pressed_propensity(world, everyone, p)  # sanctioned offices push more down
    p = blame.shifted(world, everyone, p)  # blamed offices push more down
    return np.clip(p, 0.0, 1.0)


def admit(
    world: World, rows: np.ndarray, target: np.ndarray, gate: str, listed: np.ndarray, decision: Decision
) -> tuple[np.ndarray, np.ndarray]:
    """The admission gate at the receiving level (`gate`: "street_gate" or "committee_gate").
    Unlisted tasks (`listed`: the kinds admitted, or a row of them per world) are refused; a
    sender respects the refusal with probability `compliance` (the task stays with it, and
    its hours count as load returned to the sender), otherwise the task leaks through; a
    receiver with blame holds its refusal more firmly (sim.rules.blame). Only the worlds
    with the gate enabled refuse anything. `decision` names the gate (GATE_STREET or
    GATE_COMMITTEE) whose draws are used."""
    t, tally = world.tasks, world.tally
    if rows.size == 0 or not world.lever_anywhere(f"{gate}.enabled"):
        return rows, target
    senders = t.holder[rows]
    respect = compliance.respect_probability(world, senders, gate)
    respect = blame.shifted(world, target, respect)  # a blamed receiver holds its refusal
    respects = world.task_uniforms(rows, decision) < respect
    unlisted = ~(listed[t.kind[rows]] if listed.ndim == 1 else listed[world.office_world[senders], t.kind[rows]])
    gated = world.lever_at(f"{gate}.enabled", senders)
    if isinstance(gated, np.ndarray):
        unlisted &= gated  # a world without the gate refuses nothing
    refused = unlisted & respects
    leaked = unlisted & ~respects
    stay = rows[refused]
    t.refusals[stay] += 1
    tally.add_returned(world.level_key[t.holder[stay]], world.world_of_tasks(stay), t.effort_left[stay])
    tally.gate_leaks += tally.count(world.world_of_tasks(rows[leaked]))
    t.leaked[rows[leaked]] = True
    audit = Decision.AUDIT_STREET if decision == Decision.GATE_STREET else Decision.AUDIT_COMMITTEE
    compliance.learn_from_leaks(world, t.holder[rows[leaked]], world.task_uniforms(rows[leaked], audit))
    if world.lever_anywhere("reverse_evaluation"):  # read only in the worlds that rate (evaluation)
        senders = t.holder[rows[leaked]]
        add_to(world.month_leaked_hours, senders, t.effort_left[rows[leaked]])
    return rows[~refused], target[~refused]


def push_down(world: World, rows: np.ndarray, target: np.ndarray, gate: str | None) -> None:
    """Hand tasks to the offices below; resources follow if the regime says so. Tasks
    admitted through `gate` wait for its review where the receiver's world has one."""
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
    if gate is None:
        return
    enabled, days = world.lever_at(f"{gate}.enabled", target), world.lever_at(f"{gate}.review_days", target)
    if not isinstance(enabled, np.ndarray) and not isinstance(days, np.ndarray):
        if enabled and days > 0:
            hold_for_review(world, rows[~t.leaked[rows]], days)
        return
    held = (enabled & (days > 0)) & ~t.leaked[rows]  # in the worlds whose gate reviews
    if held.any():
        hold_for_review(world, rows[held], days[held] if isinstance(days, np.ndarray) else days)


def hold_for_review(world: World, rows: np.ndarray, days: int | np.ndarray) -> None:
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
    t = world.tasks
    # what senders sank is recorded for reverse evaluation (read only in the worlds that rate)
    rating = world.lever_anywhere("reverse_evaluation")
    paying = world.lever_anywhere("resources_follow_tasks")
    if rating:
        add_to(world.month_pushed_hours, sender, t.effort_left[rows])
    elif not paying:
        return  # nothing is paid and nothing is recorded
    unfunded = np.maximum(t.effort_left[rows] - t.funded[rows], 0.0)
    if not paying:
        add_to(world.month_unfunded_hours, sender, unfunded)
        return
    share = world.lever_at("resources_follow_tasks", sender)
    all_rows, all_senders, all_unfunded = rows, sender, unfunded
    if isinstance(share, np.ndarray):  # only the senders of worlds whose resources follow tasks pay
        pays = share > 0
        rows, sender, unfunded, share = rows[pays], sender[pays], unfunded[pays], share[pays]
    cost = world.config.staff.hourly_cost
    wish = share * unfunded * cost
    budget = world.roster.funding_budget
    granted = within_budget(sender, wish, budget, office_world=world.office_world)
    add_to(budget, sender, -granted)
    hours = granted / cost
    t.funded[rows] += hours
    world.tally.funded_given += world.tally.total(hours, world.office_world[sender])
    if rating:
        if rows is all_rows:
            add_to(world.month_unfunded_hours, sender, unfunded - hours)
        else:
            left = all_unfunded.copy()
            left[pays] = unfunded - hours
            add_to(world.month_unfunded_hours, all_senders, left)


def purchase(world: World, rows: np.ndarray) -> np.ndarray:
    """Buy purchasable tasks from a social organisation of the district, paid from the
    street's purchasing budget while it lasts, and only from an organisation with room in
    its queue, in the worlds whose streets buy. Returns the rows not bought."""
    if rows.size == 0 or not world.lever_anywhere("purchasing_budget_share"):
        return rows
    buys = world.lever_on("purchasing_budget_share", world.tasks.holder[rows])
    if isinstance(buys, np.ndarray):  # only the worlds whose streets buy
        return np.sort(np.concatenate([rows[~buys], buy(world, rows[buys])]))
    return buy(world, rows)


def buy(world: World, rows: np.ndarray) -> np.ndarray:
    """`purchase` in worlds that all buy. Returns the rows not bought."""
    t, top = world.tasks, world.topology
    if rows.size == 0:
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
    cost = world.lever_at("social_organisation_price_per_hour", payer) * t.effort_left[rows[idx]]
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
    days = world.lever_at("social_organisation_max_backlog_days", slice(None))
    return np.maximum(days * world.normal_hours() - world.roster.backlog_hours, 0.0)
