"""The random streams of a run: independent generators spawned from its seed.

Exogenous demand (what arrives, where, when and how big) and each kind of decision draw
from streams of their own (`numpy.random.SeedSequence(seed).spawn`), so a lever that
changes how many decisions are taken, or how many tasks one origin creates, shifts no
other draw. Two regimes run on one seed therefore face exactly the same tasks (common
random numbers); only their decisions differ.

Streams are spawned in the order of `STREAMS`; a new stream is added at the end, so the
existing ones keep their draws.

Decisions do not draw from these streams but from draws keyed by the task, or by the
office and day (sim.draws), so the same task or office meets the same draw in every
regime. The decision streams are kept, unused by the rules, so that the spawn order and
every other stream's draws stay put.

For a variance decomposition (benchmarks/crn_pairing.py) the decisions may come from
another seed than demand: `spawn_streams(seed, decision_seed=...)` (and
`World.build(..., decision_seed=...)`) hold one fixed while the other varies.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class Streams[G]:
    """One generator per source of chance: G is a run's np.random.Generator, or a stack's
    `Stream` (one generator per world)."""

    # demand (exogenous): one per origin, so that changing one origin's lever leaves the others' tasks alone
    department_arrivals: G  # departments' tasks: counts, origin, territory, effort, redundancy
    # residents' matters: counts, committee, responsible department, effort, redundancy
    resident_arrivals: G
    street_assessments: G  # assessments imposed on streets
    committee_assessments: G  # assessments imposed on committees
    # decisions: retired (the rules use sim.draws), kept so that the spawn order stays put
    routing: G  # wishes to push down; which station
    gates: G  # whether a sender respects a gate's refusal
    purchase: G  # which social organisation is asked
    escalation: G  # whether a department takes an escalation back
    quality: G  # whether purchased work is accepted
    staff: G  # who leaves
    # demand added later (appended, so the streams above keep their draws)
    campaigns: G  # campaign tasks' efforts and redundancy (their calendar: sim.behaviour)
    # decisions added later (issue 15)
    audits: G  # whether a leak through a gate is audited (sim.rules.compliance)
    rework: G  # whether box-ticked work comes back (sim.rules.coping)


STREAMS: tuple[str, ...] = tuple(f.name for f in fields(Streams))
# spawn index 15 of the seed's SeedSequence is sim.behaviour's campaign calendar stream
RESERVED_SPAWN_KEYS = (15, 16)  # sim.behaviour: campaign calendar, offices that differ
assert len(STREAMS) <= min(RESERVED_SPAWN_KEYS), "a new stream would collide with sim.behaviour's stream"


DEMAND_STREAMS = frozenset(
    {"department_arrivals", "resident_arrivals", "street_assessments", "committee_assessments", "campaigns"}
)


def spawn_streams(seed: int, decision_seed: int | None = None) -> Streams[np.random.Generator]:
    """The run's streams, spawned from its seed (same seed, same streams, in any process).

    With `decision_seed` the decision streams are those of that seed instead (demand stays
    the seed's): a tool for measuring how much of an outcome's variance decisions bring."""
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    if decision_seed is not None:
        other = np.random.SeedSequence(int(decision_seed)).spawn(len(STREAMS))
        children = [c if name in DEMAND_STREAMS else o for name, c, o in zip(STREAMS, children, other)]
    return Streams(*(np.random.default_rng(child) for child in children))


class Stream:
    """One source of chance for every world of a stack: world w draws only from its own
    generator (that world's seed), the same draws in the same order as it would alone.
    A rule draws demand world by world: `for w, rng in enumerate(world.streams.X)`."""

    __slots__ = ("generators",)

    def __init__(self, generators: list[np.random.Generator]):
        self.generators = generators

    def __getitem__(self, w: int) -> np.random.Generator:
        return self.generators[w]

    def __iter__(self):
        return iter(self.generators)

    def __len__(self) -> int:
        return len(self.generators)


def stack_streams(seeds: list[int], decision_seeds: list[int | None] | None = None) -> Streams[Stream]:
    """The streams of a stack of worlds: each field a `Stream` over the worlds' own
    generators, spawned from each world's seed exactly as `spawn_streams` does."""
    decision_seeds = decision_seeds or [None] * len(seeds)
    singles = [spawn_streams(seed, d) for seed, d in zip(seeds, decision_seeds)]
    return Streams(*(Stream([getattr(s, name) for s in singles]) for name in STREAMS))
