"""Run every policy in every world through the sweep engine, and read the worlds back.

The compiled sweep experiment is written to OUT/experiment.yaml and swept into OUT/store/
(the ordinary result store: Parquet parts and a manifest), so a killed study resumes with
the same command and a large one runs on a Dask cluster. Reading back gives two tables:
`x`, one row per world with its uncertainties, and `table`, one row per (world, policy)
with each outcome averaged over the world's replications (and the share of them that
were crises).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.sweep.plan import Plan
from sim.sweep.spec import Experiment

from .design import Uncertainty, check_study, write_sweep_experiment
from .rank import world_means
from .spec import Crisis, RobustnessExperiment


@dataclass(frozen=True)
class Study:
    """A finished robustness study: its experiment, uncertainties and the worlds' tables."""

    experiment: RobustnessExperiment
    uncertainties: list[Uncertainty]
    x: pd.DataFrame  # index: world; columns: uncertainty paths
    table: pd.DataFrame  # world, policy, outcomes..., crisis_share (when a crisis rule is given)
    runs: int
    seconds: float

    @property
    def labels(self) -> dict[str, str]:
        return {u.path: u.label for u in self.uncertainties}


def crisis_flags(runs: pd.DataFrame, crisis: Crisis) -> pd.Series:
    """Per run, whether the crisis rule holds."""
    values = runs[crisis.outcome].astype(float)
    if crisis.at_least is not None:
        return values >= crisis.at_least
    if crisis.at_most == "horizon":
        return values <= runs["days"].astype(float)
    return values <= float(crisis.at_most or 0.0)


def worlds_from_runs(exp: RobustnessExperiment, uncertainties: list[Uncertainty],
                     runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The worlds' uncertainties and the per-(world, policy) table from stored runs."""
    paths = [u.path for u in uncertainties]
    x = runs.groupby("point", sort=True)[paths].first()
    x.index.name = "world"
    runs = runs.copy()
    measured = list(exp.outcomes)
    if exp.crisis is not None:
        runs["crisis_share"] = crisis_flags(runs, exp.crisis).astype(float)
        measured.append("crisis_share")
    table = world_means(runs, measured)
    return x, table


def run_study(source: str, exp: RobustnessExperiment, out: Path, workers: int | None = None,
              scheduler: str | None = None, restart: bool = False, quiet: bool = False,
              flush_seconds: float = 5.0, checked: tuple[Experiment, list[Uncertainty], Plan] | None = None) -> Study:
    """Sweep what is not yet stored, then read every run back as worlds. `checked` is what
    `check_study` returned, when the caller has checked the study before writing anything."""
    import time

    from sim.sweep import build_plan, sweep
    from sim.sweep.driver import manifest_for
    from sim.sweep.executors import make_executor
    from sim.sweep.store import ResultStore

    start = time.perf_counter()
    compiled, found, plan = checked or check_study(exp, source)  # before OUT/experiment.yaml is written
    if not restart:  # a store of another study is refused before its experiment.yaml is overwritten
        ResultStore(out / "store").check_compatible(manifest_for(plan, source), source)
    spec = write_sweep_experiment(compiled, out / "experiment.yaml")
    sweep(build_plan(spec), out / "store", partial(make_executor, workers, scheduler), restart=restart, quiet=quiet,
          flush_seconds=flush_seconds)
    runs = ResultStore(out / "store").read_runs()
    expected = len(exp.policies) * exp.worlds.points * exp.replications
    if len(runs) != expected:
        raise RuntimeError(f"{out / 'store'} holds {len(runs)} runs, expected {expected}")
    x, table = worlds_from_runs(exp, found, runs)
    return Study(exp, found, x, table, len(runs), time.perf_counter() - start)


def synthetic_runs(x: pd.DataFrame, outcome_of, policies: list[str], replications: int = 1,
                   noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Runs as the store would hold them, from a function (policy, world row) -> outcomes:
    for tests and for trying the analysis without the model."""
    rng = np.random.default_rng(seed)
    rows = []
    for w, world in x.iterrows():
        for p in policies:
            for r in range(replications):
                values = {k: v + noise * rng.normal() for k, v in outcome_of(p, world).items()}
                rows.append({"point": w, "sub_experiment": p, "replication": r, **world.to_dict(), **values})
    return pd.DataFrame(rows)
