"""Money: budgets accrue daily, and payers grant wishes in order while their budget lasts."""

from __future__ import annotations

import numpy as np

from ..ledger import running_total_within, stable_order
from ..levels import EPS
from ..world import World


def accrue_budgets(world: World) -> None:
    """Money arrives daily: departments' and streets' funding budgets, streets' purchasing."""
    roster = world.roster
    roster.funding_budget += world.daily_funding
    roster.purchase_budget += world.daily_purchasing


def add_to(total: np.ndarray, office: np.ndarray, amount: np.ndarray) -> None:
    """total[office] += amount, with repeated offices summed (bincount: far faster than np.add.at)."""
    if office.size:
        total += np.bincount(office, weights=amount, minlength=total.size)


def within_budget(
    payer: np.ndarray, wish: np.ndarray, budget: np.ndarray, all_or_nothing: bool = False,
    office_world: np.ndarray | None = None,
) -> np.ndarray:
    """Grant each wish in order while the payer's budget lasts (vectorised per payer).

    With `all_or_nothing`, a wish is granted whole or not at all (a purchase); otherwise
    the wish that crosses the budget is granted in part (funding). `office_world`: each
    office's world, when the payers belong to a stack of worlds (sim.world)."""
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
    spent_after = running_total_within(p, w, None if office_world is None else office_world[p])
    avail = budget[p]
    if all_or_nothing:
        granted[short] = np.where(spent_after <= avail + EPS, w, 0.0)
    else:
        granted[short] = np.clip(avail - (spent_after - w), 0.0, w)
    return granted
