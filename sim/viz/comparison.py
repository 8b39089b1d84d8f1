"""Two regimes side by side on the same world: two sessions built from one seed and
stepped together, and what the page shows about the pair.

The two models share nothing but the seed. With common random numbers (the model draws
demand, that is arrivals and their efforts, from a stream of its own) the two sides then
face the same residents' requests and the same departmental tasks on the same days, and
every difference between them comes from the regime. The page proves it as it runs: each
side shows the new tasks today and the effort drawn so far, and `world_check` says
whether they have been equal on every day.

Plain Python, like `Session`, so the app, the tests and the benchmark share it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .layout import MAX_ROW_NODES
from .session import Session
from .settings import DEFAULT_SEED

EFFORT_KEY = "effort_created_hours_total"
"""The summary key for the effort of every task drawn so far (staff-hours)."""

STRIP_OUTCOMES = (
    "committee_self_governance_hours",
    "committee_self_governance_share",
    "tasks_done_on_time_share",
    "unfunded_work_share",
    "committee_backlog_hours",
    "open_tasks",
    "committee_participation",
    "formalism_hours_share",
)
"""The headline outcomes of the difference strip, by their names in the outcome registry
(`sim.outcomes`), which gives their labels and units: per-day series, and the
behaviours' state the view adds to each day (`behaviour.state_row`). Self-governance is
shown in hours as well as as a share, since a share can rise only because the other
work shrank; departments' load is left out (about zero in every regime)."""


def unit_kind(unit: str) -> str:
    """How the strip shows a difference in this unit: share (in percentage points),
    hours, count or ratio."""
    if unit.startswith("share"):
        return "share"
    if "hours" in unit and "/" not in unit:
        return "hours"
    if unit in ("tasks", "people"):
        return "count"
    return "ratio"


def strip_series(names: tuple[str, ...] = STRIP_OUTCOMES) -> tuple[tuple[str, str, str], ...]:
    """(per-day key, label, kind of unit) for each outcome, from the registry (its per-day
    entry where it has one)."""
    from ..outcomes import DAILY, OUTCOMES

    known = {**OUTCOMES, **{o.name: o for o in DAILY}}
    return tuple((name, known[name].label, unit_kind(known[name].unit)) for name in names if name in known)


DIFFERENCE_SERIES: tuple[tuple[str, str, str], ...] = strip_series()
"""The difference strip's series: key, label, kind of unit. A key the model's history
lacks is left out of the strip."""


@dataclass(frozen=True)
class Drawn:
    """What one side's world has produced so far: the check that both face the same one.
    Tasks are new arrivals (rework of box-ticked work, which the regime causes, is not
    counted)."""

    day: int
    tasks_today: int
    tasks_total: int
    effort_total: float | None  # staff-hours; None where the model does not report it


@dataclass(frozen=True)
class WorldCheck:
    """Whether the two sides have faced the same world on every day so far."""

    days: int
    same: bool
    first_difference: int | None  # the first day whose arrivals or effort differ
    effort_known: bool

    def sentence(self) -> str:
        if self.days == 0:
            return "Both sides start from the same seed; press Step."
        if not self.same:
            return (
                f"The two sides stopped facing the same world on day {self.first_difference}: "
                "arrivals or effort differ, so the difference strip mixes regime and chance."
            )
        what = "new tasks and effort drawn" if self.effort_known else "new tasks"
        return f"Same world: {what} equal on each of the {self.days} days so far."


@dataclass(eq=False)  # equal only to itself (solara compares dependencies)
class Comparison:
    """Two sessions on one seed, stepped together: left is the reference, right the
    alternative; differences are right minus left."""

    left: Session
    right: Session
    drawn: tuple[list[Drawn], list[Drawn]] = field(default_factory=lambda: ([], []))

    @classmethod
    def start(
        cls,
        left: str | Path,
        right: str | Path,
        seed: int = DEFAULT_SEED,
        left_values: dict[str, Any] | None = None,
        right_values: dict[str, Any] | None = None,
        max_row_nodes: int = MAX_ROW_NODES,
        names: tuple[str | None, str | None] = (None, None),
    ) -> Comparison:
        """Build both sides from day 0 on the same seed. Raises like `Session.start`."""
        return cls(
            Session.start(left, left_values, seed, max_row_nodes, name=names[0]),
            Session.start(right, right_values, seed, max_row_nodes, name=names[1]),
        )

    @property
    def sides(self) -> tuple[Session, Session]:
        return self.left, self.right

    @property
    def seed(self) -> int:
        return self.left.seed

    @property
    def day(self) -> int:
        return self.left.day

    @property
    def horizon(self) -> int:
        """The shorter of the two scenarios' lengths: both sides stop there."""
        return min(self.left.horizon, self.right.horizon)

    @property
    def finished(self) -> bool:
        return self.day >= self.horizon or self.left.finished or self.right.finished

    def step(self, days: int = 1) -> None:
        """Advance both sides `days` working days, one day each in turn."""
        for _ in range(days):
            for side, record in zip(self.sides, self.drawn):
                side.step(1)
                record.append(drawn_by(side.model, record[-1] if record else None))

    def differences(self, key: str) -> np.ndarray:
        """The day-by-day paired difference right - left of a per-day series."""
        n = min(len(self.left.history), len(self.right.history))
        left = np.array([row.get(key, np.nan) for row in self.left.history[:n]], dtype=float)
        right = np.array([row.get(key, np.nan) for row in self.right.history[:n]], dtype=float)
        return right - left

    def difference_series(self) -> tuple[tuple[str, str, str], ...]:
        """The strip's outcomes this model reports (all of them, once a day is run)."""
        history = self.left.history
        if not history:
            return DIFFERENCE_SERIES
        return tuple(s for s in DIFFERENCE_SERIES if s[0] in history[0])

    def world_check(self) -> WorldCheck:
        left, right = self.drawn
        first = None
        for a, b in zip(left, right):
            if a.tasks_today != b.tasks_today or not _same_effort(a.effort_total, b.effort_total):
                first = a.day
                break
        known = bool(left) and left[-1].effort_total is not None and right[-1].effort_total is not None
        return WorldCheck(len(left), first is None, first, known)


def drawn_by(model, previous: Drawn | None = None) -> Drawn:
    """New tasks arriving on the model's last day and in all (`tasks_created` counts
    arrivals only, not the rework of box-ticked work), and the effort drawn so far."""
    if not model.history:
        return Drawn(int(model.day), 0, 0, 0.0)
    summary = model.summary()
    total = int(summary.get("tasks_created", 0))
    today = total - (previous.tasks_total if previous is not None else 0)
    effort = summary.get(EFFORT_KEY)
    return Drawn(int(model.day), today, total, None if effort is None else float(effort))


def _same_effort(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return True  # not reported: the tasks' count is the check
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
