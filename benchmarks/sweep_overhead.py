"""Issue 19: where a sweep's CPU goes besides the runs (docs/performance.md, *The sweep's own cost*).

    .venv/bin/python benchmarks/sweep_overhead.py [EXPERIMENT.yaml] [--repeat 3]

Runs `tiaokuai sweep EXPERIMENT --workers 1 --out TMP --quiet` (default: the issue's
benchmarks/sweep-stacking.yaml) in this process, each step of the command timed in CPU
seconds (`time.process_time`, so a shared machine's waiting does not count): Python's own
start-up, the imports and the parser, the plan, the two-day outcome probe, the manifest, the
store's reads and writes, and the runs themselves (`execute_batch`: `run_stack`, summaries
included). Each repetition is a fresh process (imports are the point), on a fresh folder.
Prints one block per repetition; writes nothing else.
"""

from __future__ import annotations

import time

START = time.process_time()  # the interpreter's own start-up, before this file's imports

import argparse  # noqa: E402
import functools  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

STEPS = {  # (module, attribute) -> label
    ("sim.sweep.plan", "build_plan"): "plan (read, validate, expand)",
    ("sim.sweep.driver", "check_plan_memory"): "memory checks",
    ("sim.sweep.driver", "check_outcomes"): "two-day outcome probe",
    ("sim.sweep.driver", "manifest_for"): "manifest (model code hash)",
    ("sim.sweep.executors", "execute_batch"): "the runs (run_stack, summaries)",
    ("sim.sweep.store:ResultStore", "append"): "Parquet parts",
    ("sim.sweep.store:ResultStore", "update_manifest"): "manifest update",
    ("sim.sweep.store:ResultStore", "start"): "store start",
    ("sim.sweep.store:ResultStore", "stored_run_ids"): "stored run ids",
}


def child(experiment: str, out: str) -> None:
    started = START
    sys.path.insert(0, str(ROOT))
    import importlib

    from sim.cli import build_parser

    spent: dict[str, float] = {}

    def timed(fn, label):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - t

        return wrapper

    for (where, name), label in STEPS.items():
        module_name, _, cls = where.partition(":")
        owner = importlib.import_module(module_name)
        owner = getattr(owner, cls) if cls else owner
        setattr(owner, name, timed(getattr(owner, name), label))
    args = build_parser().parse_args(["sweep", experiment, "--workers", "1", "--out", out, "--quiet"])
    body = time.process_time()
    args.handler(args)
    end = time.process_time()
    print(f"  {'Python start-up':<34} {started:8.3f}")
    print(f"  {'imports, parser':<34} {body - started:8.3f}")
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<34} {seconds:8.3f}")
    print(f"  {'rest of the command':<34} {end - body - sum(spent.values()):8.3f}")
    runs = spent.get(STEPS[("sim.sweep.executors", "execute_batch")], 0.0)
    print(f"  total {end:.3f}; outside the runs {end - runs:.3f} (the interpreter's exit not counted)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("experiment", nargs="?", default=str(ROOT / "benchmarks" / "sweep-stacking.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.experiment, args.child)
        return
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"repetition {i + 1}:", flush=True)
            subprocess.run([sys.executable, __file__, args.experiment, "--child", str(Path(tmp) / "out")],
                           check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
