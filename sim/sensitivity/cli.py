"""`tiaokuai sensitivity EXPERIMENT.yaml`: Morris screening, then Sobol indices.

The experiment file is a sweep experiment with a sampling `design` (ranges, seed, Morris
levels). Its own method and sample size are used for that method; the other stage's size
comes from --morris-trajectories / --sobol-samples; --sobol-top K restricts Sobol to the K
parameters the Morris screening ranks highest. Writes to OUT (default
results/sensitivity/): per stage the sweep's Parquet store, then `morris_indices.csv`,
`sobol_indices.csv`, `sobol_top5.csv`, `report.md` and the figures.
"""

from __future__ import annotations

import argparse
import sys
import typing
import warnings
from pathlib import Path

from sim.cli_options import scheduler_address
from sim.errors import InputError, Problem

DEFAULT_TRAJECTORIES = 20
DEFAULT_SOBOL_BASE = 256


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis (SALib Morris screening and Sobol indices)",
        description="Run EXPERIMENT.yaml's design points through the sweep engine as a Morris "
        "and/or a Sobol design, average replications per point, and write indices, a report "
        "and figures. Resumable: the same command again runs only what is missing.",
    )
    p.add_argument("experiment", metavar="EXPERIMENT.yaml")
    p.add_argument("--out", default="results/sensitivity", metavar="DIR")
    p.add_argument("--method", choices=("morris", "sobol", "both"), default="both")
    p.add_argument("--morris-trajectories", type=int, default=None, metavar="R",
                   help="Morris trajectories (default: the file's, if its method is morris, "
                   f"else {DEFAULT_TRAJECTORIES})")
    p.add_argument("--sobol-samples", type=int, default=None, metavar="N",
                   help=f"Sobol base sample, a power of 2 (default: the file's, if sobol, else {DEFAULT_SOBOL_BASE})")
    p.add_argument("--sobol-top", type=int, default=0, metavar="K",
                   help="with --method both: Sobol over only the K parameters Morris ranks highest "
                   "(the others stay at the scenario's values); default 0: all")
    p.add_argument("--days", type=int, default=None, help="override the experiment's horizon")
    p.add_argument("--warmup-days", type=int, default=None, help="override the experiment's warm-up")
    p.add_argument("--replications", type=int, default=None, help="override replications per point")
    p.add_argument("--bootstrap", type=int, default=1000, help="Sobol bootstrap resamples (default 1000)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="local worker processes")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address")
    p.add_argument("--restart", action="store_true", help="discard stored runs and start over")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--difference", action="append", default=None, metavar="ARM:BASELINE",
                   help="also analyse the paired difference ARM minus BASELINE (same points, same "
                   "seeds) as its own outcome set; repeatable")
    p.set_defaults(handler=sensitivity_command)


def _sizes(args: argparse.Namespace, file_method: str, file_samples: int) -> dict[str, int]:
    def pick(method: str, flag: int | None, default: int) -> int:
        if flag is not None:
            return flag
        return file_samples if file_method == method else default

    sizes = {}
    if args.method in ("morris", "both"):
        sizes["morris"] = pick("morris", args.morris_trajectories, DEFAULT_TRAJECTORIES)
    if args.method in ("sobol", "both"):
        sizes["sobol"] = pick("sobol", args.sobol_samples, DEFAULT_SOBOL_BASE)
    problems = []
    for method, n in sizes.items():
        if n < 2 or (method == "sobol" and n & (n - 1)):
            problems.append(Problem("--sobol-samples" if method == "sobol" else "--morris-trajectories", "",
                                    "must be at least 2" + (" and a power of 2" if method == "sobol" else ""), n))
    if args.workers is not None and args.workers < 1:
        problems.append(Problem("--workers", "", "must be at least 1", args.workers))
    if args.bootstrap < 2:
        problems.append(Problem("--bootstrap", "", "must be at least 2 resamples", args.bootstrap))
    if args.sobol_top < 0:
        problems.append(Problem("--sobol-top", "", "must be 0 (all parameters) or more", args.sobol_top))
    if problems:
        raise InputError(problems)
    return sizes


def sensitivity_command(args: argparse.Namespace) -> int:
    from functools import partial

    from sim.sweep.driver import SweepFailed, check_outcomes
    from sim.sweep.executors import WorkerLost, make_executor
    from sim.sweep.plan import build_plan
    from sim.sweep.store import StoreBusy

    from .differences import ci_widths, parse_pairs, with_differences
    from .report import analyse_and_write
    from .stages import Method, StageResult, run_stage, stage_experiment, stage_plan

    scheduler = scheduler_address(args.scheduler, args.workers)
    plan = build_plan(args.experiment)
    exp = plan.experiment
    if exp.design is None or exp.design.method not in ("morris", "sobol"):
        raise InputError([Problem(args.experiment, "design", "a sensitivity experiment needs a morris or "
                                  "sobol design with ranges", exp.design.method if exp.design else None)])
    sizes = _sizes(args, exp.design.method, exp.design.samples)
    check_outcomes(plan)  # an unknown outcome is refused before the first stage says anything
    for method, n in sizes.items():  # every stage's size and horizon, before the first one runs
        top = list(exp.design.ranges)[:args.sobol_top] if method == "sobol" and args.sobol_top else None
        stage_experiment(plan, typing.cast(Method, method), n, args.days, args.warmup_days, args.replications,
                         top if "morris" in sizes else None)
    pairs = parse_pairs(args.difference, exp.arm_names)
    out = Path(args.out)
    from sim.sweep.cli import check_out_dir

    check_out_dir(str(out))
    executor_factory = partial(make_executor, args.workers, scheduler)
    stages: dict[str, StageResult] = {}
    keep = None
    for method, n in sizes.items():
        if method == "sobol" and args.sobol_top and "morris" in stages:
            keep = _screened(stages["morris"], args.sobol_top)
            if not args.quiet:
                print(f"sobol over the {len(keep)} parameters Morris ranks highest: {', '.join(keep)}",
                      file=sys.stderr)
        staged = stage_plan(plan, typing.cast(Method, method), n, args.days, args.warmup_days,
                            args.replications, keep if method == "sobol" else None)
        if not args.quiet:
            print(f"{method}: {len(staged.runs)} runs ({staged.experiment.point_count} points x "
                  f"{staged.experiment.replications} replications)", file=sys.stderr)
        try:
            ran = run_stage(staged, out, executor_factory, args.restart, args.quiet)
        except (SweepFailed, StoreBusy, WorkerLost, ConnectionError) as err:
            print(f"error: {err}", file=sys.stderr)
            print("finished runs are stored; run the same command again to resume", file=sys.stderr)
            return 1
        stages[method] = with_differences(ran, pairs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = analyse_and_write(stages, out, args.bootstrap)
        report += ci_widths(out)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    if not args.quiet:
        print(report, file=sys.stderr)
    return 0


def _screened(stage, k: int) -> list[str]:
    """Morris's top k parameters over every outcome and sub-experiment (its warnings are
    given once, with the report)."""
    import pandas as pd

    from .analysis import morris_indices, point_means, screen

    exp = stage.experiment
    tables = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for arm, runs in stage.runs.groupby("sub_experiment"):
            means = point_means(runs, exp.outcomes, stage.x.shape[0])
            table = morris_indices(stage.problem, stage.x, means, exp.design.levels, exp.master_seed)
            table["outcome"] = f"{arm}:" + table["outcome"]
            tables.append(table)
    return screen(pd.concat(tables, ignore_index=True), k)
