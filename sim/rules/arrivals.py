"""Demand: departments create administrative tasks, residents bring requests and
self-governance matters to their committee, and assessments are imposed on streets and
committees (000, 002).

Demand is exogenous: each origin draws from a stream of its own (sim.streams), always
the same draws whatever the regime — counts, the originating office's position within
its level, the territory or responsible department (by position within the district),
effort, and a redundancy number. So two regimes on one seed face the same tasks. Data
sharing drops a redundant task after it is drawn (it is never created), not by drawing
fewer; `levers.demand_multiplier` scales every arrival rate. In a stack whose worlds
differ in their levers each world draws with its own rates and intensities, and drops
redundant tasks only if it shares data.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..draws import Source, task_keys_of_worlds
from ..kinds import FROM_ASSESSMENT, FROM_DEPARTMENT, FROM_RESIDENTS
from ..levels import COMMITTEE, DEPARTMENT, STREET
from ..streams import Stream
from ..world import World
from . import community


def arrive(world: World) -> None:
    """The day's new tasks, each with its origin office, territory and responsible department.
    Each world of a stack draws its own, from its own streams."""
    k, r, top, streams = world.kinds, world.roster, world.topology, world.streams
    scale = world.lever("demand_multiplier")  # one, or one per world
    n_com_d = top.committees_of_district.shape[1]
    n_dep_d = top.departments_of_district.shape[1]

    # departments' tasks: the originating department, then a committee of its district
    kinds_d = k.of_origin(FROM_DEPARTMENT)
    drawn = poisson_arrivals(
        streams.department_arrivals, offices_by_world(world, DEPARTMENT), kinds_d, scaled(k.rate[kinds_d], scale),
        n_com_d,
    )
    territory = top.committees_of_district[r.district[drawn.agent], drawn.pick]
    create(world, streams.department_arrivals, drawn.kind, drawn.agent, territory, drawn.agent,
           Source.DEPARTMENTS, drawn.sizes, drawn.runs)

    # residents' matters: the committee they bring them to, then a department of its district
    kinds_r = k.of_origin(FROM_RESIDENTS)
    drawn = poisson_arrivals(
        streams.resident_arrivals, offices_by_world(world, COMMITTEE), kinds_r, scaled(k.rate[kinds_r], scale), n_dep_d
    )
    responsible = top.departments_of_district[r.district[drawn.agent], drawn.pick]
    rows = create(world, streams.resident_arrivals, drawn.kind, drawn.agent, drawn.agent, responsible,
                  Source.RESIDENTS, drawn.sizes, drawn.runs)
    community.co_produce(world, rows)  # after the draw: residents do part of their requests

    # assessments: each world's intensity (the committees' own, or the streets'), scaled by its demand
    kinds_a = k.of_origin(FROM_ASSESSMENT)
    on_streets = world.lever_values("assessment_intensity")
    own = world.lever_values("committee_assessment_intensity")
    on_committees = [s if c is None else c for s, c in zip(on_streets, own)]
    scales = world.lever_values("demand_multiplier")
    for level, intensities, stream, source in (
        (STREET, on_streets, streams.street_assessments, Source.STREET_ASSESSMENTS),
        (COMMITTEE, on_committees, streams.committee_assessments, Source.COMMITTEE_ASSESSMENTS),
    ):
        if kinds_a.size and any(i > 0 for i in intensities):
            intensity = [i * m for i, m in zip(intensities, scales)]
            impose_assessments(world, stream, offices_by_world(world, level), kinds_a, intensity, source)


def scaled(rate: np.ndarray, scale: float | np.ndarray) -> np.ndarray:
    """Each kind's arrival rate times the demand multiplier: one row per world when the
    worlds' multipliers differ (`scale` an array of them)."""
    return rate[None, :] * scale[:, None] if isinstance(scale, np.ndarray) else rate * scale


def offices_by_world(world: World, level: int) -> np.ndarray:
    """The offices of `level`, one row per world."""
    return np.flatnonzero(world.roster.level == level).reshape(world.worlds, -1)


def impose_assessments(
    world: World, stream: Stream, assessed: np.ndarray, kinds: np.ndarray, intensity: list[float], source: Source
) -> None:
    """Inspections, checks and rankings imposed on streets or committees (000, 002):
    hard tasks their holder must do itself, on behalf of a department of the district.
    `assessed`: the offices, one row per world; `intensity`: each world's assessments per
    office a day (a world with none draws nothing)."""
    r, top = world.roster, world.topology
    n_dep_d = top.departments_of_district.shape[1]
    if all(i == intensity[0] for i in intensity[1:]):
        rate = np.full(kinds.size, intensity[0] / kinds.size)
        drawing = None
    else:  # the worlds' intensities differ: a row of rates each, and only worlds with some draw
        rate = np.array([np.full(kinds.size, i / kinds.size) for i in intensity])
        drawing = [i > 0 for i in intensity]
    drawn = poisson_arrivals(stream, assessed, kinds, rate, n_dep_d, drawing)
    held = drawn.agent
    responsible = top.departments_of_district[r.district[held], drawn.pick]
    territory = np.where(r.level[held] == COMMITTEE, held, top.committees_of_district[r.district[held], 0])
    rows = create(world, stream, drawn.kind, held, territory, responsible, source, drawn.sizes, drawn.runs)
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
    sizes: np.ndarray | None = None,
    runs: list[tuple[int, int]] | None = None,
) -> slice:
    """Draw the efforts of the tasks drawn and the keys of their decision draws
    (sim.draws), drop those data sharing makes redundant, and add the rest to the ledger;
    returns their rows. The tasks come world after world (`sizes`: how many each world
    has, and `runs` their runs of one kind, found from `holder` and `kind` when not
    given); each world draws its tasks' efforts and
    redundancy numbers from its own generator of `stream`, in the order of its tasks, and
    keys them from its own decision key."""
    kinds, day, n = world.kinds, world.day, kind.size
    if sizes is None:
        sizes = world.tally.count(world.office_world[holder]) if world.worlds > 1 else np.array([n])
    # the draws, world by world: a standard gamma for each task of a kind with spread, run
    # of one kind by run, then a redundancy number for each task (drawn whatever the regime)
    shape = kinds.gamma_shape.tolist()
    each_run = iter(kind_runs(kind, sizes) if runs is None else runs)
    gammas, redundancy = [], []
    for w, size in enumerate(sizes.tolist()):
        if size:
            rng, left = stream[w], size
            while left:
                k, length = next(each_run)
                left -= length
                if shape[k] > 0:
                    gammas.append(rng.standard_gamma(shape[k], length))
            redundancy.append(rng.random(size))
    if not redundancy:
        return slice(world.tasks.size, world.tasks.size)
    effort = kinds.efforts(kind, np.concatenate(gammas) if gammas else np.zeros(0))
    keys = task_keys_of_worlds(world.decision_keys, day, source, sizes)  # keyed before any is dropped
    if world.lever_anywhere("data_sharing"):
        sharing = world.lever("data_sharing")  # one, or one per world
        kept = np.concatenate(redundancy) >= kinds.redundant_share[kind]
        if isinstance(sharing, np.ndarray):  # only the worlds that share data drop anything
            kept |= ~np.repeat(sharing, sizes)
        if not kept.all():
            keep = np.flatnonzero(kept)  # (index takes: see sim.rules.routing.candidates)
            owner = np.repeat(np.arange(world.worlds), sizes)[keep]
            sizes = world.tally.count(owner) if world.worlds > 1 else np.array([owner.size])
            kind, holder, territory, responsible, effort, keys = (
                kind[keep], holder[keep], territory[keep], responsible[keep], effort[keep], keys[keep]
            )
    rows = world.tasks.add(
        kind.size,
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
    world.tally.record_created(sizes, world.tally.sums_of_runs(effort, sizes))
    return rows


class Drawn(NamedTuple):
    """Tasks drawn for a stack, world after world: each one's agent (roster row), kind, and
    a position drawn within its agent's district (`pick`); `sizes`: how many each world
    drew; `runs`: their runs of one kind, (kind, length) in order (see `kind_runs`)."""

    agent: np.ndarray
    kind: np.ndarray
    pick: np.ndarray
    sizes: np.ndarray
    runs: list[tuple[int, int]]


def poisson_arrivals(
    stream: Stream, agents: np.ndarray, kinds: np.ndarray, rate: np.ndarray, picks: int,
    drawing: list[bool] | None = None,
) -> Drawn:
    """Poisson counts per (agent, kind) in every world (`agents`: one row per world), and
    for each new task a position in 0..picks-1 drawn uniformly. `rate`: each kind's rate
    per agent, or one row of them per world; `drawing`: which worlds draw (all when None;
    the others draw nothing and get no tasks).

    Each world draws kind by kind one Poisson total spread uniformly over its agents (by
    position within its row of `agents`): independent Poisson counts with equal means are,
    in distribution, a Poisson total split uniformly, and this takes a few draws per task
    instead of one Poisson draw per agent and kind (most of which are zero). A world's
    tasks come out in runs of one kind."""
    worlds, n = agents.shape
    if n == 0 or kinds.size == 0:
        for w, rng in enumerate(stream):
            if drawing is None or drawing[w]:
                rng.integers(0, picks, 0)
        empty = np.zeros(0, dtype=np.intp)
        return Drawn(
            empty, np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64), np.zeros(worlds, dtype=np.int64), [],
        )
    means = (rate * n).tolist()
    each_world = rate.ndim == 2
    totals, position, pick = [], [], []
    for w, rng in enumerate(stream):
        if drawing is not None and not drawing[w]:
            totals.append([0] * kinds.size)
            continue
        mean = means[w] if each_world else means
        count = [rng.poisson(m) for m in mean]  # one scalar draw a kind (NumPy's cheapest call)
        total = sum(count)
        totals.append(count)
        position.append(rng.integers(0, n, total))
        pick.append(rng.integers(0, picks, total))
    counts = np.array(totals, dtype=np.int64)  # (worlds, kinds)
    sizes = counts.sum(axis=1)
    row = np.repeat(np.arange(worlds) * n, sizes) + np.concatenate(position)
    agent = agents.astype(np.intp, copy=False).ravel()[row]
    kind = np.repeat(np.tile(kinds.astype(np.intp, copy=False), worlds), counts.ravel())
    runs = [(k, c) for count in totals for k, c in zip(kinds.tolist(), count) if c]
    return Drawn(agent, kind, np.concatenate(pick), sizes, runs)


def kind_runs(kind: np.ndarray, sizes: np.ndarray) -> list[tuple[int, int]]:
    """The runs of one kind in `kind` (tasks world after world, `sizes[w]` of world w), as
    (kind, length) pairs in order; a run never spans two worlds."""
    if kind.size == 0:
        return []
    new = np.empty(kind.size, dtype=bool)
    new[0] = True
    np.not_equal(kind[1:], kind[:-1], out=new[1:])
    new[(np.cumsum(sizes) - sizes)[sizes > 0]] = True  # each world's first task starts a run
    starts = np.flatnonzero(new)
    lengths = np.diff(starts, append=kind.size)
    return list(zip(kind[starts].tolist(), lengths.tolist()))
