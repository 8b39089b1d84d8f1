"""Compliance that learns (issue 15, BEHAVIOUR.md §1): leaks through an admission gate
creep up where audits are rare, and stay low where they are frequent."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import TiaokuaiModel
from sim.rules import compliance
from tests.support.cities import small
from tests.support.tiny_world import DEPARTMENT_ROW, tiny_world


def test_an_unaudited_leak_teaches_the_sender_and_an_audit_sanctions_it():
    world = tiny_world(levers={"compliance_learning_rate": 0.1, "audit_rate": 0.0, "leak_sanction": 0.5})
    senders = np.array([DEPARTMENT_ROW, DEPARTMENT_ROW])
    compliance.learn_from_leaks(world, senders, np.array([0.3, 0.7]))  # each leak's own audit draw
    L = world.behaviour.leak_propensity
    assert L[DEPARTMENT_ROW] == pytest.approx(1 - 0.9**2)
    world = tiny_world(levers={"compliance_learning_rate": 0.1, "audit_rate": 1.0, "leak_sanction": 0.5})
    world.behaviour.leak_propensity[DEPARTMENT_ROW] = 0.4
    compliance.learn_from_leaks(world, senders[:1], np.array([0.3]))
    assert world.behaviour.leak_propensity[DEPARTMENT_ROW] == pytest.approx(0.2)
    assert world.tally.of_world(0).audits == 1


def leaks_per_day(**levers):
    """A list respected 90% of the time at first, in the small city, 200 days: leaks a day
    over the first and the last 40 days."""
    over = {f"levers__{k}": v for k, v in levers.items()}
    s = small("leaky-admission-list", days=200, warmup=20,
              levers__street_gate={"enabled": True, "compliance": 0.9},
              levers__committee_gate={"enabled": True, "compliance": 0.9}, **over)
    model = TiaokuaiModel(s, 1)
    per_day, before = [], 0
    for _ in range(s.days):
        model.step()
        per_day.append(model.tally.gate_leaks - before)
        before = model.tally.gate_leaks
    per_day = np.array(per_day)
    return per_day[:40].mean(), per_day[-40:].mean()


LEARNING = {"compliance_learning_rate": 0.002, "leak_sanction": 0.2}


@pytest.mark.slow  # months of audits on several seeds (~2 s of CPU)
def test_with_rare_audits_leaks_creep_up_for_months_after_the_list_is_introduced():
    """BEHAVIOUR.md §1 signature: with rare audits, leaks in the last two months are well
    above the first two; with frequent audits they stay where the gate put them."""
    first, last = leaks_per_day(audit_rate=0.01, **LEARNING)
    assert last > 1.5 * first
    first_f, last_f = leaks_per_day(audit_rate=0.5, **LEARNING)
    assert last_f < 1.2 * first_f
    assert last > 3 * last_f


def test_senders_that_never_learn_leak_at_the_gates_rate_throughout():
    """The lever off (compliance_learning_rate: 0): rare audits change nothing."""
    first, last = leaks_per_day(audit_rate=0.01, compliance_learning_rate=0.0)
    assert last < 1.2 * first
