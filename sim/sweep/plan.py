"""From an experiment file to the list of runs it asks for, every one validated up front.

Each run is (sub-experiment, design point, replication): its scenario is the arm's
scenario with the point's overrides applied, its seed the replication's. Every override
is checked against the scenario schema here, before anything runs or is written, so a
bad dotted path is an `InputError` naming the experiment file and the path.

The plan's fingerprint hashes the normalised experiment and every scenario it runs
(descriptions aside): the result store uses it to refuse mixing two experiments' rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import Scenario
from sim.errors import InputError, Problem
from sim.scenario_io import coerce_for_field, load_scenario, with_overrides

from .designs import factorial_points, points_from_matrix, sample_matrix
from .seeds import replication_seeds
from .spec import Experiment, check_files, load_experiment, resolve

MAX_PROBLEMS = 20
SKIP_INPUTS = {"name", "description"}


@dataclass(frozen=True)
class PlannedRun:
    """One seeded run of one scenario: what an executor needs, and how to label the row."""

    run_id: str
    sub_experiment: str
    point: int
    replication: int
    seed: int
    scenario: Scenario


@dataclass(frozen=True, eq=False)
class Plan:
    """A validated experiment expanded into its runs: all a sweep needs, no file behind it."""

    experiment: Experiment
    source: str  # where the experiment came from, for messages and the manifest
    runs: tuple[PlannedRun, ...]
    inputs: dict[tuple[str, int], dict[str, Any]]  # (arm, point) -> varied input values
    fingerprint: str
    spec_fingerprint: str  # the same without the time-series flag
    timeseries: bool
    scenarios_read: dict[str, Scenario]  # each arm's scenario as read, before the experiment's overrides
    design_matrix: np.ndarray | None = None  # a sampling design's raw sample, one row per point

    @property
    def input_columns(self) -> list[str]:
        first = next(iter(self.inputs.values()), {})
        return list(first)

    def row_labels(self, run: PlannedRun) -> dict[str, Any]:
        """The columns a result row carries besides the outcomes."""
        return {
            "run_id": run.run_id,
            "sub_experiment": run.sub_experiment,
            "point": run.point,
            "replication": run.replication,
            "seed": run.seed,
            **self.inputs[(run.sub_experiment, run.point)],
        }


def build_plan(path: str | Path, timeseries: bool | None = None) -> Plan:
    """Read, validate and expand an experiment file. Raises InputError; writes nothing.

    The one place a sweep reads files: the experiment and the scenarios its arms name.
    Everything after works on the validated objects (`plan_experiment`, `sweep`)."""
    experiment = load_experiment(path)
    return plan_experiment(experiment, read_scenarios(experiment, path), str(path), timeseries)


def read_scenarios(experiment: Experiment, source: str | Path) -> dict[str, Scenario]:
    """Each arm's scenario file, read and validated (paths relative to the experiment file)."""
    check_files(experiment, source)
    out, problems = {}, []
    for name, arm in experiment.arms.items():
        try:
            out[name] = load_scenario(resolve(source, arm.scenario or experiment.base))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(_unique(problems)[:MAX_PROBLEMS])
    return out


def plan_experiment(
    experiment: Experiment,
    scenarios: dict[str, Scenario],
    source: str = "<experiment>",
    timeseries: bool | None = None,
) -> Plan:
    """Expand a validated experiment over its arms' scenarios (as `read_scenarios` gives
    them) into every seeded run, checking each override. Pure: reads and writes nothing."""
    arms = arm_scenarios(experiment, source, scenarios)
    matrix = None
    if experiment.design is not None:
        matrix = sample_matrix(experiment.design, experiment.master_seed)
        points = points_from_matrix(experiment.design, matrix)
    else:
        points = factorial_points(experiment.factors)
    scenarios_by_point = point_scenarios(experiment, source, arms, points)
    seeds = replication_seeds(experiment.master_seed, experiment.replications)
    pw = max(3, len(str(len(points) - 1)))
    rw = max(3, len(str(experiment.replications - 1)))
    runs = tuple(
        PlannedRun(f"{arm}/p{p:0{pw}d}/r{r:0{rw}d}", arm, p, r, seed, scenarios_by_point[(arm, p)])
        for arm in arms
        for p in range(len(points))
        for r, seed in enumerate(seeds)
    )
    keep_ts = experiment.timeseries if timeseries is None else timeseries
    return Plan(
        experiment=experiment,
        source=source,
        runs=runs,
        inputs=varied_inputs(arms, points),
        fingerprint=fingerprint(experiment, arms, keep_ts),
        spec_fingerprint=fingerprint(experiment, arms, None),
        timeseries=keep_ts,
        scenarios_read=dict(scenarios),
        design_matrix=matrix,
    )


def arm_scenarios(
    experiment: Experiment, source: str, scenarios: dict[str, Scenario] | None = None
) -> dict[str, Scenario]:
    """Each sub-experiment's scenario: its file's, the experiment's days, its own overrides.
    `scenarios` are the arms' scenarios as read (`read_scenarios`); without them, they are
    read from the files the experiment names."""
    if scenarios is None:
        scenarios = read_scenarios(experiment, source)
    common: dict[str, Any] = {}
    if experiment.days is not None:
        common["days"] = experiment.days
    if experiment.warmup_days is not None:
        common["warmup_days"] = experiment.warmup_days
    out, problems = {}, []
    for name, arm in experiment.arms.items():
        if name not in scenarios:
            raise ValueError(f"no scenario given for sub-experiment {name!r}")
        scenario = scenarios[name]
        own_horizon = "days" in arm.set or "warmup_days" in arm.set
        if experiment.days is not None and experiment.warmup_days is None and not own_horizon \
                and scenario.warmup_days >= experiment.days:  # said of the field the user set
            problems.append(Problem(source, "days", f"must be above the warm-up of sub-experiment {name}'s "
                                    f"scenario (its warmup_days: {scenario.warmup_days}); give warmup_days too",
                                    experiment.days))
            continue
        try:
            overrides = {**common, **arm.set}
            if overrides:
                scenario = with_overrides(scenario, overrides, source=f"{source}: sub_experiments.{name}")
            out[name] = scenario
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return out


def point_scenarios(
    experiment: Experiment, source: str, arms: dict[str, Scenario], points: list[dict[str, Any]]
) -> dict[tuple[str, int], Scenario]:
    """Every (arm, point) scenario; factor levels are checked one by one first for clear errors."""
    problems: list[Problem] = []
    for path, levels in experiment.factors.items():
        for scenario in arms.values():
            for level in levels:
                try:
                    with_overrides(scenario, {path: level}, source=f"{source}: factors")
                except InputError as err:
                    problems.extend(err.problems)
    if experiment.design is not None:
        for path, rng in experiment.design.ranges.items():
            for scenario in arms.values():
                for end in (rng.low, rng.high):
                    value = coerce_for_field(path, int(round(end)) if rng.integer else end)
                    try:
                        with_overrides(scenario, {path: value}, source=f"{source}: design.ranges")
                    except InputError as err:
                        problems.extend(err.problems)
    if problems:
        raise InputError(_unique(problems)[:MAX_PROBLEMS])
    out = {}
    for name, scenario in arms.items():
        for p, point in enumerate(points):
            if not point:
                out[(name, p)] = scenario
                continue
            try:
                out[(name, p)] = with_overrides(
                    scenario, point, source=f"{source}: sub_experiments.{name} at design point {p}"
                )
            except InputError as err:
                problems.extend(err.problems)
                if len(problems) >= MAX_PROBLEMS:
                    break
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return out


def varied_inputs(
    arms: dict[str, Scenario], points: list[dict[str, Any]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Per (arm, point), the value of every input that differs anywhere in the experiment."""
    flat = {name: flatten(s.model_dump(mode="json")) for name, s in arms.items()}
    keys = sorted({k for f in flat.values() for k in f} - SKIP_INPUTS)
    differing = [k for k in keys if len({_cell(f.get(k)) for f in flat.values()}) > 1]
    designed = list(points[0]) if points else []
    columns = differing + [p for p in designed if p not in differing]
    out = {}
    for name in arms:
        for p, point in enumerate(points):
            row = {}
            for col in columns:
                row[col] = _cell(point[col] if col in point else _lookup(flat[name], col))
            out[(name, p)] = row
    return out


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested mapping as dotted path -> scalar (lists of mappings by index)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, list) and any(isinstance(v, dict) for v in data):
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}.{i}"))
    else:
        out[prefix] = data
    return out


def _lookup(flat: dict[str, Any], path: str) -> Any:
    if path in flat:
        return flat[path]
    sub = {k[len(path) + 1 :]: v for k, v in flat.items() if k.startswith(path + ".")}
    return sub or None


def _cell(value: Any) -> Any:
    """A value fit for one Parquet cell: scalars as they are, anything else as JSON text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def fingerprint(experiment: Experiment, arms: dict[str, Scenario], timeseries: bool | None) -> str:
    """Hash of what decides the rows: the experiment, the scenarios run, the time-series flag."""
    spec = experiment.model_dump(mode="json", exclude={"description"})
    for arm in spec["sub_experiments"].values():
        arm.pop("description", None)
    scenarios = {
        name: s.model_dump(mode="json", exclude={"description"}) for name, s in arms.items()
    }
    blob = json.dumps(
        {"experiment": spec, "scenarios": scenarios, "timeseries": timeseries},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def model_code_hash(package_dir: Path | None = None) -> str:
    """Hash of the model's own source: the top-level `sim` modules and the rules in
    `sim/rules/` (not the command line or the tools around the model)."""
    root = package_dir or Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    files = sorted([*root.glob("*.py"), *root.glob("rules/*.py")], key=lambda f: f.relative_to(root).as_posix())
    for file in files:
        if file.name.startswith("cli") or file.name == "__main__.py":
            continue
        h.update(file.relative_to(root).as_posix().encode())
        h.update(file.read_bytes())
    return h.hexdigest()
