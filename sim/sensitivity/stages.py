"""Run a Morris or a Sobol design of an experiment through the sweep engine.

A sensitivity experiment is an ordinary sweep experiment (`sim.sweep.spec`) with a
sampling `design`: its ranges say what varies, its base and arms what is fixed, its
outcomes what is measured. Each stage (Morris screening, Sobol indices) is that experiment
with the design's method and sample size set, planned from the validated plan of the file
(no file is read again) and swept into OUT/<method>/runs/; the stage's plan carries the
design matrix SALib analyses, so it is never recomputed. The sweep
engine makes every stage resumable, parallel (local processes or Dask) and seeded: run the
same command again and only the missing points run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.errors import InputError, Problem
from sim.scenario_io import problems_from_validation
from sim.sweep.designs import salib_problem
from sim.sweep.plan import Plan, plan_experiment
from sim.sweep.spec import Experiment

Method = Literal["morris", "sobol"]


@dataclass(frozen=True)
class StageResult:
    """The stored runs of one stage and what SALib needs to analyse them."""

    method: Method
    experiment: Experiment
    problem: dict
    x: np.ndarray  # the sampler's matrix, one row per design point, before integer rounding
    runs: pd.DataFrame  # one row per run: sub_experiment, point, replication, outcomes


def stage_experiment(
    plan: Plan,
    method: Method,
    samples: int,
    days: int | None = None,
    warmup_days: int | None = None,
    replications: int | None = None,
    keep: list[str] | None = None,
) -> Experiment:
    """The stage's experiment (see `stage_plan`), validated: an InputError names the
    command-line option behind a problem where there is one."""
    exp = plan.experiment
    if exp.design is None:
        raise InputError([Problem(plan.source, "design", "a sensitivity experiment needs a `design` with ranges",
                                  None)])
    data = exp.model_dump(mode="json")
    data["design"].update(method=method, samples=samples)
    if keep is not None:
        unknown = sorted(set(keep) - set(exp.design.ranges))
        if unknown:
            raise InputError([Problem(plan.source, "design.ranges", "not among the design's ranges",
                                      ", ".join(unknown))])
        data["design"]["ranges"] = {p: r for p, r in data["design"]["ranges"].items() if p in keep}
    if method == "sobol":
        data["design"]["second_order"] = False
    for key, value in (("days", days), ("warmup_days", warmup_days), ("replications", replications)):
        if value is not None:
            data[key] = value
    data["name"] = f"{exp.name}-{method}"
    data["timeseries"] = False
    try:
        staged = Experiment.model_validate(data)
    except ValidationError as err:
        raise InputError(_as_options(problems_from_validation(f"{plan.source} ({method} stage)", err))) from None
    problem = _horizon_problem(plan, staged, days, warmup_days)
    if problem is not None:
        raise InputError([problem])
    return staged


def _horizon_problem(plan: Plan, staged: Experiment, days: int | None, warmup_days: int | None) -> Problem | None:
    """A warm-up at or past the horizon that `--days` / `--warmup-days` brought about, said of
    the option as typed (each arm's scenario would otherwise refuse it as the file's `days`)."""
    if days is None and warmup_days is None:
        return None
    for name, arm in staged.arms.items():
        scenario = plan.scenarios_read.get(name)
        if scenario is None:
            continue
        horizon = arm.set.get("days", staged.days if staged.days is not None else scenario.days)
        warmup = arm.set.get("warmup_days", staged.warmup_days if staged.warmup_days is not None
                             else scenario.warmup_days)
        if not isinstance(horizon, int) or not isinstance(warmup, int) or warmup < horizon:
            continue
        by_days = days is not None and "days" not in arm.set
        by_warmup = warmup_days is not None and "warmup_days" not in arm.set
        if by_days and by_warmup:
            return Problem("--warmup-days", "", f"must be less than --days ({days})", warmup_days)
        if by_days:
            return Problem("--days", "", f"must be more than the warm-up of sub-experiment {name} "
                           f"({warmup} days, from {plan.source}); give --warmup-days too", days)
        if by_warmup:
            return Problem("--warmup-days", "", f"must be less than the horizon of sub-experiment {name} "
                           f"({horizon} days, from {plan.source}); give --days too", warmup_days)
    return None


def stage_plan(
    plan: Plan,
    method: Method,
    samples: int,
    days: int | None = None,
    warmup_days: int | None = None,
    replications: int | None = None,
    keep: list[str] | None = None,
) -> Plan:
    """The plan's design set to `method` with `samples` (Morris trajectories or Sobol base
    N), with an optional horizon and replications; with `keep`, only those ranges vary (the
    others stay at the arm's scenario values). Works on the validated plan: no file is read,
    and the new plan carries its own design matrix for SALib."""
    staged = stage_experiment(plan, method, samples, days, warmup_days, replications, keep)
    return plan_experiment(staged, plan.scenarios_read, f"{plan.source} ({method} stage)", timeseries=False)


OPTION_OF = {"days": "--days", "warmup_days": "--warmup-days", "replications": "--replications",
             "design.samples": "--morris-trajectories / --sobol-samples"}


def _as_options(problems: list[Problem]) -> list[Problem]:
    """Name the command-line option behind a problem where there is one."""
    return [Problem(OPTION_OF[p.path], "", p.rule, p.value) if p.path in OPTION_OF else p for p in problems]


def run_stage(
    plan: Plan,
    out: Path,
    executor_factory,
    restart: bool = False,
    quiet: bool = False,
) -> StageResult:
    """Sweep the stage's design points into OUT/<method>/runs (skipping stored ones) and
    read the runs back. `executor_factory` makes the executor (see `sim.sweep.sweep`)."""
    from sim.sweep.driver import sweep
    from sim.sweep.store import ResultStore

    experiment = plan.experiment
    design = experiment.design
    if design is None or design.method == "latin_hypercube" or plan.design_matrix is None:
        raise ValueError("a sensitivity stage is a Morris or Sobol plan (stage_plan makes one)")
    method: Method = design.method
    store = ResultStore(out / method / "runs")
    sweep(plan, store, executor_factory, restart=restart, quiet=quiet)
    return StageResult(method, experiment, salib_problem(design), plan.design_matrix,
                       store.read_runs())
