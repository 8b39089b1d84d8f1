"""Demand: departments create administrative tasks, residents bring requests and
self-governance matters to their committee, and assessments are imposed on streets and
committees (000, 002).

Demand is exogenous: each origin draws from a stream of its own (sim.streams), always
the same draws whatever the regime — counts, the originating office's position within
its level, the territory or responsible department (by position within the district),
effort, and a redundancy number. So two regimes on one seed face the same tasks. Data
sharing drops a redundant task after it is drawn (it is never created), not by drawing
fewer; `levers.demand_multiplier` scales every arrival rate.
"""

from __future__ import annotations

import numpy as np

from ..draws import Source, task_keys
from ..kinds import FROM_ASSESSMENT, FROM_DEPARTMENT, FROM_RESIDENTS
from ..levels import COMMITTEE, DEPARTMENT, STREET
from ..world import World
from . import community


def arrive(world: World) -> None:
    """The day's new tasks, each with its origin office, territory and responsible department."""
    k, r, top, streams = world.kinds, world.roster, world.topology, world.streams
    scale = world.levers.demand_multiplier
    deps = np.flatnonzero(r.level == DEPARTMENT)
    coms = np.flatnonzero(r.level == COMMITTEE)
    n_com_d = top.committees_of_district.shape[1]
    n_dep_d = top.departments_of_district.shape[1]

    rng = streams.department_arrivals
    kinds_d = k.of_origin(FROM_DEPARTMENT)
    origin, kind = poisson_arrivals(rng, deps, kinds_d, k.rate[kinds_d] * scale)
    territory = top.committees_of_district[r.district[origin], rng.integers(0, n_com_d, origin.size)]
    create(world, rng, kind, holder=origin, territory=territory, responsible=origin, source=Source.DEPARTMENTS)

    rng = streams.resident_arrivals
    kinds_r = k.of_origin(FROM_RESIDENTS)
    com, kind = poisson_arrivals(rng, coms, kinds_r, k.rate[kinds_r] * scale)
    responsible = top.departments_of_district[r.district[com], rng.integers(0, n_dep_d, com.size)]
    rows = create(world, rng, kind, holder=com, territory=com, responsible=responsible, source=Source.RESIDENTS)
    community.co_produce(world, rows)  # after the draw: residents do part of their requests

    kinds_a = k.of_origin(FROM_ASSESSMENT)
    levers = world.levers
    on_committees = (
        levers.assessment_intensity
        if levers.committee_assessment_intensity is None
        else levers.committee_assessment_intensity
    )
    for level, intensity, rng, source in (
        (STREET, levers.assessment_intensity, streams.street_assessments, Source.STREET_ASSESSMENTS),
        (COMMITTEE, on_committees, streams.committee_assessments, Source.COMMITTEE_ASSESSMENTS),
    ):
        if kinds_a.size and intensity > 0:
            impose_assessments(world, rng, np.flatnonzero(r.level == level), kinds_a, intensity * scale, source)


def impose_assessments(
    world: World, rng: np.random.Generator, assessed: np.ndarray, kinds: np.ndarray, intensity: float, source: Source
) -> None:
    """Inspections, checks and rankings imposed on streets or committees (000, 002):
    hard tasks their holder must do itself, on behalf of a department of the district."""
    r, top = world.roster, world.topology
    n_dep_d = top.departments_of_district.shape[1]
    rate = np.full(kinds.size, intensity / kinds.size)
    held, kind = poisson_arrivals(rng, assessed, kinds, rate)
    responsible = top.departments_of_district[r.district[held], rng.integers(0, n_dep_d, held.size)]
    territory = np.where(r.level[held] == COMMITTEE, held, top.committees_of_district[r.district[held], 0])
    rows = create(world, rng, kind, holder=held, territory=territory, responsible=responsible, source=source)
    t = world.tasks
    t.fresh[rows] = False
    t.pinned[rows] = True
    t.from_above[rows] = True


def create(
    world: World,
    rng: np.random.Generator,
    kind: np.ndarray,
    holder: np.ndarray,
    territory: np.ndarray,
    responsible: np.ndarray,
    source: Source,
) -> slice:
    """Draw the efforts of the tasks drawn and the keys of their decision draws
    (sim.draws), drop those data sharing makes redundant, and add the rest to the ledger;
    returns their rows."""
    kinds, day = world.kinds, world.day
    effort = kinds.draw_effort(rng, kind)
    redundant = rng.random(kind.size) < kinds.redundant_share[kind]  # drawn whatever the regime
    keys = task_keys(world.decision_key, day, source, kind.size)  # keyed before any is dropped
    if world.levers.data_sharing and redundant.any():
        keep = ~redundant
        kind, holder, territory, responsible, effort, keys = (
            kind[keep], holder[keep], territory[keep], responsible[keep], effort[keep], keys[keep]
        )
    n = kind.size
    rows = world.tasks.add(
        n,
        kind=kind,
        holder=holder,
        territory=territory,
        responsible=responsible,
        created=day,
        deadline=day + kinds.deadline[kind],
        ready_day=day,
        effort_total=effort,
        effort_left=effort,
        authority_left=effort * kinds.authority_share[kind],
        hard=kinds.hard[kind],
        draw_key=keys,
    )
    world.tally.record_created(n, effort)
    return rows


def poisson_arrivals(rng: np.random.Generator, agents: np.ndarray, kinds: np.ndarray, rate: np.ndarray):
    """Poisson counts per (agent, kind); returns the agent and kind of each new task.

    Drawn kind by kind as one Poisson total spread uniformly over the agents (by position
    within `agents`): independent Poisson counts with equal means are, in distribution, a
    Poisson total split uniformly, and this takes a few draws per task instead of one
    Poisson draw per agent and kind (most of which are zero). Tasks come out in runs of
    one kind."""
    if agents.size == 0 or kinds.size == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int16)
    totals = rng.poisson(rate * agents.size)
    who = agents[rng.integers(0, agents.size, int(totals.sum()))]
    what = np.repeat(kinds, totals)
    return who.astype(np.int32), what.astype(np.int16)
