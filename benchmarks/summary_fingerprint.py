"""Every shipped scenario's summary on seeds 1-3 at its own horizon, as one JSON object.

A refactor that must leave results unchanged is checked by running this before and after
and comparing the two files exactly (`--compare`; NaN equals NaN):

    .venv/bin/python benchmarks/summary_fingerprint.py --out /tmp/before.json
    ... change the code ...
    .venv/bin/python benchmarks/summary_fingerprint.py --compare /tmp/before.json

Keys the reference lacks (new summary keys added since) are listed, not counted as
differences. `--stack` takes the runs from stacks instead (`sim.run_stack` of each
scenario's seeds 1-3 together, and of seed 2 alone): compared against a fingerprint of
single runs, it checks that stacking changes no result. `--stack-regimes` stacks across
scenarios too (stacks over levers): every group of scenarios that may share a stack
(`sim.world.stack_key`: the regimes of one city) is one stack of all its scenarios'
seeds 1-3, in reverse order, so each run is checked next to other regimes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_scenario, run, run_stack  # noqa: E402

SEEDS = (1, 2, 3)


def scenario_paths() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "cases").rglob("*.yaml"))


def fingerprint(skip: tuple[str, ...] = (), stack: bool = False, regimes: bool = False) -> dict:
    out = {}
    if regimes:
        return fingerprint_of_regime_stacks(skip)
    for path in scenario_paths():
        name = str(path.relative_to(ROOT))
        if any(s in name for s in skip):
            continue
        scenario = load_scenario(path)
        if stack:  # seeds 1-3 as one stack, and seed 2 from a stack of its own (a different composition)
            for seed, result in zip(SEEDS, run_stack(scenario, list(SEEDS), timeseries=False)):
                out[f"{name}@{seed}"] = result.summary
            alone = run_stack(scenario, [2], timeseries=False)[0].summary
            if compare({"run": out[f"{name}@2"]}, {"run": alone}):
                out[f"{name}@2"] = {"stack of one differs from stack of three": True}
            continue
        for seed in SEEDS:
            out[f"{name}@{seed}"] = run(scenario, seed, timeseries=False).summary
    return out


def fingerprint_of_regime_stacks(skip: tuple[str, ...] = ()) -> dict:
    """Seeds 1-3 of every scenario, each group of scenarios sharing a stack key stepped as
    one stack (the group's runs in reverse order: another composition than alone)."""
    from sim.world import stack_key

    groups: dict[str, list[tuple[str, object]]] = {}
    for path in scenario_paths():
        name = str(path.relative_to(ROOT))
        if not any(s in name for s in skip):
            scenario = load_scenario(path)
            groups.setdefault(stack_key(scenario), []).append((name, scenario))
    out = {}
    for members in groups.values():
        runs = [(name, scenario, seed) for name, scenario in members for seed in SEEDS][::-1]
        results = run_stack([s for _, s, _ in runs], [seed for _, _, seed in runs], timeseries=False)
        for (name, _, seed), result in zip(runs, results):
            out[f"{name}@{seed}"] = result.summary
    print(f"{len(out)} runs in {len(groups)} stacks: {sorted(len(m) * len(SEEDS) for m in groups.values())}",
          file=sys.stderr)
    return out


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def compare(reference: dict, now: dict) -> list[str]:
    problems = []
    for run_key, ref in reference.items():
        got = now.get(run_key)
        if got is None:
            problems.append(f"{run_key}: missing")
            continue
        for key, value in ref.items():
            if key not in got:
                problems.append(f"{run_key}: key {key} missing")
            elif not same(value, got[key]):
                problems.append(f"{run_key}: {key} {value!r} -> {got[key]!r}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="write the fingerprint here (JSON)")
    ap.add_argument("--compare", help="compare against this earlier fingerprint; exit 1 on any difference")
    ap.add_argument("--skip", action="append", default=[], help="skip scenario paths containing this text")
    ap.add_argument("--stack", action="store_true", help="take the runs from stacks (sim.run_stack), not one by one")
    ap.add_argument("--stack-regimes", action="store_true",
                    help="take the runs from stacks of every scenario sharing a city (stacks over levers)")
    args = ap.parse_args()
    now = fingerprint(tuple(args.skip), args.stack, args.stack_regimes)
    if args.out:
        Path(args.out).write_text(json.dumps(now, indent=1, sort_keys=True))
    if args.compare:
        reference = json.loads(Path(args.compare).read_text())
        reference = {k: v for k, v in reference.items() if not any(s in k for s in args.skip)}
        problems = compare(reference, now)
        new_keys = sorted({k for s in now.values() for k in s} - {k for s in reference.values() for k in s})
        for p in problems[:50]:
            print(p)
        print(f"{len(reference)} runs compared, {len(problems)} differences; new keys: {', '.join(new_keys) or 'none'}")
        return 1 if problems else 0
    if not args.out:
        print(json.dumps(now, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
