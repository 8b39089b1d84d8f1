"""The one-district figures of docs/cases.md's "Re-read with issue 15's behaviours":
Guiyang 2012's centres with the compliance held fixed (as the test holds it), without the
case's street push-down lever, with learning senders, and with burnout tipping; and
Shanghai's review and recommendation (who leaves, and why). The stylised-fact test's own
runner and seeds (tests/test_cases_facts.py), one district, a longer horizon.

    .venv/bin/python benchmarks/cases_reread.py [--replications N] [--days D]

Prints each arm's mean [min, max] over the seeds; reads no result store.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_cases_facts as facts  # noqa: E402

GUIYANG = facts.CASES / "guiyang-2012.yaml"
FIXED = {**facts.ONE_DISTRICT, "levers.compliance_learning_rate": 0.0}
NO_LEVER = {"levers.street_push_down_propensity": None}
BURNOUT = {"staff.strain_productivity_loss": 0.8}
ARMS = {
    "guiyang-2012, fixed compliance": (GUIYANG, FIXED),
    "guiyang-2012, fixed compliance, no street push-down lever": (GUIYANG, {**FIXED, **NO_LEVER}),
    "guiyang-2012, learning senders (shipped)": (GUIYANG, dict(facts.ONE_DISTRICT)),
    "guiyang-2012, fixed compliance, burnout 0.8": (GUIYANG, {**FIXED, **BURNOUT}),
    "guiyang-2012, fixed compliance, no lever, burnout 0.8": (GUIYANG, {**FIXED, **NO_LEVER, **BURNOUT}),
    "shanghai-review": (facts.CASES / "shanghai-review.yaml", {}),
    "shanghai-recommended": (facts.CASES / "shanghai-recommended.yaml", {}),
}
OUTCOMES = ("street_utilisation_mean", "street_backlog_hours_mean", "committee_utilisation_mean",
            "staff_lost_to_strain_share", "staff_lost_committee_total")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=facts.REPLICATIONS)
    ap.add_argument("--days", type=int, default=120)
    args = ap.parse_args(argv)
    facts.SEEDS = facts.seeds(args.replications)
    with facts.runs_in_parallel():
        runs = {name: facts.arm(path, days=args.days, **overrides) for name, (path, overrides) in ARMS.items()}
    print(f"mean [min, max] over {args.replications} seeds, {args.days} days ({facts.WARMUP} warm-up), one district")
    for name, arm in runs.items():
        print(name)
        for outcome in OUTCOMES:
            v = facts.values(arm, outcome)
            print(f"  {outcome:30s} {v.mean():9.3f} [{v.min():.3f}, {v.max():.3f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
