"""`tiaokuai sweep` and `tiaokuai compare`: run an experiment file; compare its results."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial

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
    p.add_argument("--out", required=True, metavar="DIR", help="result folder (Parquet + manifest)")
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
    p.add_argument("--restart", action="store_true", help="discard what DIR holds and start over")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--flush-seconds", type=float, default=5.0, metavar="S",
                   help="seconds between writes of finished runs to DIR (default 5; long sweeps "
                   "stretch it to 5%% of the time elapsed, at most 60 s)")
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


def _workers(text: str | None, scheduler: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError([Problem("--workers", "", "must be a whole number of at least 1", text)])
    if scheduler:
        raise InputError([Problem("--workers", "", "give --workers or --scheduler, not both", text)])
    return value


def sweep_command(args: argparse.Namespace) -> int:
    from .driver import SweepFailed, sweep
    from .executors import WorkerLost, make_executor

    workers = _workers(args.workers, args.scheduler)
    if args.scheduler and "://" not in args.scheduler and ":" not in args.scheduler:
        raise InputError([Problem("--scheduler", "", "expected an address like tcp://HOST:PORT", args.scheduler)])
    try:
        report = sweep(
            args.experiment,
            args.out,
            partial(make_executor, workers, args.scheduler),
            timeseries=args.timeseries,
            restart=args.restart,
            quiet=args.quiet,
            flush_seconds=max(0.0, args.flush_seconds),
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


def compare_command(args: argparse.Namespace) -> int:
    from .compare import compare

    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()] if args.outcomes else None
    compare(args.dir, baseline=args.baseline, outcomes=outcomes, plots=not args.no_plots, csv=args.csv)
    return 0
