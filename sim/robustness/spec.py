"""The robustness experiment file: policies, uncertainties, a design of worlds, outcomes.

In the vocabulary of exploratory modelling (Lempert et al. 2003; Kwakkel 2017, the EMA
Workbench): the *policies* are the regimes, each an arm of the sweep; the
*uncertainties* are ranges over scenario parameters no source pins down; a *world* is one
point of a Latin hypercube over those ranges, and every policy runs in every world on the
same seeds (common random numbers). Like every experiment this is data checked at the
door: frozen pydantic models that refuse unknown keys.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import InputError
from sim.scenario_io import problems_from_validation, read_yaml_mapping
from sim.sweep.spec import NAME, Range, SubExperiment


class Frozen(BaseModel):
    """Refuses unknown keys and NaN or infinite numbers (a crisis threshold of NaN is never met)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class Uncertainties(Frozen):
    """What varies between worlds."""

    assumptions: bool = Field(
        default=True,
        description="include every numeric value the base scenario file marks 'assumption' "
        "in a comment, over [value x (1 - spread), value x (1 + spread)] clipped to the "
        "schema's bounds; values a policy sets itself are left to the policies",
    )
    spread: float = Field(default=0.3, gt=0.0, le=0.95, description="relative half-width of the default ranges")
    exclude: list[str] = Field(
        default_factory=list, description="dotted paths (or prefixes) to leave out of the default ranges"
    )
    ranges: dict[str, Range] = Field(
        default_factory=dict, description="dotted path -> range; added to, or replacing, the defaults"
    )


class Worlds(Frozen):
    """The design of worlds: a Latin hypercube over the uncertainties (scipy.stats.qmc)."""

    method: Literal["latin_hypercube"] = "latin_hypercube"
    points: int = Field(ge=2, le=100_000, description="number of worlds")
    seed: int | None = Field(default=None, ge=0, description="seed of the design; default: the master seed")


class Crisis(Frozen):
    """When a run counts as a crisis: `outcome` at most (or at least) a threshold.

    `at_most: horizon` reads the run's horizon (days), for outcomes such as
    `days_to_first_crisis`, which is the horizon + 1 when no crisis came."""

    outcome: str
    at_most: float | Literal["horizon"] | None = None
    at_least: float | None = None

    @field_validator("at_most", mode="before")
    @classmethod
    def _number_or_horizon(cls, value: object) -> object:
        """One message for a bad threshold, not one per member of the union."""
        ok = value is None or value == "horizon" or (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))
        if not ok:
            raise ValueError("must be a finite number or 'horizon' (the run's days)")
        return value

    @model_validator(mode="after")
    def _one_rule(self) -> Crisis:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of at_most, at_least")
        return self


class RobustnessExperiment(Frozen):
    """Which regime is robust across plausible worlds, and where does each one fail?"""

    name: str = Field(min_length=1)
    description: str = ""
    base: str = Field(min_length=1, description="base scenario file (its 'assumption' tags seed the uncertainties)")
    policies: dict[str, SubExperiment] = Field(min_length=2, description="named regimes (arms)")
    baseline: str = Field(description="the policy the others are compared with")
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)
    worlds: Worlds
    replications: int = Field(ge=1, le=10_000, description="seeded runs per policy and world")
    master_seed: int = Field(ge=0, lt=2**63)
    days: int | None = Field(default=None, ge=1, le=5000)
    warmup_days: int | None = Field(default=None, ge=0)
    outcomes: list[str] = Field(min_length=1, description="outcomes to rank the policies on")
    discover: list[str] = Field(
        default_factory=list,
        description="outcomes for 'where does policy X lose to the baseline' (default: the first outcome)",
    )
    crisis: Crisis | None = Field(default=None, description="rule for 'where does a crisis occur'")

    @model_validator(mode="after")
    def _consistent(self) -> RobustnessExperiment:
        bad = [n for n in self.policies if not NAME.match(n)]
        if bad:
            raise ValueError(f"policy names may use letters, digits and _ . + - only: {', '.join(bad)}")
        if self.baseline not in self.policies:
            raise ValueError(f"baseline {self.baseline!r} is not a policy (have: {', '.join(self.policies)})")
        unknown = [o for o in self.discover if o not in self.outcomes]
        if unknown:
            raise ValueError(f"discover names outcomes not in `outcomes`: {', '.join(unknown)}")
        if len(set(self.outcomes)) != len(self.outcomes):
            raise ValueError("outcomes are listed twice")
        return self

    @property
    def discover_outcomes(self) -> list[str]:
        return list(self.discover) or self.outcomes[:1]

    @property
    def measured(self) -> list[str]:
        """Every summary field the study needs stored."""
        extra = [self.crisis.outcome] if self.crisis and self.crisis.outcome not in self.outcomes else []
        return list(self.outcomes) + extra


def load_robustness(path: str, overrides: dict | None = None) -> RobustnessExperiment:
    """Read and validate a robustness file; `overrides` (points, replications, days) win."""
    data = read_yaml_mapping(path)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key == "points":
            worlds = data.get("worlds")
            data["worlds"] = {**(worlds if isinstance(worlds, dict) else {}), "points": value}
        else:
            data[key] = value
    if overrides and overrides.get("days") is not None and isinstance(data.get("warmup_days"), int):
        # a shorter horizon keeps the file's share of warm-up rather than failing on it
        file_days = read_yaml_mapping(path).get("days")
        if isinstance(file_days, int) and file_days > 0:
            data["warmup_days"] = int(round(data["warmup_days"] * overrides["days"] / file_days))
    try:
        return RobustnessExperiment.model_validate(data)
    except ValidationError as err:
        raise InputError(problems_from_validation(str(path), err)) from None
