"""`tiaokuai validate` and `tiaokuai run`: check scenario files; run one seeded scenario."""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .errors import InputError, Problem
from .model import run
from .scenario_io import load_scenario, parse_set


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files; exit 2 listing every problem")
    p.add_argument("files", nargs="+", metavar="SCENARIO.yaml")
    p.set_defaults(handler=validate_command)

    p = sub.add_parser("run", help="run one scenario with one seed")
    p.add_argument("scenario", metavar="SCENARIO.yaml")
    p.add_argument("--seed", type=str, default="0", help="non-negative integer (default 0)")
    p.add_argument("--days", type=str, default=None, help="working days (default: the scenario's)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field by dotted path, e.g. levers.street_gate.compliance=0.6 (repeatable)",
    )
    p.add_argument("--out", metavar="DIR", help="write DIR/summary.json and DIR/timeseries.parquet")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.set_defaults(handler=run_command)


def validate_command(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except InputError as err:
            problems.extend(err.problems)
            continue
        print(f"ok: {path} ({scenario.name}: {len(scenario.task_kinds)} task kinds, {scenario.days} days)")
    if problems:
        raise InputError(problems)
    return 0


def _non_negative_int(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError([Problem(option, "", "must be a non-negative integer", text)]) from None
    if value < 0:
        raise InputError([Problem(option, "", "must be a non-negative integer", text)])
    return value


def run_command(args: argparse.Namespace) -> int:
    seed = _non_negative_int(args.seed, "--seed")
    days = _non_negative_int(args.days, "--days")
    if days is not None and days < 1:
        raise InputError([Problem("--days", "", "must be at least 1", args.days)])
    overrides = parse_set(args.overrides)
    scenario = load_scenario(args.scenario, overrides)
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise InputError([Problem("--out", "", "exists and is not a directory", str(out))])
    started = time.perf_counter()
    result = run(scenario, seed, days=days, timeseries=out is not None)
    elapsed = time.perf_counter() - started
    summary = result.summary
    if out is not None:
        _write_atomically(out, summary, result.timeseries)
    if args.json:
        print(json.dumps(_jsonable(summary), indent=2))
    else:
        _print_summary(summary, elapsed, out)
    if not summary.get("stable", True):
        print(
            "warning: the run did not reach a steady state (open tasks still growing at the end); "
            "steady-state figures such as means and Little's law do not apply to it",
            file=sys.stderr,
        )
    return 0


def _jsonable(summary: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in summary.items()}


def _write_atomically(out: Path, summary: dict, timeseries) -> None:
    """Write into a temporary sibling directory, then move the files in place."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-run-", dir=out))
    try:
        (tmp / "summary.json").write_text(json.dumps(_jsonable(summary), indent=2) + "\n")
        timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        for name in ("summary.json", "timeseries.parquet"):
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


HEADLINE = (
    ("tasks_created", "tasks created"),
    ("tasks_done_on_time_share", "done on time"),
    ("department_backlog_hours_mean", "department backlog (h per office)"),
    ("street_backlog_hours_mean", "street backlog (h per office)"),
    ("committee_backlog_hours_mean", "committee backlog (h per office)"),
    ("committee_self_governance_share", "committee self-governance share"),
    ("unfunded_work_share", "unfunded work share"),
    ("department_load_mean", "department load (backlog days)"),
    ("department_returned_hours", "hours returned to departments"),
    ("resident_unmet_share", "resident unmet share"),
    ("staff_lost_total", "staff lost"),
)


def _print_summary(summary: dict, elapsed: float, out: Path | None) -> None:
    print(f"{summary['scenario']}  seed {summary['seed']}  {summary['days']} days  ({elapsed:.2f} s)")
    for key, label in HEADLINE:
        value = summary[key]
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"  {label:38s} {shown:>14s}")
    if out is not None:
        print(f"wrote {out / 'summary.json'} and {out / 'timeseries.parquet'}")
