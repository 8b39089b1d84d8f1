"""Immutable result of one run: a flat summary and a tidy per-day, per-level table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class RunResult:
    """What `sim.run(scenario, seed)` returns.

    `summary` is one flat JSON-able mapping (the contract names in README "Outputs");
    `timeseries` has one row per day per level (columns `day`, `level`, ...), or is None
    when the caller asked for the summary only.
    """

    summary: dict
    timeseries: pd.DataFrame | None = field(default=None, compare=False)
