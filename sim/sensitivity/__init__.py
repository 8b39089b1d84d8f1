"""Global sensitivity analysis: which levers and uncertain inputs move the headline outcomes.

Three pure stages, as in SALib: `stages` turns an experiment file into Morris and Sobol
(Saltelli) designs and runs their points through the sweep engine (resumable, local
processes or Dask); `analysis` averages the replications of each point and hands the
outcomes to SALib's analysers; `plots` draws Morris mu*-sigma charts and Sobol bars with
bootstrap confidence intervals; `report` writes the tables, figures and a short report.
`cli` wires the `tiaokuai sensitivity` command.
"""

from .analysis import SampleWarning, morris_indices, point_means, screen, sobol_indices, top_levers
from .stages import StageResult, run_stage, stage_plan

__all__ = [
    "SampleWarning",
    "StageResult",
    "morris_indices",
    "point_means",
    "run_stage",
    "screen",
    "sobol_indices",
    "stage_plan",
    "top_levers",
]
