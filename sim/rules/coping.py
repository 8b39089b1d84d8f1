"""Coping under overload (BEHAVIOUR.md §3): box-ticking and the rework it brings back.

Sources: Lipsky, *Street-Level Bureaucracy* (1980) — rationing, routinising, creaming;
Tummers et al., *JPART* 2015 — a systematic review of coping; 003 and 004 — committees
"overwhelmed" (不堪重负) turn to box-ticking and paper trails (留痕, 痕迹主义).

An office whose backlog at the end of yesterday exceeds `coping_threshold_days` of its
normal hours box-ticks the administrative work it holds (departments' tasks, assessments,
campaigns; not residents' matters, not work needing a department's authority): a
box-ticked task takes `box_ticking_effort_share` of the effort it still needed. Those
hours are formalism — work done for show. When a box-ticked task is done it comes back,
with probability `rework_probability`, as a new task of the same kind needing its full
effort (the check found it done on paper only). Rework is not an arrival: it is counted
in `tally.reworked`, not in `tally.created`, so two regimes on one seed still share
`tasks_created` (common random numbers) and created + reworked = done + abandoned + open.
Below the threshold nothing happens, so formalism is near zero at low load and rises steeply once backlogs pass it.

With `levers.coping_rations_residents` (off by default) a coping office also rations
residents' matters: it works them only after its other work of the same hardness, so
residents wait (and give up) while the office keeps up with what is checked from above.
"""

from __future__ import annotations

import numpy as np

from ..draws import Decision
from ..ledger import DONE, OPEN
from ..levels import EPS, SOCIAL_ORGANISATION
from ..world import World


def coping_offices(world: World) -> np.ndarray | None:
    """Government offices whose backlog at the end of yesterday passed the coping threshold
    (None when coping is off)."""
    threshold = world.lever("coping_threshold_days")  # one, or one per world (None: off)
    if threshold is None:
        return None
    r = world.roster
    if not isinstance(threshold, np.ndarray):
        return (r.level != SOCIAL_ORGANISATION) & (r.backlog_hours > threshold * np.maximum(world.normal_hours(), 1.0))
    copes = np.array([t is not None for t in threshold])[world.office_world]  # offices of worlds that cope
    days = np.array([0.0 if t is None else t for t in threshold])[world.office_world]
    over = r.backlog_hours > days * np.maximum(world.normal_hours(), 1.0)
    return (r.level != SOCIAL_ORGANISATION) & over & copes


def rationed(world: World, rows: np.ndarray, holder: np.ndarray) -> np.ndarray | None:
    """Which of these queued tasks a coping office rations: residents' matters (not hard,
    not self-governance) held by an office over its threshold wait until its other work is
    done (Lipsky's rationing by delay). None when `levers.coping_rations_residents` is off."""
    if not world.lever_anywhere("coping_rations_residents"):
        return None
    coping = coping_offices(world)
    if coping is None:
        return None
    k, kind = world.kinds, world.tasks.kind[rows]
    rationing = coping[holder] & ~k.is_administrative[kind] & ~k.self_governance[kind] & ~world.tasks.hard[rows]
    return rationing & world.lever_on("coping_rations_residents", holder)  # in the worlds that ration


def box_tick(world: World) -> None:
    """Offices over the coping threshold cut their administrative work to a fraction."""
    coping = coping_offices(world)
    if coping is None or not coping.any():
        return
    t = world.tasks
    # only work the office has kept (decided on, and past any admission review)
    rows = np.flatnonzero(coping[t.holder] & (t.state == OPEN) & ~t.box_ticked & ~t.fresh & (t.ready_day <= world.day))
    rows = rows[world.kinds.is_administrative[t.kind[rows]] & (t.authority_left[rows] <= EPS)]
    if rows.size == 0:
        return
    t.effort_left[rows] *= world.lever_at("box_ticking_effort_share", t.holder[rows])
    t.box_ticked[rows] = True
    world.tally.today["formalism_hours"] += world.tally.per_level(world.level_key[t.holder[rows]], t.effort_left[rows])


def send_back_rework(world: World) -> None:
    """Box-ticked work done today comes back, in full, with probability rework_probability."""
    t = world.tasks
    rows = np.flatnonzero(t.box_ticked & (t.state == DONE))
    if rows.size == 0:
        return
    t.box_ticked[rows] = False
    # each task's own draw (sim.draws), the same in every regime that box-ticks it
    probability = world.lever_at("rework_probability", t.holder[rows])
    back = rows[world.task_uniforms(rows, Decision.REWORK, t.reworks[rows]) < probability]
    if back.size == 0:
        return
    kind = t.kind[back].copy()
    day = world.day
    new = t.add(
        back.size,
        kind=kind,
        holder=t.holder[back].copy(),
        territory=t.territory[back].copy(),
        responsible=t.responsible[back].copy(),
        created=day,
        deadline=day + world.kinds.deadline[kind],
        ready_day=day + 1,
        effort_total=t.effort_total[back].copy(),
        effort_left=t.effort_total[back].copy(),
        hard=t.hard[back].copy(),
        from_above=t.from_above[back].copy(),
        reworks=t.reworks[back] + 1,
        draw_key=t.draw_key[back].copy(),
        fresh=False,
        pinned=True,
    )
    world.tally.reworked += world.tally.count(world.world_of_tasks(new))  # a new ledger row, but not a new arrival
    world.tally.today["formalism_reworks"] += world.tally.per_level(world.level_key[t.holder[new]])
