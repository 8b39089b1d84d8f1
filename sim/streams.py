"""The random streams of a run: independent generators spawned from its seed.

Exogenous demand (what arrives, where, when and how big) and each kind of decision draw
from streams of their own (`numpy.random.SeedSequence(seed).spawn`), so a lever that
changes how many decisions are taken, or how many tasks one origin creates, shifts no
other draw. Two regimes run on one seed therefore face exactly the same tasks (common
random numbers); only their decisions differ.

Streams are spawned in the order of `STREAMS`; a new stream is added at the end, so the
existing ones keep their draws.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class Streams:
    """One generator per source of chance."""

    # demand (exogenous): one per origin, so that changing one origin's lever leaves the others' tasks alone
    department_arrivals: np.random.Generator  # departments' tasks: counts, origin, territory, effort, redundancy
    # residents' matters: counts, committee, responsible department, effort, redundancy
    resident_arrivals: np.random.Generator
    street_assessments: np.random.Generator  # assessments imposed on streets
    committee_assessments: np.random.Generator  # assessments imposed on committees
    # decisions
    routing: np.random.Generator  # wishes to push down; which station
    gates: np.random.Generator  # whether a sender respects a gate's refusal
    purchase: np.random.Generator  # which social organisation is asked
    escalation: np.random.Generator  # whether a department takes an escalation back
    quality: np.random.Generator  # whether purchased work is accepted
    staff: np.random.Generator  # who leaves
    # demand added later (appended, so the streams above keep their draws)
    campaigns: np.random.Generator  # campaign tasks' efforts and redundancy (their calendar: sim.behaviour)
    # decisions added later (issue 15)
    audits: np.random.Generator  # whether a leak through a gate is audited (sim.rules.compliance)
    rework: np.random.Generator  # whether box-ticked work comes back (sim.rules.coping)


STREAMS: tuple[str, ...] = tuple(f.name for f in fields(Streams))
# spawn index 15 of the seed's SeedSequence is sim.behaviour's campaign calendar stream
RESERVED_SPAWN_KEYS = (15, 16)  # sim.behaviour: campaign calendar, offices that differ
assert len(STREAMS) <= min(RESERVED_SPAWN_KEYS), "a new stream would collide with sim.behaviour's stream"


def spawn_streams(seed: int) -> Streams:
    """The run's streams, spawned from its seed (same seed, same streams, in any process)."""
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    return Streams(*(np.random.default_rng(child) for child in children))
