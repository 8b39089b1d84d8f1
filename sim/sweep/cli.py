"""`tiaokuai sweep` and `tiaokuai compare`: run an experiment file; compare its results."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial

from sim.cli_options import finite_seconds, scheduler_address, whole_number
from sim.errors import InputError, Problem

from .store import StoreBusy


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run an experiment file's seeded runs into a resumable result folder",
        description="Run every run of EXPERIMENT.yaml not yet stored in DIR. Killed and "
        "started again with the same command, it runs only what is missing.",
    )
    p.add_argument("experiment", metavar="EXPERIMENT.yaml")
    p.add_argument("--out", default=None, metavar="DIR", help="result folder (Parquet + manifest); "
                   "required unless --dry-run")
    p.add_argument(
        "--workers", type=str, default=None, metavar="N",
        help=f"local worker processes (default: the number of cores, {os.cpu_count()}); 1 runs serially",
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", default=None,
        help="run on a Dask cluster instead, e.g. tcp://10.0.0.5:8786",
    )
    p.add_argument(
        "--timeseries", action="store_true", default=None,
        help="also store per-day, per-level time series (default: the experiment's `timeseries`)",
    )
    p.add_argument(
        "--stack", type=str, default=None, metavar="K",
        help="step up to K runs together whose scenarios differ only in seed or in levers that leave the "
        "city as it is (replications, regimes, demand levels), each bit for bit its result alone "
        "(default: $TIAOKUAI_STACK or 16, fewer for large or long runs); 1 = one by one",
    )
    p.add_argument("--restart", action="store_true",
                   help="discard the results DIR holds and start over (only a tiaokuai result folder)")
    p.add_argument("--dry-run", action="store_true",
                   help="validate and print the number of runs, the horizon and an estimate of the "
                   "CPU time; write nothing, run nothing")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--flush-seconds", type=float, default=5.0, metavar="S",
                   help="seconds between writes of finished runs to DIR (default 5; long sweeps "
                   "stretch it to 5%% of the time elapsed, at most 60 s; 0 writes every batch as it finishes)")
    p.set_defaults(handler=sweep_command)

    p = sub.add_parser(
        "compare",
        help="tables and figures comparing a sweep's sub-experiments, with 95%% CIs",
        description="Print and write (DIR/figures/) the mean and 95% t confidence interval of "
        "each outcome by sub-experiment, paired differences against the baseline, and plots.",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--baseline", default=None, help="sub-experiment to difference against "
                   "(default: the experiment's `baseline`)")
    p.add_argument("--outcomes", default=None, metavar="A,B,..",
                   help="outcomes to report (default: the experiment's)")
    p.add_argument("--no-plots", action="store_true", help="tables only")
    p.add_argument("--csv", action="store_true",
                   help="also export the stored rows as DIR/figures/runs.csv and timeseries.csv")
    p.set_defaults(handler=compare_command)

    p = sub.add_parser(
        "store",
        help="inspect and repair a sweep's result folder",
        description="`store check DIR` lists the parts of DIR a sweep cannot use (truncated, "
        "zeroed, copied, stray files) and moves them aside to DIR/damaged/; the same sweep "
        "command then re-runs exactly the runs they held.",
    )
    store_sub = p.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    c = store_sub.add_parser("check", help="list damaged parts and move them aside")
    c.add_argument("dir", metavar="DIR")
    c.add_argument("--dry-run", action="store_true", help="list only, move nothing")
    c.set_defaults(handler=store_check_command)


def _stack(text: str | None) -> int | None:
    """--stack K: a whole number of runs, at least 1 (None: the default)."""
    from sim.resources import STACK_RULE

    return whole_number(text, "--stack", rule=STACK_RULE)


def sweep_command(args: argparse.Namespace) -> int:
    from .driver import SweepFailed, check_outcomes, check_plan_memory, sweep
    from .executors import WorkerLost, make_executor
    from .plan import build_plan

    workers = whole_number(args.workers, "--workers")
    scheduler = scheduler_address(args.scheduler, args.workers)
    if args.out is None and not args.dry_run:
        raise InputError([Problem("--out", "", "required: the result folder (or --dry-run)", None)])
    flush = finite_seconds(args.flush_seconds, "--flush-seconds")
    stack = _stack(args.stack)
    plan = build_plan(args.experiment, timeseries=args.timeseries)
    check_plan_memory(plan)  # sweep() checks again; --dry-run should refuse it too
    if args.dry_run:
        check_outcomes(plan)  # as sweep() and validate do: a two-day probe, nothing written
        print(dry_run_text(plan, workers))
        return 0
    check_out_dir(args.out)
    try:
        report = sweep(
            plan,
            args.out,
            partial(make_executor, workers, scheduler, stack),
            restart=args.restart,
            quiet=args.quiet,
            flush_seconds=flush,
        )
    except (SweepFailed, WorkerLost, StoreBusy, ConnectionError) as err:
        print(f"error: {err}", file=sys.stderr)
        if isinstance(err, WorkerLost):
            print("finished runs are stored; run the same command again to resume", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"{args.out}: {report.total} runs ({report.skipped} were stored, {report.ran} ran "
            f"on {report.executor} x{report.workers}, "
            f"{1000 * report.overhead_per_run:.1f} ms overhead per run)",
            file=sys.stderr,
        )
    return 0


def dry_run_text(plan, workers: int | None) -> str:
    """What `--dry-run` prints: runs, horizon, and a CPU-time estimate from the model's pace."""
    from sim.resources import estimate_run

    runs = len(plan.runs)
    days = sorted({r.scenario.days for r in plan.runs})
    horizon = f"{days[0]} days" if len(days) == 1 else f"{days[0]}-{days[-1]} days"
    # every distinct (arm, point) scenario may differ in size; estimate each once
    seconds = 0.0
    per_point: dict[tuple[str, int], float] = {}
    for run in plan.runs:
        key = (run.sub_experiment, run.point)
        if key not in per_point:
            per_point[key] = estimate_run(run.scenario).cpu_seconds
        seconds += per_point[key]
    cores = workers or os.cpu_count() or 1
    exp = plan.experiment
    return (
        f"{plan.source}: {runs:,} runs ({len(exp.arm_names)} sub-experiments x {exp.point_count:,} "
        f"design points x {exp.replications:,} replications), horizon {horizon}; "
        f"estimated CPU time {_duration(seconds)} (about {_duration(seconds / cores)} on {cores} "
        f"cores; a rough guide from the model's measured pace); nothing was run or written"
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def check_out_dir(out: str) -> None:
    """Refuse an --out folder that cannot be one before anything runs."""
    from sim.cli_run import check_writable_dir

    check_writable_dir(out, "--out")


def store_check_command(args: argparse.Namespace) -> int:
    from .store import ResultStore

    store = ResultStore(args.dir)
    if not store.dir.is_dir():
        rule = "not a folder" if store.dir.exists() else "no such folder"
        raise InputError([Problem(args.dir, "", rule, None)])
    manifest = store.manifest()  # a damaged manifest is refused here, naming what to do
    damaged = store.damaged_parts()
    usable = [part for part in store.run_parts() if all(part != path for path, _ in damaged)]
    store.check_belongs(manifest, [i for part in usable for i in store.read_run_ids(part)])  # before moving
    if not damaged:
        stored = store.stored_run_ids()
        print(f"{args.dir}: ok, {len(store.run_parts())} parts, {len(stored)} of "
              f"{manifest['total_runs']} runs stored, nothing damaged")
        return 0
    for path, why in damaged:
        print(f"damaged: {path}: {why}")
    if args.dry_run:
        print(f"{len(damaged)} damaged file(s); nothing was moved (--dry-run)")
        return 1
    target = store.move_aside(damaged)
    stored = store.stored_run_ids()
    print(f"moved {len(damaged)} file(s) to {target}; {len(stored)} of {manifest['total_runs']} runs "
          f"remain stored; run the same sweep command to re-run the rest")
    return 0


def compare_command(args: argparse.Namespace) -> int:
    outcomes = None
    if args.outcomes is not None:
        outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()]
        if not outcomes:
            raise InputError([Problem("--outcomes", "", "names no outcome: give a comma-separated list "
                                      "such as tasks_created,resident_unmet_share", args.outcomes)])
    from .compare import compare  # plotting libraries: imported only once the options are sound

    compare(args.dir, baseline=args.baseline, outcomes=outcomes, plots=not args.no_plots, csv=args.csv)
    return 0
