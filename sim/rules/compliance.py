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

from ..world import World


def respect_probability(world: World, senders: np.ndarray, gate: str) -> np.ndarray | float:
    """The chance each sender respects a refusal of `gate` ("street_gate", "committee_gate"):
    the gate's compliance, eroded by what it learned (each sender's world's levers)."""
    compliance = world.lever_at(f"{gate}.compliance", senders)
    rate = world.lever_at("compliance_learning_rate", senders)
    if not isinstance(rate, np.ndarray):
        if rate <= 0:
            return compliance
        return compliance * (1.0 - world.behaviour.leak_propensity[senders])
    learned = compliance * (1.0 - world.behaviour.leak_propensity[senders])
    return np.where(rate > 0, learned, compliance)  # senders in worlds that do not learn


def learn_from_leaks(world: World, senders: np.ndarray, draws: np.ndarray) -> None:
    """Audit each leak (it is audited when its draw, the leaked task's own, is below
    `audit_rate`); unaudited leaks raise the sender's leak propensity, sanctions cut it."""
    if senders.size == 0:
        return
    rate = world.lever("compliance_learning_rate")
    if isinstance(rate, np.ndarray):  # only the leaks of worlds that learn
        learns = rate[world.office_world[senders]] > 0
        senders, draws = senders[learns], draws[learns]
        if senders.size == 0:
            return
    elif rate <= 0:
        return
    audited = draws < world.lever_at("audit_rate", senders)
    n = world.behaviour.leak_propensity.size
    unaudited_count = np.bincount(senders[~audited], minlength=n)
    audited_count = np.bincount(senders[audited], minlength=n)
    L = world.behaviour.leak_propensity
    everyone = slice(None)
    kept = 1.0 - world.lever_at("compliance_learning_rate", everyone)
    spared = 1.0 - world.lever_at("leak_sanction", everyone)
    if world.worlds == 1:
        L[:] = 1.0 - (1.0 - L) * kept**unaudited_count
        L *= spared**audited_count
    else:  # only the worlds with leaks today learn today (a world alone comes here only then)
        mine = np.isin(world.office_world, world.office_world[senders])
        # each may be one value for the stack or one per office, whatever the other is
        kept, spared = np.broadcast_to(kept, n), np.broadcast_to(spared, n)
        L[mine] = 1.0 - (1.0 - L[mine]) * kept[mine] ** unaudited_count[mine]
        L[mine] *= spared[mine] ** audited_count[mine]
    world.tally.audits += world.tally.count(world.office_world[senders[audited]])


def record_leak_propensity(world: World) -> None:
    """The day's learned leak propensities, summed per level (the per-day table divides by offices)."""
    world.tally.today["leak_propensity"] = world.tally.per_level(world.level_key, world.behaviour.leak_propensity)
