"""tiaokuai: an agent-based model of how work flows between Chinese city departments
(条), street offices (块), residents' committees and social organisations.

The public surface: build a `Scenario` (usually `load_scenario(path)`), then
`run(scenario, seed)` for a seeded run, `run_stack(scenario, seeds)` for many seeds stepped
together, or `TiaokuaiModel(scenario, seed)` to step it.
"""

from .config import Gate, Levers, Scenario, TaskKind
from .errors import InputError, Problem
from .results import RunResult
from .scenario_io import load_scenario, parse_set, with_overrides
from .stack import run_stack


def __getattr__(name: str):
    """`run` and `TiaokuaiModel` import Mesa (sim.model) when first asked for, not with the
    package: a sweep that steps stacks (sim.stack) never needs it."""
    if name in ("run", "TiaokuaiModel"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Gate",
    "InputError",
    "Levers",
    "Problem",
    "RunResult",
    "Scenario",
    "TaskKind",
    "TiaokuaiModel",
    "load_scenario",
    "parse_set",
    "run",
    "run_stack",
    "with_overrides",
]
