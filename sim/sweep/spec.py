"""The experiment file: what varies, what is fixed, what is measured, how many times.

An experiment names a base scenario, named sub-experiments (one per regime, each a
scenario file and/or dotted-path overrides), optionally factors (full factorial) or a
sampling design over ranges, the replications and master seed, and the outcomes to
report. Like a scenario it is data checked at the door: frozen pydantic models that
refuse unknown keys, and a bad file is refused with the field path and the bad value.

Relative scenario paths are read relative to the experiment file's own folder, so an
experiment works from any working directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.config import Frozen
from sim.errors import InputError, Problem
from sim.scenario_io import problems_from_validation, read_yaml_mapping

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
MAX_RUNS = 250_000  # a plan holds every run in memory: ~1 KB and ~50 us each
MAX_SCENARIOS = 50_000  # design points x arms: each is a validated scenario


class SubExperiment(Frozen):
    """One arm of the comparison, e.g. a regime: a scenario file and/or overrides."""

    description: str = ""
    scenario: str | None = Field(
        default=None,
        description="scenario file for this arm (relative to the experiment file); "
        "default: the experiment's base",
    )
    set: dict[str, Any] = Field(
        default_factory=dict, description="dotted scenario path -> value, as `--set` takes"
    )


class Range(Frozen):
    """A continuous (or integer) interval a sampling design draws a lever from."""

    low: float = Field(ge=-1e12, le=1e12)
    high: float = Field(ge=-1e12, le=1e12)
    integer: bool = Field(default=False, description="round sampled values to whole numbers")

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple)):
            if len(data) != 2:
                raise ValueError("a range is [low, high] or {low: .., high: .., integer: ..}")
            return {"low": data[0], "high": data[1]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be less than high ({self.high})")
        return self


class Design(Frozen):
    """A sampling design over ranges: Latin hypercube (scipy), Sobol or Morris (SALib)."""

    method: Literal["latin_hypercube", "sobol", "morris"]
    samples: int = Field(
        ge=1,
        le=100_000,
        description="latin_hypercube: points; sobol: base N (points = N(D+2), or N(2D+2) "
        "with second order; N a power of 2); morris: trajectories (points = N(D+1))",
    )
    ranges: dict[str, Range] = Field(min_length=1, description="dotted scenario path -> range")
    seed: int | None = Field(
        default=None, ge=0, description="seed of the design itself; default: the master seed"
    )
    second_order: bool = Field(default=False, description="sobol: also sample for second-order indices")
    levels: int = Field(default=4, ge=2, le=100, description="morris: grid levels")

    @model_validator(mode="after")
    def _sobol_power_of_two(self) -> Design:
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol samples must be a power of 2 (got {self.samples})")
        return self


def _level_key(value: Any) -> str:
    """A factor level as the scenario will hold it: 1 and 1.0 (and 0.0 and -0.0) are one level."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value) + 0.0)  # + 0.0 makes -0.0 read as 0.0
    return repr(value)


class Experiment(Frozen):
    """A sweep: sub-experiments x design points x replications, each run seeded."""

    name: str = Field(min_length=1, max_length=200, pattern=r"\S",
                      description="identifier, used in the result manifest")
    description: str = ""
    base: str = Field(min_length=1, description="base scenario file, relative to the experiment file")
    sub_experiments: dict[str, SubExperiment] = Field(
        default_factory=dict,
        description="named arms; when empty, one arm called 'base' runs the base scenario",
    )
    factors: dict[str, list[Any]] = Field(
        default_factory=dict, description="dotted scenario path -> levels (full factorial)"
    )
    design: Design | None = Field(default=None, description="a sampling design instead of factors")
    replications: int = Field(ge=1, le=100_000, description="seeded runs per design point and arm")
    master_seed: int = Field(ge=0, lt=2**63, description="all run seeds derive from this")
    outcomes: list[str] = Field(min_length=1, description="summary fields to report in compare")
    baseline: str | None = Field(default=None, description="arm that paired differences are taken against")
    days: int | None = Field(default=None, ge=1, le=5000, description="override every scenario's days")
    warmup_days: int | None = Field(default=None, ge=0, description="override every scenario's warm-up")
    timeseries: bool = Field(default=False, description="store per-day, per-level time series too")

    @field_validator("sub_experiments")
    @classmethod
    def _arm_names(cls, arms: dict[str, SubExperiment]) -> dict[str, SubExperiment]:
        bad = [n for n in arms if not NAME.match(n)]
        if bad:
            raise ValueError(f"names may use letters, digits and _ . + - only: {', '.join(bad)}")
        return arms

    @field_validator("factors")
    @classmethod
    def _levels(cls, factors: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for path, levels in factors.items():
            if not levels:
                raise ValueError(f"factor {path} has no levels")
            if len({_level_key(v) for v in levels}) != len(levels):
                raise ValueError(f"factor {path} repeats a level: {levels}")
        return factors

    @field_validator("outcomes")
    @classmethod
    def _unique_outcomes(cls, outcomes: list[str]) -> list[str]:
        if len(set(outcomes)) != len(outcomes):
            raise ValueError("outcomes are listed twice")
        return outcomes

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if self.factors and self.design is not None:
            raise ValueError("give factors (full factorial) or a design (sampling), not both")
        if self.baseline is not None and self.baseline not in self.arm_names:
            raise ValueError(
                f"baseline {self.baseline!r} is not a sub-experiment (have: {', '.join(self.arm_names)})"
            )
        if self.run_count > MAX_RUNS:
            raise ValueError(
                f"{self.run_count:,} runs ({len(self.arm_names)} arms x {self.point_count:,} points x "
                f"{self.replications:,} replications) is more than one sweep plans ({MAX_RUNS:,}); "
                "split it into several experiments")
        if self.point_count * len(self.arm_names) > MAX_SCENARIOS:
            raise ValueError(
                f"{self.point_count:,} design points x {len(self.arm_names)} arms is more scenarios "
                f"than one sweep plans ({MAX_SCENARIOS:,}); use fewer samples, levels or arms")
        return self

    @property
    def arm_names(self) -> list[str]:
        return list(self.sub_experiments) or ["base"]

    @property
    def arms(self) -> dict[str, SubExperiment]:
        return dict(self.sub_experiments) or {"base": SubExperiment()}

    @property
    def varied_paths(self) -> list[str]:
        """Dotted paths a factor or the design varies."""
        if self.design is not None:
            return list(self.design.ranges)
        return list(self.factors)

    @property
    def point_count(self) -> int:
        if self.design is not None:
            d, n = len(self.design.ranges), self.design.samples
            if self.design.method == "latin_hypercube":
                return n
            if self.design.method == "sobol":
                return n * (2 * d + 2 if self.design.second_order else d + 2)
            return n * (d + 1)
        count = 1
        for levels in self.factors.values():
            count *= len(levels)
        return count

    @property
    def run_count(self) -> int:
        return len(self.arm_names) * self.point_count * self.replications


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; refuse it with one Problem per bad field."""
    data = read_yaml_mapping(path)
    try:
        return Experiment.model_validate(data)
    except ValidationError as err:
        raise InputError(problems_from_validation(str(path), err)) from None


def resolve(experiment_path: str | Path, scenario_path: str) -> Path:
    """A scenario path as written in the experiment, made concrete (relative to its folder)."""
    p = Path(scenario_path)
    return p if p.is_absolute() else Path(experiment_path).parent / p


def check_files(experiment: Experiment, experiment_path: str | Path) -> None:
    """Every scenario file the experiment names must exist."""
    problems = []
    wanted = [("base", experiment.base)] + [
        (f"sub_experiments.{n}.scenario", a.scenario)
        for n, a in experiment.sub_experiments.items()
        if a.scenario is not None
    ]
    for where, name in wanted:
        path = resolve(experiment_path, name)
        if path.is_dir():
            problems.append(Problem(str(experiment_path), where, "is a folder, not a scenario file", name))
        elif not path.is_file():
            problems.append(
                Problem(str(experiment_path), where, "scenario file not found (paths are relative "
                        "to the experiment file)", name)
            )
    if problems:
        raise InputError(problems)
