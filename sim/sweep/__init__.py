"""Experiments: seeded sweeps over scenarios, a resumable result store, comparisons.

A pipeline of plain stages: an experiment file (`spec`) expands into planned runs
(`plan`, `designs`, `seeds`); an executor (`executors`: serial, local processes, Dask)
runs them; the store (`store`) streams their rows to Parquet; `compare` turns the stored
rows into tables and figures (`stats`, `figures`). `cli` wires the `sweep` and `compare`
commands. Names below load on first use, so `tiaokuai run` does not pay for Parquet.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Experiment": "spec",
    "load_experiment": "spec",
    "Plan": "plan",
    "PlannedRun": "plan",
    "build_plan": "plan",
    "plan_experiment": "plan",
    "read_scenarios": "plan",
    "replication_seed": "seeds",
    "replication_seeds": "seeds",
    "ResultStore": "store",
    "SweepReport": "driver",
    "run_sweep": "driver",
    "sweep": "driver",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
