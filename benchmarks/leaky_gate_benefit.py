"""How much of a strict gate's benefit a leaky gate keeps, on two measures of committees'
load (a study behind tests/test_cases_facts.py's leaky-gate check).

    .venv/bin/python benchmarks/leaky_gate_benefit.py [--replications N] [--days D]

The benefit kept at compliance c is (m(c) - m(0)) / (m(1) - m(0)), m the mean outcome over
paired runs of the admission-list preset at that compliance (compliance 0 is the unlimited
preset: the gate draws the same numbers whatever the compliance). Committees'
self-governance share, a demand-side measure, keeps about c of the benefit (the test checks
within 0.15). Committees' utilisation saturates: under unlimited responsibility their
demand exceeds their hours plus overtime, so hours used understate it and the benefit kept
is concave in c. The leak is held fixed (`compliance_learning_rate: 0`), as in the test:
senders that learn to leak would leak more than 1 - c.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_cases_facts as facts  # noqa: E402

OUTCOMES = ("committee_self_governance_share", "committee_utilisation_mean")
COMPLIANCE = (0.25, 0.5, 0.75)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=facts.REPLICATIONS)
    ap.add_argument("--days", type=int, default=facts.DAYS, help="horizon (default: the test's)")
    args = ap.parse_args(argv)
    facts.SEEDS = facts.seeds(args.replications)
    facts.DAYS = args.days
    with facts.runs_in_parallel():
        m0 = facts.arm(facts.UNLIMITED)
        m1 = facts.arm(facts.GATE)
        mc = {c: facts.arm(facts.GATE, **{"levers.street_gate.compliance": c,
                                          "levers.committee_gate.compliance": c,
                                          "levers.compliance_learning_rate": 0.0}) for c in COMPLIANCE}
    print(f"benefit kept at compliance c ({args.replications} paired runs, {facts.DAYS} days)")
    print(f"{'outcome':34s} " + " ".join(f"c={c:<5}" for c in COMPLIANCE))
    for outcome in OUTCOMES:
        a, b = facts.values(m0, outcome).mean(), facts.values(m1, outcome).mean()
        kept = [(facts.values(mc[c], outcome).mean() - a) / (b - a) for c in COMPLIANCE]
        print(f"{outcome:34s} " + " ".join(f"{k:7.2f}" for k in kept))
    return 0


if __name__ == "__main__":
    sys.exit(main())
