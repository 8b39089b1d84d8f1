"""Run a Morris or a Sobol design of an experiment through the sweep engine.

A sensitivity experiment is an ordinary sweep experiment (`sim.sweep.spec`) with a
sampling `design`: its ranges say what varies, its base and arms what is fixed, its
outcomes what is measured. Each stage (Morris screening, Sobol indices) is that experiment
with the design's method and sample size set, written as its own experiment file under
OUT/<method>/ (scenario paths made absolute) and swept into OUT/<method>/runs/. The sweep
engine makes every stage resumable, parallel (local processes or Dask) and seeded: run the
same command again and only the missing points run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from sim.sweep.designs import salib_problem, sample_matrix
from sim.sweep.spec import Experiment, load_experiment, resolve

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
    source: str | Path,
    method: Method,
    samples: int,
    days: int | None = None,
    warmup_days: int | None = None,
    replications: int | None = None,
    keep: list[str] | None = None,
) -> Experiment:
    """The experiment file's design set to `method` with `samples` (Morris trajectories or
    Sobol base N), scenario paths made absolute, optional horizon and replications; with
    `keep`, only those ranges vary (the others stay at the arm's scenario values)."""
    exp = load_experiment(source)
    if exp.design is None:
        raise ValueError(f"{source}: a sensitivity experiment needs a `design` with ranges")
    data = exp.model_dump(mode="json")
    data["design"].update(method=method, samples=samples)
    if keep is not None:
        unknown = sorted(set(keep) - set(exp.design.ranges))
        if unknown:
            raise ValueError(f"not among the design's ranges: {', '.join(unknown)}")
        data["design"]["ranges"] = {p: r for p, r in data["design"]["ranges"].items() if p in keep}
    if method == "sobol":
        data["design"]["second_order"] = False
    data["base"] = str(resolve(source, exp.base).resolve())
    for arm in data["sub_experiments"].values():
        if arm.get("scenario"):
            arm["scenario"] = str(resolve(source, arm["scenario"]).resolve())
    for key, value in (("days", days), ("warmup_days", warmup_days), ("replications", replications)):
        if value is not None:
            data[key] = value
    data["name"] = f"{exp.name}-{method}"
    data["timeseries"] = False
    return Experiment.model_validate(data)


def write_experiment(experiment: Experiment, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def run_stage(
    experiment: Experiment,
    out: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    restart: bool = False,
    quiet: bool = False,
) -> StageResult:
    """Sweep the stage's design points (skipping stored ones) and read the runs back."""
    from sim.sweep import sweep
    from sim.sweep.executors import make_executor
    from sim.sweep.store import ResultStore

    method = experiment.design.method
    stage_dir = out / method
    spec = write_experiment(experiment, stage_dir / "experiment.yaml")
    sweep(spec, stage_dir / "runs", partial(make_executor, workers, scheduler), restart=restart, quiet=quiet)
    runs = ResultStore(stage_dir / "runs").read_runs()
    return StageResult(method, experiment, salib_problem(experiment.design),
                       sample_matrix(experiment.design, experiment.master_seed), runs)
