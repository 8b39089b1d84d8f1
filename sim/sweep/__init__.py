"""Experiments: seeded sweeps over scenarios, a resumable result store, comparisons.

A pipeline of plain stages: an experiment file (`spec`) expands into planned runs
(`plan`, `designs`, `seeds`); an executor (`executors`: serial, local processes, Dask)
runs them; the store (`store`) streams their rows to Parquet; `compare` turns the stored
rows into tables and figures. `cli` wires the `sweep` and `compare` commands.
"""

from .driver import SweepReport, run_sweep, sweep
from .plan import Plan, PlannedRun, build_plan
from .seeds import replication_seed, replication_seeds
from .spec import Experiment, load_experiment
from .store import ResultStore

__all__ = [
    "Experiment",
    "Plan",
    "PlannedRun",
    "ResultStore",
    "SweepReport",
    "build_plan",
    "load_experiment",
    "replication_seed",
    "replication_seeds",
    "run_sweep",
    "sweep",
]
