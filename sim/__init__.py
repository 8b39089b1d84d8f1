"""tiaokuai: an agent-based model of how work flows between Chinese city departments
(条), street offices (块), residents' committees and social organisations.

The public surface: build a `Scenario` (usually `load_scenario(path)`), then
`run(scenario, seed)` for a seeded run, `run_stack(scenario, seeds)` for many seeds stepped
together, or `TiaokuaiModel(scenario, seed)` to step it.
"""

from .config import Gate, Levers, Scenario, TaskKind
from .errors import InputError, Problem
from .model import TiaokuaiModel, run, run_stack
from .results import RunResult
from .scenario_io import load_scenario, parse_set, with_overrides

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
