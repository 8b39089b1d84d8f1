"""Stacked runs: `run_stack(scenario, seeds)` steps the runs of many seeds as one World.

Kept apart from `sim.model` so that a process that only steps stacks (a sweep's worker,
the sweep command itself) never imports Mesa, which with its own imports (SciPy's spatial
module, networkx) costs about a second of CPU at start-up: the rules and the World know
nothing of Mesa (tests/test_architecture.py), and a stack's results are bit for bit
those of `sim.run`, which steps the Mesa model (tests/test_stacking.py).
"""

from __future__ import annotations

import numpy as np

from .config import Scenario
from .metrics import summarise, timeseries as tally_timeseries
from .resources import reuse_freed_memory
from .results import RunResult
from .rules import play_day
from .world import World


def with_days(scenario: Scenario, days: int | None) -> Scenario:
    """The scenario run for `days` working days (its warm-up cut to fit), or as it is."""
    if days is not None and days != scenario.days:
        if days < 1:
            raise ValueError(f"days(={days}) must be >= 1")
        scenario = scenario.model_copy(update={"days": days, "warmup_days": min(scenario.warmup_days, days - 1)})
    return scenario


def run_stack(
    scenario: Scenario, seeds: list[int], days: int | None = None, timeseries: bool = True
) -> list[RunResult]:
    """`run(scenario, seed)` for every seed, stepped together as one stacked World
    (sim.world): the per-day cost of the rules' array operations is paid once for all of
    them. Each result is bit for bit what `run` gives for its seed, whatever the other
    seeds of the stack (tests/test_stacking.py)."""
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed(={seed!r}) must be a non-negative integer")
    scenario = with_days(scenario, days)
    reuse_freed_memory()
    world = World.build_stack(scenario, [int(s) for s in seeds])
    for _ in range(scenario.days):
        play_day(world)
    return [
        RunResult(summarise(world, w), tally_timeseries(world.tally.of_world(w)) if timeseries else None)
        for w in range(world.worlds)
    ]
