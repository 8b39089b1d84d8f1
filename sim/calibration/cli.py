"""`tiaokuai calibrate EXPERIMENT --out DIR`: ABC-SMC against the sources' patterns.

Everything the user gives is checked before anything runs or is written: the calibration
experiment, its pattern file, its scenarios and parameters, the budget's name, and (in a
pilot evaluation at the shipped values) that every pattern's outcome is a summary key.
A bad input prints one line per problem and exits 2. Run again with the same command and
DIR, it resumes from the last finished ABC generation.
"""

from __future__ import annotations

import argparse
import os
import sys

from sim.cli_options import scheduler_address, whole_number
from sim.cli_run import check_writable_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="ABC-SMC calibration of assumption parameters against the sources' patterns",
        description="Calibrate the parameters EXPERIMENT.yaml names against its calibration "
        "patterns (ABC-SMC, pyabc), then check every pattern, held-out ones included, on "
        "posterior draws, write the calibrated scenario and re-run the headline comparison "
        "over the posterior. Resumable: the same command continues an interrupted DIR.",
    )
    p.add_argument("experiment", metavar="EXPERIMENT.yaml")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--budget", default=None, metavar="NAME",
                   help="a budget the experiment defines (population, generations, draws); "
                   "default: its first")
    p.add_argument("--workers", default=None, metavar="N",
                   help=f"local worker processes (default: the number of cores, {os.cpu_count()}); 1 runs serially")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://HOST:8786")
    p.add_argument("--particles-in-flight", default="1", metavar="K",
                   help="particles evaluated at once (default 1: reproducible; more fills a large Dask cluster)")
    p.add_argument("--no-propagation", action="store_true", help="skip the headline re-run over the posterior")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(handler=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    from sim.sweep.executors import WorkerLost, make_executor

    from .run import Calibration

    workers = whole_number(args.workers, "--workers")
    in_flight = whole_number(args.particles_in_flight, "--particles-in-flight") or 1
    scheduler = scheduler_address(args.scheduler, args.workers)
    check_writable_dir(args.out, "--out")  # before the pilot runs, not after
    cal = Calibration.prepare(args.experiment, args.budget, args.out)  # checks inputs, writes nothing
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        with make_executor(workers, scheduler) as executor:
            cal.run(executor, particles_in_flight=in_flight, propagation=not args.no_propagation, log=log)
    except (WorkerLost, ConnectionError) as err:
        print(f"error: {err}", file=sys.stderr)
        print("finished ABC generations are stored; run the same command again to resume", file=sys.stderr)
        return 1
    return 0


