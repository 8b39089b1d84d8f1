"""The city model: departments (条) pushing work down to streets (块) and residents'
committees, under the regime the scenario's levers describe.

Sources: the five case articles summarised in `shared/domain/BRIEF.md` (Guiyang, Jinjiang,
Sichuan, Beijing, Shanghai). A run is a pure function of (scenario, seed): see `run`.

`TiaokuaiModel` is the Mesa face of a `World` (sim.world): its `step()` plays one day
by the rules (`sim.rules.play_day`) and collects the day's values; its agents are named
views of the world's roster.
"""

from __future__ import annotations

import mesa
import numpy as np

from .agents import OFFICE_TYPES
from .config import Scenario
from .kinds import KindTable
from .ledger import TaskLedger
from .levels import LEVELS
from .metrics import daily_values, summarise, timeseries
from .outcomes import DAILY_KEYS
from .resources import reuse_freed_memory
from .results import RunResult
from .rules import play_day
from .stack import run_stack, with_days  # noqa: F401  (sim.model.run_stack: the stacked runs' home is sim.stack)
from .world import FlowRecorder, Roster, World

# the per-day series kept in `history` and the DataCollector (declared in sim.outcomes.DAILY)
HEADLINE_SERIES = DAILY_KEYS


class TiaokuaiModel(mesa.Model):
    """One city under one regime. `step()` is one working day."""

    def __init__(self, scenario: Scenario, seed: int = 0, decision_seed: int | None = None):
        """`decision_seed` (variance decompositions only, benchmarks/crn_pairing.py): the
        decisions' draws come from that seed, demand from `seed`."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed(={seed!r}) must be a non-negative integer")
        super().__init__(rng=int(seed))
        self.config = scenario
        self.seed = int(seed)
        self.world = World.build(scenario, self.seed, decision_seed)
        self.history: list[dict] = []
        self.offices = self._make_agents()
        for name in HEADLINE_SERIES:
            setattr(self, name, 0.0)
        self.datacollector = mesa.DataCollector(model_reporters={n: n for n in HEADLINE_SERIES})

    def _make_agents(self) -> list:
        """One Mesa agent per roster row, labelled by level, number and district."""
        r, top = self.world.roster, self.world.topology
        offices = []
        # plain Python ints: indexing NumPy scalars one by one is slow for ten thousand offices
        first = top.first
        for idx, (lv, st, d) in enumerate(zip(r.level.tolist(), r.street.tolist(), r.district.tolist())):
            label = f"{LEVELS[lv].replace('_', ' ')} {idx - first[lv] + 1} (district {d + 1})"
            offices.append(OFFICE_TYPES[lv](self, idx, label, top.parent_of(lv, st, d)))
        return offices

    # ---- the world's state, read through the model ---------------------------------------
    @property
    def day(self) -> int:
        return self.world.day

    @property
    def roster(self) -> Roster:
        return self.world.roster

    @property
    def tasks(self) -> TaskLedger:
        return self.world.tasks

    @property
    def tally(self):
        """The run's counts so far, as plain numbers (`Tally.of_world`; a snapshot)."""
        return self.world.tally.of_world(0)

    @property
    def kinds(self) -> KindTable:
        return self.world.kinds

    @property
    def daily_funding(self) -> np.ndarray:
        return self.world.daily_funding

    @property
    def daily_purchasing(self) -> np.ndarray:
        return self.world.daily_purchasing

    def normal_hours(self) -> np.ndarray:
        """Each office's staff hours in a normal day, before overtime."""
        return self.world.normal_hours()

    # ---- the flows the hierarchy view draws ----------------------------------------------
    @property
    def track_flows(self) -> bool:
        """Whether hand-offs between offices are recorded (the view sets this; off by default)."""
        return self.world.recorder is not None

    @track_flows.setter
    def track_flows(self, on: bool) -> None:
        if on and self.world.recorder is None:
            self.world.recorder = FlowRecorder(self.world.roster.size)
        elif not on:
            self.world.recorder = None

    def recent_flows(self) -> dict[tuple[int, int], float]:
        """Hours handed between offices over the last completed day ({} unless tracked)."""
        return self.world.recorder.recent() if self.world.recorder is not None else {}

    # ---- one working day ----------------------------------------------------------------
    def step(self) -> None:
        play_day(self.world)
        self.record_day()
        self.datacollector.collect(self)
        if self.day >= self.config.days:  # the horizon: Mesa's `run_model()` and the viz stop here
            self.running = False

    def record_day(self) -> None:
        values = daily_values(self.world.tally)
        for key, value in values.items():
            setattr(self, key, value)
        self.history.append({"day": self.day, **values})

    # ---- results ------------------------------------------------------------------------
    def summary(self) -> dict:
        return summarise(self.world)

    def timeseries(self):
        return timeseries(self.world.tally.of_world(0))

    def release(self) -> None:
        """Drop everything the model holds; it cannot be stepped or read afterwards.

        A Mesa model sits in reference cycles (its agents point back at it, and Mesa keeps
        the wrapped `step` as a bound method on the instance), so without this its arrays
        wait for Python's next full garbage collection. In a sweep worker running thousands
        of runs that showed as memory growing by ~6 KB a run."""
        self.__dict__.clear()


def run(scenario: Scenario, seed: int, days: int | None = None, timeseries: bool = True) -> RunResult:
    """Simulate `days` working days (default: the scenario's) and return the results.

    A pure function of its arguments: same scenario and seed, same result, in any process.
    """
    scenario = with_days(scenario, days)
    reuse_freed_memory()  # the day's temporary arrays reuse memory (sim.resources); no result changes
    model = TiaokuaiModel(scenario, seed)
    for _ in range(scenario.days):
        model.step()
    result = RunResult(summary=model.summary(), timeseries=model.timeseries() if timeseries else None)
    model.release()  # its memory returns now, not at the next full garbage collection
    return result
