"""How many replications the stylised-fact tests need: each check's pass rate on random
subsets of n seeds out of a larger pool of paired runs (issue #12, test tiers).

    .venv/bin/python benchmarks/cases_facts_power.py [--pool 24] [--sizes 6,8,10,12] [--trials 300]
        [--days 120 --warmup 30] [--save runs.json | --load runs.json]

Runs every arm of tests/test_cases_facts.py on `--pool` seeds (common random numbers, the
test's own seed sequence, horizon and runner), then replays each test function on `--trials`
random subsets of `--sizes` seeds from those runs, without running anything new. A test
that passes on (nearly) every subset of n seeds has the power to pass with n replications
on fresh seeds; subsets of a finite pool overlap, so the rates are optimistic near n = pool.
`--days`/`--warmup` try another horizon than the test's; `--save` keeps the pool's
summaries so that `--load` can replay other subset sizes, running only the arms the file
lacks.
The pile-up check keeps its own horizon (PILE_UP_DAYS) whatever `--days`.
Writes results/benchmarks/cases_facts_power-<days>d.json.
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


def children_cpu() -> tuple[float, float]:
    """User and system CPU of the reaped worker processes."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def checks() -> dict[str, callable]:
    return {name: fn for name, fn in inspect.getmembers(facts, inspect.isfunction) if name.startswith("test_")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=24, help="seeds run per arm (default 24)")
    ap.add_argument("--sizes", default="6,8,10,12", help="subset sizes to try")
    ap.add_argument("--trials", type=int, default=300, help="random subsets per size")
    ap.add_argument("--days", type=int, default=facts.DAYS, help=f"horizon (default the test's, {facts.DAYS})")
    ap.add_argument("--warmup", type=int, default=facts.WARMUP, help=f"warm-up days (default {facts.WARMUP})")
    ap.add_argument("--workers", type=int, default=2, help="processes running the arms")
    ap.add_argument("--save", type=Path, help="write the pool's summaries here (JSON)")
    ap.add_argument("--load", type=Path, help="replay summaries saved by --save instead of running")
    args = ap.parse_args(argv)

    facts.DAYS, facts.WARMUP = args.days, args.warmup
    if args.load:
        saved = json.loads(args.load.read_text())
        args.pool, facts.DAYS, facts.WARMUP = saved["pool"], saved["days"], saved["warmup_days"]
        facts._runs.update({tuple(k.split("\t")): v for k, v in saved["runs"].items()})
    facts.SEEDS = facts.seeds(args.pool)
    start = time.process_time()
    with facts.runs_in_parallel(args.workers):
        for fn in checks().values():
            try:
                fn()  # fills the cache of every arm the check uses (those not loaded)
            except AssertionError:
                pass
    run_seconds = time.process_time() - start + sum(children_cpu())
    if args.save:
        args.save.write_text(json.dumps({"pool": args.pool, "days": facts.DAYS, "warmup_days": facts.WARMUP,
                                         "runs": {"\t".join(k): v for k, v in facts._runs.items()}}))
    sizes = [int(s) for s in args.sizes.split(",") if int(s) <= args.pool]
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
    print(f"pass rate on {args.trials} random subsets of n of {args.pool} seeds, {facts.DAYS} days "
          f"({facts.WARMUP} warm-up; {len(full)} arms x {args.pool} runs in {run_seconds:.0f} s of CPU)")
    print(f"{'check':{width}s} " + " ".join(f"{'n=' + str(n):>6s}" for n in sizes))
    for name, rates in table.items():
        print(f"{name:{width}s} " + " ".join(f"{rates[n]:6.3f}" for n in sizes))
    out = ROOT / "results" / "benchmarks" / f"cases_facts_power-{facts.DAYS}d.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"pool": args.pool, "trials": args.trials, "days": facts.DAYS,
                               "warmup_days": facts.WARMUP, "arms": len(full),
                               "cpu_seconds": round(run_seconds), "loaded": str(args.load or ""),
                               "pass_rate": table}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
