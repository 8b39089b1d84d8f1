"""Demand: departments create administrative tasks, residents bring requests and
self-governance matters to their committee, and assessments are imposed on streets and
committees (000, 002)."""

from __future__ import annotations

import numpy as np

from ..kinds import FROM_ASSESSMENT, FROM_DEPARTMENT, FROM_RESIDENTS
from ..levels import COMMITTEE, DEPARTMENT, STREET
from ..world import World


def arrive(world: World) -> None:
    """The day's new tasks, each with its origin office, territory and responsible department."""
    rng, k, r, top = world.rng, world.kinds, world.roster, world.topology
    deps = np.flatnonzero(r.level == DEPARTMENT)
    coms = np.flatnonzero(r.level == COMMITTEE)
    n_com_d = top.committees_of_district.shape[1]
    n_dep_d = top.departments_of_district.shape[1]

    kinds_d = k.of_origin(FROM_DEPARTMENT)
    origin, kind = poisson_arrivals(rng, deps, kinds_d, k.rate[kinds_d])
    territory = top.committees_of_district[r.district[origin], rng.integers(0, n_com_d, origin.size)]
    create(world, kind, holder=origin, territory=territory, responsible=origin)

    kinds_r = k.of_origin(FROM_RESIDENTS)
    com, kind = poisson_arrivals(rng, coms, kinds_r, k.rate[kinds_r])
    responsible = top.departments_of_district[r.district[com], rng.integers(0, n_dep_d, com.size)]
    create(world, kind, holder=com, territory=com, responsible=responsible)

    kinds_a = k.of_origin(FROM_ASSESSMENT)
    levers = world.levers
    on_committees = (
        levers.assessment_intensity
        if levers.committee_assessment_intensity is None
        else levers.committee_assessment_intensity
    )
    for level, intensity in ((STREET, levers.assessment_intensity), (COMMITTEE, on_committees)):
        if kinds_a.size and intensity > 0:
            impose_assessments(world, np.flatnonzero(r.level == level), kinds_a, intensity)


def impose_assessments(world: World, assessed: np.ndarray, kinds: np.ndarray, intensity: float) -> None:
    """Inspections, checks and rankings imposed on streets or committees (000, 002):
    hard tasks their holder must do itself, on behalf of a department of the district."""
    rng, r, top = world.rng, world.roster, world.topology
    n_dep_d = top.departments_of_district.shape[1]
    rate = np.full(kinds.size, intensity / kinds.size)
    held, kind = poisson_arrivals(rng, assessed, kinds, rate)
    responsible = top.departments_of_district[r.district[held], rng.integers(0, n_dep_d, held.size)]
    territory = np.where(r.level[held] == COMMITTEE, held, top.committees_of_district[r.district[held], 0])
    rows = create(world, kind, holder=held, territory=territory, responsible=responsible)
    t = world.tasks
    t.fresh[rows] = False
    t.pinned[rows] = True
    t.from_above[rows] = True


def create(world: World, kind: np.ndarray, holder: np.ndarray, territory: np.ndarray, responsible: np.ndarray) -> slice:
    """Add new tasks to the ledger with efforts drawn from their kinds; returns their rows."""
    kinds, day = world.kinds, world.day
    n = kind.size
    effort = kinds.draw_effort(world.rng, kind)
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
    )
    world.tally.created += n
    return rows


def poisson_arrivals(rng: np.random.Generator, agents: np.ndarray, kinds: np.ndarray, rate: np.ndarray):
    """Poisson counts per (agent, kind); returns the agent and kind of each new task.

    Drawn kind by kind as one Poisson total spread uniformly over the agents: independent
    Poisson counts with equal means are, in distribution, a Poisson total split uniformly,
    and this takes a few draws per task instead of one Poisson draw per agent and kind
    (most of which are zero). Tasks come out in runs of one kind."""
    if agents.size == 0 or kinds.size == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int16)
    totals = rng.poisson(rate * agents.size)
    who = agents[rng.integers(0, agents.size, int(totals.sum()))]
    what = np.repeat(kinds, totals)
    return who.astype(np.int32), what.astype(np.int16)
