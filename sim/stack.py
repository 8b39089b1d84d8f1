"""Stacked runs: `run_stack(scenario, seeds)` steps the runs of many seeds (and regimes) as one World.

Kept apart from `sim.model` so that a process that only steps stacks (a sweep's worker,
the sweep command itself) never imports Mesa, which with its own imports (SciPy's spatial
module, networkx) costs about a second of CPU at start-up: the rules and the World know
nothing of Mesa (tests/test_architecture.py), and a stack's results are bit for bit
those of `sim.run`, which steps the Mesa model (tests/test_stacking.py).
"""

from __future__ import annotations

from collections.abc import Sequence

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
    scenario: Scenario | Sequence[Scenario], seeds: list[int], days: int | None = None, timeseries: bool = True
) -> list[RunResult]:
    """`run(scenario, seed)` for every seed, stepped together as one stacked World
    (sim.world): the per-day cost of the rules' array operations is paid once for all of
    them. `scenario` may be one scenario for every seed, or one per seed: scenarios that
    differ only in their levers, not in those that shape the city (`sim.world.stack_key`;
    others are refused with a ValueError naming what differs). Each result is bit for bit
    what `run` gives for its scenario and seed, whatever the other runs of the stack
    (tests/test_stacking.py, tests/test_stacking_levers.py)."""
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed(={seed!r}) must be a non-negative integer")
    stacked: Scenario | list[Scenario]
    if isinstance(scenario, Scenario):
        stacked = with_days(scenario, days)
        horizon = stacked.days
    else:
        scenarios = [with_days(s, days) for s in scenario]
        if len(scenarios) != len(seeds):
            raise ValueError(f"run_stack needs one scenario per seed: {len(scenarios)} scenarios, {len(seeds)} seeds")
        if not scenarios:
            return []
        horizon, stacked = scenarios[0].days, scenarios  # build_stack refuses other horizons
    reuse_freed_memory()
    world = World.build_stack(stacked, [int(s) for s in seeds])
    for _ in range(horizon):
        play_day(world)
    return [
        RunResult(summarise(world, w), tally_timeseries(world.tally.of_world(w)) if timeseries else None)
        for w in range(world.worlds)
    ]
