"""Common random numbers, read off the source: every draw the model makes is either demand
(a stream of its own origin, sim.streams), drawn once per run from an exogenous stream
(sim.behaviour), or a decision keyed by its task or office (sim.draws), and nothing draws
from a global generator. A decision drawn from a shared sequential stream would get a
different number whenever another regime took a different number of decisions before it:
the leak issue 13 removed. The audit is benchmarks/crn_decorrelation.py's (docs/verification.md,
"Why ρ is low where pairing could help"); it runs no model.
"""

from __future__ import annotations

import importlib.util
import sys

from tests.support.cities import ROOT


def decorrelation():
    path = ROOT / "benchmarks" / "crn_decorrelation.py"
    spec = importlib.util.spec_from_file_location("crn_decorrelation", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_draw_in_the_model_is_demand_exogenous_or_keyed():
    audit = decorrelation().audit_draws()
    unclassified = [f"{r['file']}:{r['line']}: {r['code']}" for r in audit
                    if r["draws_from"].startswith("UNCLASSIFIED")]
    assert not unclassified, "draws neither demand nor keyed by task or office (sim.draws):\n" + "\n".join(unclassified)
    # the rules' decisions are all keyed: only the arrival rule draws from a stream
    rules = [r for r in audit if r["file"].startswith("sim/rules/") and r["file"] != "sim/rules/arrivals.py"]
    assert rules and all(r["draws_from"].startswith("keyed") for r in rules)


def test_nothing_draws_from_a_global_generator():
    assert decorrelation().global_generator_uses() == []


def test_the_audit_sees_a_sequential_decision_draw():
    """The audit is not blind: a decision drawn from a generator in a rule is flagged."""
    module = decorrelation()
    assert module.DRAW_CALL.search("accept = rng.random(rows.size) < acceptance")
    assert module.GLOBAL_GENERATOR.search("u = self.random.random()")
    assert module.GLOBAL_GENERATOR.search("k = np.random.randint(0, 3)")
