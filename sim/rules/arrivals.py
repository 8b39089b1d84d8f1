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
from ..streams import Stream
from ..world import World
from . import community


def arrive(world: World) -> None:
    """The day's new tasks, each with its origin office, territory and responsible department.
    Each world of a stack draws its own, from its own streams."""
    k, r, top, streams = world.kinds, world.roster, world.topology, world.streams
    scale = world.levers.demand_multiplier
    deps = offices_by_world(world, DEPARTMENT)
    coms = offices_by_world(world, COMMITTEE)
    n_com_d = top.committees_of_district.shape[1]
    n_dep_d = top.departments_of_district.shape[1]

    kinds_d = k.of_origin(FROM_DEPARTMENT)
    drawn = []
    for w, rng in enumerate(streams.department_arrivals):
        origin, kind = poisson_arrivals(rng, deps[w], kinds_d, k.rate[kinds_d] * scale)
        territory = top.committees_of_district[r.district[origin], rng.integers(0, n_com_d, origin.size)]
        drawn.append((kind, origin, territory, origin))
    kind, holder, territory, responsible = joined(drawn)
    create(world, streams.department_arrivals, kind, holder, territory, responsible, Source.DEPARTMENTS)

    kinds_r = k.of_origin(FROM_RESIDENTS)
    drawn = []
    for w, rng in enumerate(streams.resident_arrivals):
        com, kind = poisson_arrivals(rng, coms[w], kinds_r, k.rate[kinds_r] * scale)
        responsible = top.departments_of_district[r.district[com], rng.integers(0, n_dep_d, com.size)]
        drawn.append((kind, com, com, responsible))
    kind, holder, territory, responsible = joined(drawn)
    rows = create(world, streams.resident_arrivals, kind, holder, territory, responsible, Source.RESIDENTS)
    community.co_produce(world, rows)  # after the draw: residents do part of their requests

    kinds_a = k.of_origin(FROM_ASSESSMENT)
    levers = world.levers
    on_committees = (
        levers.assessment_intensity
        if levers.committee_assessment_intensity is None
        else levers.committee_assessment_intensity
    )
    for level, intensity, stream, source in (
        (STREET, levers.assessment_intensity, streams.street_assessments, Source.STREET_ASSESSMENTS),
        (COMMITTEE, on_committees, streams.committee_assessments, Source.COMMITTEE_ASSESSMENTS),
    ):
        if kinds_a.size and intensity > 0:
            impose_assessments(world, stream, offices_by_world(world, level), kinds_a, intensity * scale, source)


def offices_by_world(world: World, level: int) -> np.ndarray:
    """The offices of `level`, one row per world."""
    return np.flatnonzero(world.roster.level == level).reshape(world.worlds, -1)


def joined(drawn: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Each world's drawn columns, world after world."""
    return [np.concatenate(column) for column in zip(*drawn)]


def impose_assessments(
    world: World, stream: Stream, assessed: np.ndarray, kinds: np.ndarray, intensity: float, source: Source
) -> None:
    """Inspections, checks and rankings imposed on streets or committees (000, 002):
    hard tasks their holder must do itself, on behalf of a department of the district.
    `assessed`: the offices, one row per world."""
    r, top = world.roster, world.topology
    n_dep_d = top.departments_of_district.shape[1]
    rate = np.full(kinds.size, intensity / kinds.size)
    drawn = []
    for w, rng in enumerate(stream):
        held, kind = poisson_arrivals(rng, assessed[w], kinds, rate)
        responsible = top.departments_of_district[r.district[held], rng.integers(0, n_dep_d, held.size)]
        territory = np.where(r.level[held] == COMMITTEE, held, top.committees_of_district[r.district[held], 0])
        drawn.append((kind, held, territory, responsible))
    kind, holder, territory, responsible = joined(drawn)
    rows = create(world, stream, kind, holder, territory, responsible, source)
    t = world.tasks
    t.fresh[rows] = False
    t.pinned[rows] = True
    t.from_above[rows] = True


def create(
    world: World,
    stream: Stream,
    kind: np.ndarray,
    holder: np.ndarray,
    territory: np.ndarray,
    responsible: np.ndarray,
    source: Source,
) -> slice:
    """Draw the efforts of the tasks drawn and the keys of their decision draws
    (sim.draws), drop those data sharing makes redundant, and add the rest to the ledger;
    returns their rows. The tasks come world after world, each world's efforts drawn from
    its own generator of `stream` and its keys from its own decision key."""
    kinds, day = world.kinds, world.day
    owner = world.office_world[holder]
    keep = np.ones(kind.size, dtype=bool)
    effort = np.empty(kind.size)
    keys = np.empty(kind.size, dtype=np.uint64)
    effort_by_world = np.zeros(world.worlds)
    for w, part in world.runs_of_worlds(owner):
        effort[part] = kinds.draw_effort(stream[w], kind[part])
        redundant = stream[w].random(effort[part].size) < kinds.redundant_share[kind[part]]  # drawn whatever the regime
        keys[part] = task_keys(world.decision_keys[w], day, source, effort[part].size)  # keyed before any is dropped
        if world.levers.data_sharing and redundant.any():
            keep[part] = ~redundant
        effort_by_world[w] = effort[part][keep[part]].sum()
    if not keep.all():
        kind, holder, territory, responsible, effort, keys, owner = (
            kind[keep], holder[keep], territory[keep], responsible[keep], effort[keep], keys[keep], owner[keep]
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
    world.tally.record_created(owner, effort_by_world)
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
