"""How many replications the stylised-fact tests need: each check's pass rate on random
subsets of n seeds out of a larger pool of paired runs (issue #12, test tiers).

    .venv/bin/python benchmarks/cases_facts_power.py [--pool 30] [--sizes 8,10,12,15,20] [--trials 400]

Runs every arm of tests/test_cases_facts.py on `--pool` seeds (common random numbers, the
test's own seed sequence, horizon and runner), then replays each test function on `--trials`
random subsets of `--sizes` seeds from those runs, without running anything new. A test
that passes on (nearly) every subset of n seeds has the power to pass with n replications
on fresh seeds; subsets of a finite pool overlap, so the rates are optimistic near n = pool.
Writes results/benchmarks/cases_facts_power.json.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_cases_facts as facts  # noqa: E402


def checks() -> dict[str, callable]:
    return {name: fn for name, fn in inspect.getmembers(facts, inspect.isfunction) if name.startswith("test_")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=30, help="seeds run per arm (default 30)")
    ap.add_argument("--sizes", default="6,8,10,12,15,20", help="subset sizes to try")
    ap.add_argument("--trials", type=int, default=400, help="random subsets per size")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if int(s) <= args.pool]

    facts.SEEDS = facts.seeds(args.pool)
    start = time.perf_counter()
    with facts.runs_in_parallel():
        for fn in checks().values():
            try:
                fn()  # fills the cache of every arm the check uses
            except AssertionError:
                pass
    run_seconds = time.perf_counter() - start
    full = dict(facts._runs)
    rng = np.random.default_rng(12)
    table: dict[str, dict[int, float]] = {}
    for n in sizes:
        subsets = [rng.choice(args.pool, size=n, replace=False) for _ in range(args.trials)]
        for name, fn in checks().items():
            passed = 0
            for idx in subsets:
                facts._runs.clear()
                facts._runs.update({k: [v[i] for i in idx] for k, v in full.items()})
                try:
                    fn()
                    passed += 1
                except AssertionError:
                    pass
            table.setdefault(name, {})[n] = passed / args.trials
    facts._runs.clear()
    facts._runs.update(full)
    width = max(len(k) for k in table)
    print(f"pass rate on {args.trials} random subsets of n of {args.pool} seeds "
          f"({len(full)} arms x {args.pool} runs in {run_seconds:.0f} s)")
    print(f"{'check':{width}s} " + " ".join(f"{'n=' + str(n):>6s}" for n in sizes))
    for name, rates in table.items():
        print(f"{name:{width}s} " + " ".join(f"{rates[n]:6.3f}" for n in sizes))
    out = ROOT / "results" / "benchmarks" / "cases_facts_power.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"pool": args.pool, "trials": args.trials, "days": facts.DAYS,
                               "warmup_days": facts.WARMUP, "pass_rate": table}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
