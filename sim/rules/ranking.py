"""Ranking pressure (BEHAVIOUR.md §2): the pressure-type system (压力型体制) and its
one-vote veto (一票否决).

Sources: Rong Jingben et al. (1998) on the pressure-type system — quantified tasks are
handed down with rewards and penalties, and one failed indicator can veto a whole year's
assessment; 000 — departments break work down into "hard tasks and indicators" sunk on
the community (作为硬任务及指标分解下沉到社区) and inspect and assess it (检查和考核); 002 —
one-way, one-dimensional supervision and assessment from above (监督考核的单向性和单维化),
and "personnel and money above, unlimited duties below".

Every RANKING_PERIOD_DAYS (about a month) the district ranks its streets and each street
ranks its committees on the administrative work they were given (departments' tasks,
assessments, campaigns): the share of it they finished by its deadline, out of what they
finished on time plus what passed its deadline while they held it. The bottom
`ranking_pressure` share of each group (at least one office once the share is positive;
ties: more late tasks ranks lower, then the later office) is sanctioned — but only an
office that actually let such work pass its deadline: with nothing failed there is
nothing to veto. For the next period a sanctioned office

- works its administrative tasks before residents' matters (hard tasks still first), and
- hands more down: its push-down probability p becomes p + SANCTIONED_PUSH_DOWN_RISE·(1 − p)
  (streets, to their committees and stations).

So the pressure cascades: sanctioned streets push more down to committees, whose
administrative share of hours rises at constant task volume, and committees short of
hours fail more, are sanctioned in turn and put residents' matters last. The ranking is
deterministic (no random draws). With `ranking_pressure` 0 nothing is ranked and the
model is the one before issue 15, bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..ledger import OPEN
from ..levels import COMMITTEE, STREET
from ..world import World

# working days between rankings: about a calendar month (as sim.rules.evaluation's rating period)
RANKING_PERIOD_DAYS = 21
# share of the rest of its push-down probability a sanctioned office adds (assumption)
SANCTIONED_PUSH_DOWN_RISE = 0.5


def is_on(world: World) -> bool:
    """Ranking in any world. In a stack mixing regimes the records are kept in every world,
    but a world without ranking pressure sanctions no one, so its offices act as unranked."""
    return world.lever_anywhere("ranking_pressure")


def record_done(
    world: World, rows: np.ndarray, holder: np.ndarray | None = None, kind: np.ndarray | None = None,
    on_time: np.ndarray | None = None,
) -> None:
    """Administrative tasks finished today by their deadline count for their holder
    (`holder`, `kind`, `on_time`: the rows' holders, kinds and deadline met, when the
    caller has them already)."""
    if not is_on(world) or rows.size == 0:
        return
    t = world.tasks
    kind = t.kind[rows] if kind is None else kind
    on_time = t.deadline[rows] >= world.day if on_time is None else on_time
    ok = world.kinds.is_administrative[kind] & on_time
    b = world.behaviour
    holder = t.holder[rows] if holder is None else holder
    b.month_on_time += np.bincount(holder[np.flatnonzero(ok)], minlength=b.month_on_time.size)


def record_late(world: World) -> None:
    """Administrative tasks passing their deadline today count against their holder."""
    if not is_on(world):
        return
    t = world.tasks
    rows = np.flatnonzero((t.state == OPEN) & (t.deadline == world.day))
    rows = rows[world.kinds.is_administrative[t.kind[rows]]]
    b = world.behaviour
    b.month_late += np.bincount(t.holder[rows], minlength=b.month_late.size)


def is_ranking_day(world: World) -> bool:
    return is_on(world) and world.day % RANKING_PERIOD_DAYS == 0


def rank_offices(world: World) -> None:
    """Rank streets within their district and committees within their street on the
    period's on-time share of administrative work; sanction the bottom share that failed
    something; start a new period."""
    b, r = world.behaviour, world.roster
    ranked = np.flatnonzero((r.level == STREET) | (r.level == COMMITTEE))
    late, on_time = b.month_late[ranked], b.month_on_time[ranked]
    assessed = late + on_time
    score = np.where(assessed > 0, on_time / np.maximum(assessed, 1.0), 1.0)
    # peer groups: a street's district (numbered after every street), a committee's street
    n = r.size
    group = np.where(r.level[ranked] == STREET, n + r.district[ranked], r.street[ranked]).astype(np.int64)
    order = np.lexsort((-ranked, -late, score, group))  # by group, worst score first
    g = group[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    size = np.diff(np.r_[start, g.size])
    rank = np.arange(g.size) - np.repeat(start, size)
    pressure = world.lever_at("ranking_pressure", ranked[order])  # one, or each office's world's
    bottom = np.ceil(pressure * np.repeat(size, size) - 1e-9)  # none at pressure 0: ceil(-1e-9) = 0
    verdict = np.zeros(n, dtype=bool)
    verdict[ranked[order]] = (rank < bottom) & (late[order] > 0)
    b.sanctioned[:] = verdict
    b.month_late[:] = 0.0
    b.month_on_time[:] = 0.0


def pressed_propensity(world: World, holder: np.ndarray | slice, p: np.ndarray | float) -> np.ndarray | float:
    """Push-down probabilities of `holder`s (offices, or a slice of the roster), raised for sanctioned offices."""
    if not is_on(world):
        return p
    s = world.behaviour.sanctioned[holder]
    return np.where(s, p + SANCTIONED_PUSH_DOWN_RISE * (1.0 - np.minimum(p, 1.0)), p)


def administrative_first(world: World, rows: np.ndarray, holder: np.ndarray) -> np.ndarray | None:
    """For queue order: the rows a sanctioned holder works before its residents' matters
    (its administrative tasks); None when no one is ranked."""
    if not is_on(world):
        return None
    return world.behaviour.sanctioned[holder] & world.kinds.is_administrative[world.tasks.kind[rows]]


def record_sanctions(world: World) -> None:
    """The day's sanctioned offices, counted per level."""
    if not is_on(world):
        return
    world.tally.today["sanctioned"] = world.tally.per_level(world.level_key, world.behaviour.sanctioned)
