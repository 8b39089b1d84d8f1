"""`tiaokuai robustness EXPERIMENT --out DIR`: every regime in many plausible worlds.

Runs the study through the sweep engine (resumable; local processes or a Dask cluster),
then writes the ranking, scenario-discovery boxes, feature scores and figures into DIR.
--points, --replications and --days override the file, for small trials; the outputs
then say that the study is reduced and give the command for the full one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli_options import finite_seconds, scheduler_address
from sim.errors import InputError, Problem


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "robustness",
        help="rank regimes across many plausible worlds; find where each one fails (PRIM)",
        description="Run every policy of EXPERIMENT.yaml in every world of a Latin hypercube "
        "over its uncertainties, on common random numbers, and write ranking.csv, boxes.md, "
        "feature scores and figures into DIR. Resumable: the same command again runs only "
        "what is missing.",
    )
    p.add_argument("experiment", metavar="EXPERIMENT.yaml")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--points", type=int, default=None, metavar="N", help="worlds (overrides the file)")
    p.add_argument("--replications", type=int, default=None, metavar="R", help="seeds per world and regime")
    p.add_argument("--days", type=int, default=None, metavar="D",
                   help="horizon (overrides the file; the warm-up keeps its share of the horizon)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="local worker processes")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (see docs/robustness.md for SLURM)")
    p.add_argument("--restart", action="store_true", help="discard stored runs and start over")
    p.add_argument("--no-plots", action="store_true", help="tables and boxes only")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--flush-seconds", type=float, default=5.0, metavar="S",
                   help="seconds between writes of finished runs to DIR/store (default 5)")
    p.set_defaults(handler=robustness_command)


def reduced_note(args: argparse.Namespace, file_exp) -> str:
    """Provenance: the command that made the outputs, and whether the study was reduced."""
    changed = [f"--{k} {v}" for k, v in (("points", args.points), ("replications", args.replications),
                                          ("days", args.days)) if v is not None]
    made = f"Made with `tiaokuai robustness {args.experiment} --out {args.out}{''.join(' ' + c for c in changed)}`."
    if not changed:
        return made
    return made + " " + (f"**Reduced study** ({' '.join(changed)}; the file asks for {file_exp.worlds.points} worlds × "
            f"{file_exp.replications} replications × {file_exp.days or 'scenario'} days). "
            f"Full study: `tiaokuai robustness {args.experiment} --out {str(args.out).rstrip('/')}-full`.")


def robustness_command(args: argparse.Namespace) -> int:
    from sim.sweep.cli import check_out_dir
    from sim.sweep.executors import WorkerLost
    from sim.sweep.store import StoreBusy

    from .design import check_study
    from .directions import directions
    from .evaluate import run_study
    from .report import analyse
    from .spec import load_robustness

    problems = [Problem(f"--{k}", "", "must be at least " + str(m), v)
                for k, v, m in (("points", args.points, 2), ("replications", args.replications, 1),
                                ("days", args.days, 1), ("workers", args.workers, 1))
                if v is not None and v < m]
    if problems:
        raise InputError(problems)
    scheduler = scheduler_address(args.scheduler, args.workers)
    flush = finite_seconds(args.flush_seconds, "--flush-seconds")
    file_exp = load_robustness(args.experiment)
    exp = load_robustness(args.experiment, {"points": args.points, "replications": args.replications,
                                            "days": args.days})
    directions(exp.outcomes, args.experiment)  # refuse unrankable outcomes before running anything
    checked = check_study(exp, args.experiment)  # every world's scenario, before DIR is touched
    check_out_dir(args.out)
    out = Path(args.out)
    try:
        study = run_study(args.experiment, exp, out, args.workers, scheduler, args.restart, args.quiet, flush,
                          checked)
    except (StoreBusy, WorkerLost, ConnectionError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        print("finished runs are stored; run the same command again to resume", file=sys.stderr)
        return 1
    summary = analyse(study, out, plots=not args.no_plots, reduced_note=reduced_note(args, file_exp))
    if not args.quiet:
        print(summary, file=sys.stderr)
        print(f"{out}: ranking.csv, boxes.md, summary.md, feature_scores.csv, figures/ "
              f"({study.runs} runs, {study.seconds:.0f} s)", file=sys.stderr)
    return 0
