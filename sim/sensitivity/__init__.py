"""Global sensitivity analysis: which levers and uncertain inputs move the headline outcomes.

Three pure stages, as in SALib: `stages` turns an experiment file into Morris and Sobol
(Saltelli) designs and runs their points through the sweep engine (resumable, local
processes or Dask); `analysis` averages the replications of each point and hands the
outcomes to SALib's analysers; `plots` draws Morris mu*-sigma charts and Sobol bars with
bootstrap confidence intervals; `report` writes the tables, figures and a short report.
`cli` wires the `tiaokuai sensitivity` command.
"""

from __future__ import annotations

import importlib

# names load on first use: `tiaokuai` builds its parser from sim.sensitivity.cli, and every
# other command (a sweep) should not pay for pandas and the stages on the way
_WHERE = {
    "SampleWarning": "analysis",
    "StageResult": "stages",
    "morris_indices": "analysis",
    "point_means": "analysis",
    "run_stage": "stages",
    "screen": "analysis",
    "sobol_indices": "analysis",
    "stage_plan": "stages",
    "top_levers": "analysis",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
