"""From a parameter set to the patterns' statistics, with the runs done by a sweep executor.

One evaluation (an ABC particle, a posterior draw) runs every scenario the patterns need,
`replications` times each, all on the same seeds (common random numbers across the
scenarios of one evaluation, so before/after pairs are compared on the same luck). The
runs go to the sweep engine's executor (`sim.sweep.executors`: in this process, local
worker processes or a Dask cluster) as one batch, so one evaluation keeps the workers busy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import Scenario
from sim.sweep.executors import RunTask
from sim.sweep.plan import flatten
from sim.sweep.seeds import replication_seeds

from .patterns import Pattern, statistic
from .spec import CalibrationSpec


@dataclass
class _Result:
    summary: dict
    timeseries: Any = None


@dataclass
class PatternSimulator:
    """Callable: `sim(values, seed) -> {pattern id: statistic}` for the given patterns."""

    spec: CalibrationSpec
    base: Scenario
    scenarios: Mapping[str, Scenario]
    patterns: Sequence[Pattern]
    executor: Any
    replications: int = 1
    runner: str = "sim:run"
    _inherits: dict[str, set[str]] = field(default_factory=dict, init=False)

    def __post_init__(self):
        theirs = flatten(self.base.model_dump(mode="json"))
        for name in self.needed:
            mine = flatten(self.scenarios[name].model_dump(mode="json"))
            self._inherits[name] = {
                path
                for path, par in self.spec.parameters.items()
                if par.applies == "all" or mine.get(path) == theirs.get(path)
            }

    @property
    def needed(self) -> list[str]:
        names: list[str] = []
        for p in self.patterns:
            for s in p.scenarios:
                if s not in names:
                    names.append(s)
        return names

    def _timeseries(self, name: str) -> bool:
        return any(p.needs_timeseries and name in p.scenarios for p in self.patterns)

    def scenario_for(self, name: str, values: Mapping[str, float]) -> Scenario:
        """The named scenario with the calibrated values it inherits applied."""
        from sim.scenario_io import with_overrides

        overrides = {}
        for path in self._inherits[name]:
            if path in values:
                par = self.spec.parameters[path]
                overrides[path] = round(values[path]) if par.integer else float(values[path])
        scenario = self.scenarios[name]
        return with_overrides(scenario, overrides, source="calibration") if overrides else scenario

    def runs(self, values: Mapping[str, float], seed: int) -> dict[str, list[_Result]]:
        seeds = replication_seeds(seed, self.replications)
        tasks = [
            RunTask(f"{name}/r{r}", self.scenario_for(name, values), s, self._timeseries(name))
            for name in self.needed
            for r, s in enumerate(seeds)
        ]
        out: dict[str, list[_Result | None]] = {name: [None] * self.replications for name in self.needed}
        for batch in self.executor.map(self.runner, tasks):
            for rec in batch:
                if rec.error:
                    raise RuntimeError(f"run {rec.run_id} failed:\n{rec.error}")
                name, _, rep = rec.run_id.rpartition("/r")
                out[name][int(rep)] = _Result(rec.summary, rec.timeseries)
        return {name: [r for r in rows if r is not None] for name, rows in out.items()}

    def statistics(self, runs: Mapping[str, Sequence[Any]]) -> dict[str, float]:
        return {p.id: statistic(p, runs) for p in self.patterns}

    def __call__(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        return self.statistics(self.runs(values, seed))
