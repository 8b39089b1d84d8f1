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

import yaml

from .cli_options import whole_number
from .config import Scenario
from .errors import InputError, Problem
from .resources import check_memory
from .scenario_io import load_scenario, parse_set, read_yaml_mapping

NON_NEGATIVE = "must be a non-negative integer"
DAYS_MAX = next(m.le for m in Scenario.model_fields["days"].metadata if getattr(m, "le", None) is not None)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario and experiment files; exit 2 listing every problem")
    p.add_argument("files", nargs="+", metavar="FILE.yaml", help="scenario or experiment files")
    p.set_defaults(handler=validate_command)

    p = sub.add_parser(
        "show",
        help="print a scenario as the model sees it (after extends: and --set), as YAML",
        description="Print the resolved scenario: its `extends:` chain merged (paths relative to "
        "each file, mappings merged deeply), the --set overrides applied, every default filled in.",
    )
    p.add_argument("scenario", metavar="SCENARIO.yaml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a field by dotted path (repeatable)")
    p.set_defaults(handler=show_command)

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
            print(f"ok: {path} ({describe_file(path)})")
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return 0


def looks_like_experiment(data: dict) -> bool:
    """An experiment names a base scenario and replications; a scenario has task kinds."""
    return "task_kinds" not in data and "extends" not in data and ("base" in data or "replications" in data)


def describe_file(path: str) -> str:
    """Validate a scenario or an experiment file (with every scenario it runs); one line about it."""
    data = read_yaml_mapping(path)
    if "patterns" in data and "parameters" in data:
        from sim.calibration.spec import check_file

        spec = check_file(path)  # what `calibrate` checks at its door, for every budget
        return f"calibration file: {len(spec.parameters)} parameters"
    if "patterns" in data and "base" not in data and "task_kinds" not in data:
        from sim.calibration.patterns import load_patterns

        patterns = load_patterns(path)  # scenario names are checked with the calibration file that uses it
        held = sum(p.held_out for p in patterns)
        return f"pattern file: {len(patterns)} patterns, {held} held out"
    if "policies" in data and "worlds" in data:
        from sim.robustness.design import check_study
        from sim.robustness.directions import directions
        from sim.robustness.spec import load_robustness

        robust = load_robustness(path)
        directions(robust.outcomes, path)  # as `robustness` does: an outcome it cannot rank is refused
        check_study(robust, path)  # and its policies, uncertainties and every world's scenario
        return f"robustness experiment {robust.name}: {len(robust.policies)} policies"
    if looks_like_experiment(data):
        from sim.sweep.driver import check_outcomes, check_plan_memory
        from sim.sweep.plan import build_plan

        plan = build_plan(path)
        check_plan_memory(plan)
        check_outcomes(plan)  # a two-day probe, as `sweep` makes before it runs anything
        exp = plan.experiment
        return (f"experiment {exp.name}: {len(plan.runs):,} runs, {len(exp.arm_names)} sub-experiments x "
                f"{exp.point_count:,} design points x {exp.replications:,} replications")
    scenario = load_scenario(path)
    check_memory(scenario, path)
    return f"{scenario.name}: {len(scenario.task_kinds)} task kinds, {scenario.days} days"


def scenario_only(path: str, command: str) -> None:
    """Refuse an experiment file where a scenario is wanted, saying so (not with eight
    misleading errors about missing task kinds)."""
    data = read_yaml_mapping(path)
    if looks_like_experiment(data):
        base = data.get("base")
        hint = f" (its base scenario is {base})" if isinstance(base, str) else ""
        if "patterns" in data and "parameters" in data:
            kind, runner = "a calibration file", "calibrations run with `tiaokuai calibrate`"
        elif "policies" in data and "worlds" in data:
            kind, runner = "a robustness study", "studies run with `tiaokuai robustness`"
        else:
            kind, runner = "an experiment file", "experiments run with `tiaokuai sweep`"
        raise InputError([Problem(path, "", f"is {kind}; `tiaokuai {command}` takes a "
                                  f"scenario{hint}; {runner}", None)])


def show_command(args: argparse.Namespace) -> int:
    scenario_only(args.scenario, "show")
    scenario = load_scenario(args.scenario, parse_set(args.overrides))
    print(f"# {args.scenario} resolved (extends: merged, --set applied, defaults filled in)")
    print(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True), end="")
    return 0


def horizon_overrides(path: str, days: int, overrides: dict) -> tuple[dict, str | None]:
    """`--days N` as overrides: the schema's bounds apply, and unless warmup_days is set too,
    the warm-up keeps its share of the horizon. Returns the overrides and a note to print."""
    out = {**overrides, "days": days}
    if "warmup_days" in overrides:
        return out, None
    base = load_scenario(path, {k: v for k, v in overrides.items() if k != "days"})
    if days == base.days:
        return out, None
    warmup = min(days - 1, round(base.warmup_days * days / base.days))
    out["warmup_days"] = warmup
    note = None
    if warmup != base.warmup_days:
        note = (f"note: --days {days}: warm-up scaled to {warmup} days, the scenario's share "
                f"({base.warmup_days} of {base.days}); choose it with --set warmup_days=N")
    return out, note


def check_writable_dir(out: str, option: str) -> None:
    """Refuse, before anything runs, a folder that cannot be created or written: an existing
    file, a path under a file, a read-only or pseudo filesystem (/proc, /sys, /dev)."""
    path = Path(out)
    if not str(out).strip() or "\0" in str(out):
        raise InputError([Problem(option, "", "not a usable folder name", out)])
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        raise InputError([Problem(option, "", "not a usable folder name", out)]) from None
    pseudo = _pseudo_filesystem(resolved)
    if pseudo:
        raise InputError([Problem(option, "", f"is on a {pseudo} pseudo filesystem; choose a folder on disk", out)])
    existing = resolved
    while not existing.exists():
        existing = existing.parent
    if existing == resolved and not existing.is_dir():
        raise InputError([Problem(option, "", "exists and is not a folder", out)])
    if not existing.is_dir():
        raise InputError([Problem(option, "", f"{existing} is a file, so no folder can be made under it", out)])
    try:  # the one sure test of writability; leaves nothing behind
        probe = tempfile.mkdtemp(prefix=".tiaokuai-probe-", dir=existing)
        os.rmdir(probe)
    except OSError as exc:
        raise InputError([Problem(option, "", f"cannot write in {existing}: {exc.strerror}", out)]) from None


PSEUDO_FILESYSTEMS = {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
                      "securityfs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs",
                      "binfmt_misc", "autofs", "efivarfs", "selinuxfs"}


def _pseudo_filesystem(path: Path) -> str | None:
    """The type of the pseudo filesystem `path` lies on, if it does (from /proc/self/mounts)."""
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    best, kind = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = fields[1].replace("\\040", " ")
        inside = str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, kind = mount, fields[2]
    return kind if kind in PSEUDO_FILESYSTEMS else None


def run_command(args: argparse.Namespace) -> int:
    seed = whole_number(args.seed, "--seed", least=0, rule=NON_NEGATIVE)
    if seed is not None and seed >= 2**63:
        raise InputError([Problem("--seed", "", "must be less than 2**63", args.seed)])
    days = whole_number(args.days, "--days", least=0, rule=NON_NEGATIVE)
    if days is not None and days < 1:
        raise InputError([Problem("--days", "", "must be at least 1", args.days)])
    scenario_only(args.scenario, "run")
    overrides = parse_set(args.overrides)
    note = None
    if days is not None:
        if not 1 <= days <= DAYS_MAX:
            raise InputError([Problem("--days", "", f"must be between 1 and {DAYS_MAX}", args.days)])
        overrides, note = horizon_overrides(args.scenario, days, overrides)
    scenario = load_scenario(args.scenario, overrides)
    check_memory(scenario, args.scenario)
    out = Path(args.out) if args.out else None
    if out is not None:
        check_writable_dir(args.out, "--out")
    if note:
        print(note, file=sys.stderr)
    started = time.perf_counter()
    from .model import run  # Mesa is imported by the commands that step the model, not by every command

    result = run(scenario, seed or 0, timeseries=out is not None)
    elapsed = time.perf_counter() - started
    summary = result.summary
    if out is not None:
        try:
            _write_atomically(out, summary, result.timeseries)
        except OSError as exc:
            raise InputError([Problem("--out", "", f"writing failed ({exc.strerror}); nothing was "
                                      "written there", str(out))]) from None
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
    """Write into a temporary sibling directory, then move the files in place; a folder
    this call created is removed again if writing fails (a full disk leaves nothing)."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-run-", dir=out))
        (tmp / "summary.json").write_text(json.dumps(_jsonable(summary), indent=2) + "\n")
        timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        for name in ("summary.json", "timeseries.parquet"):
            os.replace(tmp / name, out / name)
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        if tmp is not None:
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
