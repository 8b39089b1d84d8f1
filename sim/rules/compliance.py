"""Compliance that learns (BEHAVIOUR.md §1): the burden-reduction paradox (减负悖论).

Sources: 004 — admission review "not strict enough", departments pushing work down "in
the name of territorial management" (以属地化为由推卸责任); the 2019 central notice on
formalism and burden reduction at the grassroots (the "year of burden reduction",
基层减负年), after which studies describe burdens cut and creeping back.

Each sender (department or street) carries a learned leak propensity `L` in 0..1, zero
at the start. It respects a gate's refusal with probability `compliance × (1 − L)`.
Every push it forces through an admission gate is audited with probability
`audit_rate`. An unaudited leak teaches it that leaking pays,
`L ← L + compliance_learning_rate · (1 − L)`; an audited one brings the sanction,
`L ← L · (1 − leak_sanction)` (a Bush–Mosteller update). With rare audits leaks creep up
for months after a list is introduced and committees' relief erodes; with frequent
audits they stay near the gate's own rate.
"""

from __future__ import annotations

import numpy as np

from ..config import Gate
from ..world import World


def respect_probability(world: World, senders: np.ndarray, gate: Gate) -> np.ndarray | float:
    """The chance each sender respects a refusal: the gate's compliance, eroded by what it learned."""
    if world.levers.compliance_learning_rate <= 0:
        return gate.compliance
    return gate.compliance * (1.0 - world.behaviour.leak_propensity[senders])


def learn_from_leaks(world: World, senders: np.ndarray, draws: np.ndarray) -> None:
    """Audit each leak (it is audited when its draw, the leaked task's own, is below
    `audit_rate`); unaudited leaks raise the sender's leak propensity, sanctions cut it."""
    levers = world.levers
    if levers.compliance_learning_rate <= 0 or senders.size == 0:
        return
    audited = draws < levers.audit_rate
    n = world.behaviour.leak_propensity.size
    unaudited_count = np.bincount(senders[~audited], minlength=n)
    audited_count = np.bincount(senders[audited], minlength=n)
    L = world.behaviour.leak_propensity
    L[:] = 1.0 - (1.0 - L) * (1.0 - levers.compliance_learning_rate) ** unaudited_count
    L *= (1.0 - levers.leak_sanction) ** audited_count
    world.tally.audits += world.tally.count(world.office_world[senders[audited]])


def record_leak_propensity(world: World) -> None:
    """The day's learned leak propensities, summed per level (the per-day table divides by offices)."""
    world.tally.today["leak_propensity"] = world.tally.per_level(world.level_key, world.behaviour.leak_propensity)
