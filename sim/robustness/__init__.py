"""Robustness under deep uncertainty: which regime wins across plausible worlds, where each fails.

A pipeline of small stages over plain tables: `spec` reads the experiment (policies,
uncertainties, worlds, outcomes); `design` turns the base scenario's "assumption" tags and
explicit ranges into uncertainties and compiles a Latin-hypercube sweep; `evaluate` runs it
through the sweep engine (resumable, local or Dask) and reads the worlds back; `rank` does
the win-probability and regret arithmetic; `discover` finds PRIM boxes and feature scores
(ema-workbench); `report` and `figures` write the outputs; `cli` wires `tiaokuai robustness`.
Names below load on first use, so the command line does not pay for pandas at start-up.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Box": "discover",
    "feature_scores": "discover",
    "prim_box": "discover",
    "advantage": "rank",
    "best_shares": "rank",
    "ranking": "rank",
    "regret": "rank",
    "win_matrix": "rank",
    "world_means": "rank",
    "load_robustness": "spec",
    "run_study": "evaluate",
    "analyse": "report",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
