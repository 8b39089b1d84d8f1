"""One model being explored: built from the panel's choices, stepped a day at a time.

A `Session` is what Reset creates: the scenario file, the lever values, the seed, the
model built from them and the hierarchy's layout, computed once here and reused for
every frame. Plain Python, so the app, the tests and the benchmark share it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import TiaokuaiModel, load_scenario, with_overrides
from ..config import Scenario
from .behaviour import ViewHistory
from .layout import MAX_ROW_NODES, Layout, layered_layout
from .panel import overrides
from .settings import DEFAULT_SEED


@dataclass(eq=False)  # a session is equal only to itself (solara compares dependencies)
class Session:
    """A model under exploration and the fixed drawing of its hierarchy."""

    source: Path
    scenario: Scenario
    seed: int
    model: TiaokuaiModel
    layout: Layout
    changed: dict[str, Any] = field(default_factory=dict)  # levers set away from the file's values
    step_seconds: list[float] = field(default_factory=list)
    name: str = ""  # what the page calls it: the preset chooser's entry (see `preset_choices`)
    view: ViewHistory | None = None  # the daily history with the behaviours' state (see `history`)

    @classmethod
    def start(
        cls,
        source: str | Path,
        lever_values: dict[str, Any] | None = None,
        seed: int = DEFAULT_SEED,
        max_row_nodes: int = MAX_ROW_NODES,
        name: str | None = None,
    ) -> Session:
        """Read the scenario file, apply the panel's lever values, build the model.

        Raises `InputError` for a bad file or lever value, ValueError for a bad seed.
        """
        scenario = load_scenario(source)
        changed = overrides(scenario, lever_values or {})
        if changed:
            scenario = with_overrides(scenario, changed, source="panel")
        model = TiaokuaiModel(scenario, seed=seed)
        model.track_flows = True  # the network view draws the last day's hand-offs
        layout = layered_layout(model.offices, max_row_nodes)
        return cls(Path(source), scenario, seed, model, layout, changed, name=name or scenario.name)

    @property
    def day(self) -> int:
        return int(self.model.day)

    @property
    def history(self) -> list[dict]:
        """What the plots draw: one row per day, the model's daily history (`model.history`)
        with the behaviours' state of each level added (`behaviour.ViewHistory`)."""
        if self.view is None or self.view.model is not self.model:
            self.view = ViewHistory(self.model)
        return self.view.rows

    @property
    def horizon(self) -> int:
        """The scenario's length in working days: Play stops there."""
        return int(self.scenario.days)

    @property
    def finished(self) -> bool:
        return self.day >= self.horizon or not getattr(self.model, "running", True)

    def step(self, days: int = 1) -> None:
        """Advance the model `days` working days, timing each."""
        for _ in range(days):
            began = time.perf_counter()
            self.model.step()
            self.step_seconds.append(time.perf_counter() - began)
            _ = self.history  # the day's row, read while the roster still holds the day's strain
