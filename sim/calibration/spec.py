"""The calibration experiment file: which scenarios, which assumption parameters, which priors.

It names the pattern file, the scenarios the patterns are measured on (name -> file), the
base scenario whose "assumption" values are calibrated, each calibrated parameter (a dotted
scenario path) with its prior and the reason for it, the horizon, and budgets (population,
generations, draws for the checks) by name so `--budget small` is a trial in minutes.

How a calibrated value reaches a scenario: a scenario that *inherits* the base's value at
that path takes the particle's value; a scenario that sets its own value (a case that
encodes its source, e.g. Guiyang 2012's doubled assessment) keeps it (`applies: inherited`,
the default). `applies: all` overrides every scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config import Scenario
from sim.errors import InputError, Problem
from sim.scenario_io import (
    load_scenario,
    problems_from_validation,
    read_yaml_mapping,
    with_overrides,
)
from sim.sweep.plan import flatten


class Frozen(BaseModel):
    """Refuses unknown keys and NaN or infinite numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class Prior(Frozen):
    """A uniform or log-uniform prior on [low, high]."""

    distribution: Literal["uniform", "loguniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("a log-uniform prior needs low > 0")
        return self


class Parameter(Frozen):
    prior: Prior
    why: str = Field(min_length=1, description="why this prior: source, range, reasoning")
    integer: bool = False
    applies: Literal["inherited", "all"] = "inherited"


class Budget(Frozen):
    population: int = Field(ge=4, description="particles per ABC-SMC generation")
    generations: int = Field(ge=1)
    max_simulations: int | None = Field(default=None, ge=1, description="particles simulated at most (all generations)")
    days: int | None = Field(default=None, ge=2)
    warmup_days: int | None = Field(default=None, ge=0)
    predictive_draws: int = Field(default=10, ge=1, description="posterior draws for the predictive check")
    predictive_replications: int = Field(default=1, ge=1)
    propagation_draws: int = Field(default=4, ge=1, description="posterior draws for the headline re-run")
    propagation_replications: int = Field(default=2, ge=1)


class Propagation(Frozen):
    experiment: str = Field(description="the headline experiment file (relative to this file)")
    outcomes: list[str] = Field(default_factory=list, description="default: the experiment's outcomes")


class CalibrationSpec(Frozen):
    name: str
    description: str = ""
    patterns: str
    base: str
    scenarios: dict[str, str] = Field(min_length=1)
    parameters: dict[str, Parameter] = Field(min_length=1)
    days: int = Field(ge=2)
    warmup_days: int = Field(ge=0)
    replications: int = Field(default=1, ge=1, description="runs per scenario per particle")
    master_seed: int = Field(ge=0)
    budgets: dict[str, Budget] = Field(min_length=1)
    propagation: Propagation | None = None

    @model_validator(mode="after")
    def _horizon(self):
        if self.warmup_days >= self.days:
            raise ValueError(f"warmup_days ({self.warmup_days}) must be below days ({self.days})")
        return self


def load_spec(path: str | Path) -> CalibrationSpec:
    source = str(path)
    data = read_yaml_mapping(path)
    try:
        return CalibrationSpec.model_validate(data)
    except ValidationError as err:
        raise InputError(problems_from_validation(source, err)) from None


def resolve(spec_path: str | Path, relative: str) -> Path:
    return (Path(spec_path).parent / relative).resolve()


def horizon(spec: CalibrationSpec, budget: Budget) -> tuple[int, int]:
    days = budget.days or spec.days
    warmup = budget.warmup_days if budget.warmup_days is not None else spec.warmup_days
    return days, min(warmup, days - 1)


def check_horizon(spec: CalibrationSpec, spec_path: str | Path, name: str) -> tuple[int, int]:
    """The budget's horizon, refused when its warm-up (its own or the file's) is not below
    its days (which `horizon` would otherwise cut silently to days - 1)."""
    budget = spec.budgets[name]
    days = budget.days or spec.days
    warmup = budget.warmup_days if budget.warmup_days is not None else spec.warmup_days
    if warmup >= days:
        if budget.warmup_days is not None:
            problem = Problem(str(spec_path), f"budgets.{name}.warmup_days", f"must be below the days ({days})", warmup)
        else:
            problem = Problem(str(spec_path), f"budgets.{name}.days",
                              f"must be above the warm-up ({warmup} days, the file's warmup_days)", days)
        raise InputError([problem])
    return horizon(spec, budget)


def check_inputs(spec_path: str | Path, budget_name: str | None = None):
    """Everything `calibrate` checks before anything runs or is written, for one budget
    (default: the first): the file, the budget and its horizon, the pattern file (scenario
    and outcome names, shape levels and columns), the scenarios and the parameters' priors
    against them, and the propagation experiment with its outcomes. Raises InputError.
    Returns (spec, budget name, patterns, base, scenarios, days, warm-up)."""
    from .patterns import load_patterns

    spec = load_spec(spec_path)
    name = budget_name or next(iter(spec.budgets))
    if name not in spec.budgets:
        rule = f"not a budget of {spec_path} ({', '.join(spec.budgets)})"
        raise InputError([Problem("--budget", "", rule, name)])
    patterns = load_patterns(resolve(spec_path, spec.patterns), scenarios=list(spec.scenarios))
    if all(p.held_out for p in patterns):
        where = str(resolve(spec_path, spec.patterns))
        raise InputError([Problem(where, "patterns", "every pattern is held out; none to calibrate on")])
    days, warmup = check_horizon(spec, spec_path, name)
    base, scenarios = load_scenarios(spec, spec_path, days, warmup)
    if spec.propagation is not None:
        propagation_arms(spec, spec_path)  # checked now, before anything runs
    return spec, name, patterns, base, scenarios, days, warmup


def check_file(spec_path: str | Path) -> CalibrationSpec:
    """`tiaokuai validate` of a calibration file: what `calibrate` checks at its door, for
    every budget the file defines (the scenarios once per distinct horizon)."""
    spec, *_, days, warmup = check_inputs(spec_path)
    checked = {(days, warmup)}
    for name in list(spec.budgets)[1:]:
        horizon_ = check_horizon(spec, spec_path, name)
        if horizon_ not in checked:
            load_scenarios(spec, spec_path, *horizon_)
            checked.add(horizon_)
    return spec


def propagation_arms(spec: CalibrationSpec, spec_path: str | Path):
    """The headline experiment's arms, baseline and outcomes for the re-run over the
    posterior; every outcome must be a summary outcome (refused here, not after ABC)."""
    from sim.outcomes import SUMMARY_KEYS
    from sim.sweep.driver import IDENTIFIERS
    from sim.sweep.plan import arm_scenarios
    from sim.sweep.spec import load_experiment

    prop = spec.propagation
    assert prop is not None
    path = resolve(spec_path, prop.experiment)
    experiment = load_experiment(path)
    arms = arm_scenarios(experiment, str(path))
    outcomes = list(prop.outcomes or experiment.outcomes)
    where = (str(spec_path), "propagation.outcomes") if prop.outcomes else (str(path), "outcomes")
    labels = [o for o in outcomes if o in IDENTIFIERS]
    if labels:
        raise InputError([Problem(where[0], where[1], "identifies the run, not an outcome to compare", o)
                          for o in labels])
    unknown = [o for o in outcomes if o not in SUMMARY_KEYS]
    if unknown:
        raise InputError([Problem(where[0], where[1], "not a summary outcome (sim/outcomes.py)", o) for o in unknown])
    baseline = experiment.baseline or next(iter(arms))
    return arms, baseline, outcomes


NOT_PARAMETERS = ("days", "warmup_days")  # set for every scenario by the file and the budget


def load_scenarios(
    spec: CalibrationSpec, spec_path: str | Path, days: int, warmup: int
) -> tuple[Scenario, dict[str, Scenario]]:
    """The base and every named scenario at the calibration's horizon; parameter paths checked."""
    problems: list[Problem] = []
    common = {"days": days, "warmup_days": warmup}
    out: dict[str, Scenario] = {}
    base = None
    try:
        base = with_overrides(load_scenario(resolve(spec_path, spec.base)), common, source=str(spec_path))
    except InputError as err:
        problems.extend(err.problems)
    for name, file in spec.scenarios.items():
        try:
            out[name] = with_overrides(load_scenario(resolve(spec_path, file)), common, source=str(spec_path))
        except InputError as err:
            problems.extend(err.problems)
    if base is not None:
        flat = flatten(base.model_dump(mode="json"))
        theirs = [flatten(s.model_dump(mode="json")) for s in out.values()]
        for path, par in spec.parameters.items():
            if path not in flat:
                rule = "not a scalar field of the base scenario"
                problems.append(Problem(str(spec_path), f"parameters.{path}", rule, path))
                continue
            if path in NOT_PARAMETERS:
                rule = "the horizon is the calibration's own (days, warmup_days), not a parameter to calibrate"
                problems.append(Problem(str(spec_path), f"parameters.{path}", rule, path))
                continue
            if par.applies == "inherited" and theirs and all(t.get(path) != flat[path] for t in theirs):
                rule = ("every scenario sets its own value, so with applies: inherited the parameter reaches "
                        "no run; give applies: all, or leave it out")
                problems.append(Problem(str(spec_path), f"parameters.{path}.applies", rule, par.applies))
                continue
            for end in (par.prior.low, par.prior.high):
                value = round(end) if par.integer else end
                try:
                    with_overrides(base, {path: value}, source=f"{spec_path}: parameters.{path}")
                except InputError as err:
                    problems.extend(err.problems)
    if problems or base is None:
        raise InputError(problems)
    return base, out


def apply_parameters(
    scenario: Scenario, base: Scenario, spec: CalibrationSpec, values: dict[str, float], source: str = "calibration"
) -> Scenario:
    """The scenario with the calibrated values where it inherits the base's (see module doc)."""
    if not values:
        return scenario
    mine = flatten(scenario.model_dump(mode="json"))
    theirs = flatten(base.model_dump(mode="json"))
    overrides: dict[str, Any] = {}
    for path, value in values.items():
        par = spec.parameters[path]
        if par.applies == "inherited" and mine.get(path) != theirs.get(path):
            continue
        overrides[path] = round(value) if par.integer else float(value)
    return with_overrides(scenario, overrides, source=source) if overrides else scenario
