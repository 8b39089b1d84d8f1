"""The patterns the model is checked against: what each source says, as a testable target.

Pattern-oriented modelling (Grimm et al., Science 2005): several weak patterns at
different levels, met at once, constrain a model more than one strong one. A pattern
names its source (a seeds file and passage, or a publication or statistic), the scenarios
it is measured on, the outcome, a target and a weight, and whether it is held out of the
calibration (kept back to validate it).

Every target reduces to one number measured on the runs (the pattern's *statistic*) and
a region that number should fall in; the *misfit* is 0 inside the region and grows
linearly outside it, in units of the pattern's `scale` (a tolerance), capped at
`MISFIT_CAP` so one wild pattern cannot swamp the rest. Target types:

- `value`: the outcome within `value ± tolerance`;
- `interval`: the outcome in `[low, high]` (either side may be open);
- `ordering`: the outcome ordered across two or more scenarios (`increasing` or
  `decreasing`, in the listed order); the statistic is the smallest step in the claimed
  direction, which must be at least `at_least` (relative to the earlier value when
  `relative`);
- `direction`: the same for a before/after pair (`change: up | down`);
- `shape`: a time series (`level`, `column` of the per-day table, after warm-up) that is
  `rising`, `falling` or `flat`; the statistic is the change from the first to the last
  third of the days after warm-up, relative to the first third.

No I/O here beyond reading the pattern file at the door (`load_patterns`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError, Problem
from sim.scenario_io import problems_from_validation, read_yaml_mapping

MISFIT_CAP = 10.0
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


class Frozen(BaseModel):
    """Refuses unknown keys and NaN or infinite numbers (a NaN target or weight would make
    every distance NaN, and ABC-SMC would never accept a particle)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class Source(Frozen):
    """Where a pattern comes from: a seeds file (and its passage) or a publication/statistic."""

    ref: str = Field(min_length=1, description="seeds file name, or publication / statistic")
    passage: str = Field(default="", description="the passage quoted (Chinese as in the source)")


class ValueTarget(Frozen):
    type: Literal["value"]
    value: float
    tolerance: float = Field(gt=0)


class IntervalTarget(Frozen):
    type: Literal["interval"]
    low: float | None = None
    high: float | None = None
    scale: float | None = Field(default=None, gt=0, description="misfit unit (default: the width)")

    @model_validator(mode="after")
    def _bounds(self):
        if self.low is None and self.high is None:
            raise ValueError("an interval needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class OrderingTarget(Frozen):
    type: Literal["ordering"]
    direction: Literal["increasing", "decreasing"]
    at_least: float = Field(default=0.0, description="smallest step that counts as ordered")
    relative: bool = Field(default=False, description="steps relative to the earlier value")
    scale: float | None = Field(default=None, gt=0, description="misfit unit (default 0.1 relative, else 1)")


class DirectionTarget(Frozen):
    type: Literal["direction"]
    change: Literal["up", "down"]
    at_least: float = 0.0
    relative: bool = False
    scale: float | None = Field(default=None, gt=0)


class ShapeTarget(Frozen):
    type: Literal["shape"]
    level: str = Field(min_length=1, description="level in the per-day table (department, street, ...)")
    column: str = Field(min_length=1, description="column of the per-day table")
    shape: Literal["rising", "falling", "flat"]
    at_least: float = Field(default=0.0, ge=0, description="rising/falling: relative change needed")
    tolerance: float = Field(default=0.1, gt=0, description="flat: relative change allowed")
    scale: float = Field(default=0.1, gt=0)


Target = Annotated[
    ValueTarget | IntervalTarget | OrderingTarget | DirectionTarget | ShapeTarget,
    Field(discriminator="type"),
]


class Pattern(Frozen):
    """One checkable claim from a source."""

    id: str = Field(pattern=NAME.pattern)
    title: str = Field(min_length=1)
    source: Source
    evidence: Literal["quantitative", "qualitative"] = Field(
        description="does the source give a number, or only a statement (then the weakest honest target)"
    )
    scenarios: list[str] = Field(min_length=1, description="scenario names from the calibration experiment")
    outcome: str = Field(default="", description="summary key (not used by shape targets)")
    outcomes: list[str] = Field(
        default_factory=list, description="ordering within one scenario: summary keys in the claimed order"
    )
    divide_by: str = Field(default="", description="summary key to divide the outcome by (e.g. days, for a total)")
    target: Target
    weight: float = Field(gt=0)
    held_out: bool
    note: str = ""

    @model_validator(mode="after")
    def _fits(self):
        t = self.target
        n = len(self.scenarios)
        for name, items in (("scenarios", self.scenarios), ("outcomes", self.outcomes)):
            repeated = sorted({x for x in items if items.count(x) > 1})
            if repeated:  # an ordering or change from a scenario (outcome) to itself is no claim
                raise ValueError(f"{name} lists {', '.join(repeated)} more than once")
        if self.outcomes and not (isinstance(t, OrderingTarget) and n == 1 and len(self.outcomes) >= 2):
            raise ValueError("outcomes (a list) is for an ordering of two or more outcomes within one scenario")
        if self.outcomes and self.outcome:
            raise ValueError("give either outcome or outcomes, not both")
        if isinstance(t, OrderingTarget) and n < 2 and not self.outcomes:
            raise ValueError(
                "an ordering needs two or more scenarios (or one scenario and outcomes), in the claimed order"
            )
        if isinstance(t, DirectionTarget) and n != 2:
            raise ValueError("a direction of change needs exactly two scenarios: before, after")
        if isinstance(t, (ValueTarget, IntervalTarget, ShapeTarget)) and n != 1:
            raise ValueError(f"a {t.type} target is measured on exactly one scenario")
        if not isinstance(t, ShapeTarget) and not (self.outcome or self.outcomes):
            raise ValueError(f"a {t.type} target needs an outcome (a summary key)")
        return self

    @property
    def needs_timeseries(self) -> bool:
        return isinstance(self.target, ShapeTarget)


class PatternFile(Frozen):
    description: str = ""
    patterns: list[Pattern] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        seen: set[str] = set()
        for p in self.patterns:
            if p.id in seen:
                raise ValueError(f"pattern id {p.id!r} appears twice")
            seen.add(p.id)
        return self


def load_patterns(path: str | Path, scenarios: Sequence[str] | None = None) -> list[Pattern]:
    """Read and check a pattern file; with `scenarios`, every name a pattern uses must be one."""
    source = str(path)
    data = read_yaml_mapping(path)
    try:
        parsed = PatternFile.model_validate(data)
    except ValidationError as err:
        raise InputError(problems_from_validation(source, err)) from None
    problems = []
    if scenarios is not None:
        known = set(scenarios)
        for i, p in enumerate(parsed.patterns):
            for j, name in enumerate(p.scenarios):
                if name not in known:
                    problems.append(
                        Problem(source, f"patterns.{i}.scenarios.{j}",
                                f"not a scenario of the calibration experiment ({', '.join(sorted(known))})", name)
                    )
    from sim.levels import LEVELS
    from sim.outcomes import SUMMARY_KEYS
    from sim.tally import DAY_COLUMNS

    known_keys = set(SUMMARY_KEYS)
    for i, p in enumerate(parsed.patterns):
        if isinstance(p.target, ShapeTarget):  # checked here, not first by the pilot run
            if p.target.level not in LEVELS:
                problems.append(Problem(source, f"patterns.{i}.target.level",
                                        f"not a level of the per-day table ({', '.join(LEVELS)})", p.target.level))
            if p.target.column not in DAY_COLUMNS:
                problems.append(Problem(source, f"patterns.{i}.target.column",
                                        f"not a column of the per-day table ({', '.join(DAY_COLUMNS)})",
                                        p.target.column))
        named = [("outcome", p.outcome)] if p.outcome else []
        named += [(f"outcomes.{j}", key) for j, key in enumerate(p.outcomes)]
        named += [("divide_by", p.divide_by)] if p.divide_by else []
        for field, key in named:
            if key not in known_keys:
                problems.append(
                    Problem(source, f"patterns.{i}.{field}", "not a summary outcome (sim/outcomes.py)", key)
                )
    if problems:
        raise InputError(problems)
    return list(parsed.patterns)


# --- measuring ---------------------------------------------------------------------------

Runs = Mapping[str, Sequence[Any]]  # scenario name -> per-replication results (.summary, .timeseries)


def statistic(pattern: Pattern, runs: Runs) -> float:
    """The one number a pattern's target is about, measured on one set of runs."""
    t = pattern.target
    if isinstance(t, ShapeTarget):
        return float(np.mean([_shape_change(r.timeseries, r.summary, t) for r in runs[pattern.scenarios[0]]]))
    if pattern.outcomes:
        rows = runs[pattern.scenarios[0]]
        means = [float(np.mean([_summary_value(r.summary, pattern, key) for r in rows])) for key in pattern.outcomes]
    else:
        means = [float(np.mean([_summary_value(r.summary, pattern) for r in runs[s]])) for s in pattern.scenarios]
    if isinstance(t, (ValueTarget, IntervalTarget)):
        return means[0]
    sign = 1.0 if getattr(t, "direction", None) == "increasing" or getattr(t, "change", None) == "up" else -1.0
    steps = []
    for before, after in itertools.pairwise(means):
        step = sign * (after - before)
        if t.relative:
            step /= max(abs(before), 1e-12)
        steps.append(step)
    return float(min(steps))


def _summary_value(summary: Mapping[str, Any], pattern: Pattern, key: str | None = None) -> float:
    key = key or pattern.outcome
    if key not in summary:
        raise KeyError(f"pattern {pattern.id}: outcome {key!r} is not in the run summary")
    value = summary[key]
    if value is None:
        return float("nan")
    if pattern.divide_by:
        if pattern.divide_by not in summary:
            raise KeyError(f"pattern {pattern.id}: divide_by {pattern.divide_by!r} is not in the run summary")
        denominator = float(summary[pattern.divide_by] or 0.0)
        return float(value) / denominator if denominator else float("nan")
    return float(value)


def _shape_change(ts, summary: Mapping[str, Any], t: ShapeTarget) -> float:
    if ts is None:
        raise ValueError("a shape pattern needs the run's per-day table")
    if t.column not in ts.columns:
        raise KeyError(f"column {t.column!r} is not in the per-day table")
    warmup = int(summary.get("warmup_days", 0))
    rows = ts[(ts["level"] == t.level) & (ts["day"] >= warmup)].sort_values("day")
    series = rows[t.column].to_numpy(dtype=float)
    if len(series) < 3:
        return float("nan")
    third = len(series) // 3
    first, last = series[:third].mean(), series[-third:].mean()
    return float((last - first) / max(abs(first), 1e-12))


def misfit(pattern: Pattern, value: float) -> float:
    """0 when the statistic meets the target, else the distance to it in units of the scale."""
    if value is None or not math.isfinite(value):
        return MISFIT_CAP
    t = pattern.target
    if isinstance(t, ValueTarget):
        raw = max(0.0, abs(value - t.value) - t.tolerance) / t.tolerance
    elif isinstance(t, IntervalTarget):
        scale = t.scale or _interval_scale(t)
        below = (t.low - value) if t.low is not None else 0.0
        above = (value - t.high) if t.high is not None else 0.0
        raw = max(0.0, below, above) / scale
    elif isinstance(t, (OrderingTarget, DirectionTarget)):
        scale = t.scale or (0.1 if t.relative else 1.0)
        raw = max(0.0, t.at_least - value) / scale
    else:
        if t.shape == "rising":
            raw = max(0.0, t.at_least - value) / t.scale
        elif t.shape == "falling":
            raw = max(0.0, value + t.at_least) / t.scale
        else:
            raw = max(0.0, abs(value) - t.tolerance) / t.scale
    return float(min(raw, MISFIT_CAP))


def _interval_scale(t: IntervalTarget) -> float:
    if t.low is not None and t.high is not None and t.high > t.low:
        return t.high - t.low
    bound = t.low if t.low is not None else t.high
    return max(abs(bound), 1e-9) if bound else 1.0


def hit(pattern: Pattern, value: float) -> bool:
    return misfit(pattern, value) == 0.0


def describe_target(pattern: Pattern) -> str:
    """The target in a few words, for tables."""
    t = pattern.target
    if isinstance(t, ValueTarget):
        return f"{t.value:g} ± {t.tolerance:g}"
    if isinstance(t, IntervalTarget):
        lo = "-∞" if t.low is None else f"{t.low:g}"
        hi = "∞" if t.high is None else f"{t.high:g}"
        return f"in [{lo}, {hi}]"
    rel = " (relative)" if getattr(t, "relative", False) else ""
    if isinstance(t, OrderingTarget):
        what = "outcomes" if pattern.outcomes else "scenarios"
        return f"{t.direction} across the {what} in order, step ≥ {t.at_least:g}{rel}"
    if isinstance(t, DirectionTarget):
        return f"{t.change} from {pattern.scenarios[0]} to {pattern.scenarios[1]} by ≥ {t.at_least:g}{rel}"
    if t.shape == "flat":
        return f"flat (|relative change| ≤ {t.tolerance:g})"
    return f"{t.shape} (relative change ≥ {t.at_least:g})"
