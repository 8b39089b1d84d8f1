"""The state the offices' behaviours (issue 15, docs/behaviours.md) leave in a model, per
office level and day, as the view draws it.

Read from the model's per-day tally (`model.tally.days`: for each day, one array per
column with a value per level, sums over the level's offices), never from the agents:

- where blame sits: each level's share of all offices' blame stock (`sim.rules.blame`);
- formalism: each level's box-ticked hours as a share of its worked hours (`coping`);
- documentation: each level's hours documenting as a share of its worked hours (`blame`);
  both over the last `SHARE_WINDOW_DAYS` days, since the model counts a box-ticked
  task's hours on the day it is box-ticked, not over the days they are worked (a single
  day's ratio can exceed 1);
- what senders learned: departments' and streets' mean leak propensity (`compliance`);
- communities: committees' mean participation and the share of their latent
  self-governance left unserved (`community`);
- ranking pressure: each level's share of offices under a ranking's sanction, and its
  hours on administrative work as a share of its worked hours (`ranking`);
- burnout: each level's staff in post as a share of its posts (from the tally), and its
  offices' mean strain (`staff`), read from the roster as each day ends (a day the view
  did not see end, when the model was stepped elsewhere, has no strain).

The shares pooled over the government's levels follow the registry's summary definitions
(`formalism_hours_share`, `documentation_hours_share`, `self_governance_unmet_share`) day
by day, and every label is the registry's (`sim.outcomes`), with the level named.
`ViewHistory` keeps a model's daily history with these values added, one row per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..levels import N_LEVELS, Level
from ..outcomes import outcome

if TYPE_CHECKING:
    from ..model import TiaokuaiModel

GOVERNMENT = (Level.DEPARTMENT, Level.STREET, Level.STATION, Level.COMMITTEE)
SENDERS = (Level.DEPARTMENT, Level.STREET)  # who pushes work through admission gates
PLURAL = {
    Level.DEPARTMENT: "departments",
    Level.STREET: "streets",
    Level.STATION: "stations",
    Level.COMMITTEE: "committees",
    Level.SOCIAL_ORGANISATION: "social organisations",
}


@dataclass(frozen=True)
class Measure:
    """One behaviour's state per level: a tally column divided by another, for each of
    `levels`; `pooled` names the registry outcome that the same ratio over all of
    `levels` is (its per-day value), or None."""

    name: str  # the per-level series is "<level>_<name>"
    outcome: str  # the registry outcome whose label and unit describe it
    column: str  # the tally column (a sum over the level's offices)
    per: str  # the tally column it is divided by: "hours_used" (a share) or "offices" (a mean)
    levels: tuple[Level, ...]
    pooled: str | None = None

    def key(self, level: Level) -> str:
        return f"{level.label}_{self.name}"


FORMALISM = Measure("formalism_share", "formalism_hours_share", "formalism_hours", "hours_used", GOVERNMENT,
                    pooled="formalism_hours_share")
DOCUMENTATION = Measure("documentation_share", "documentation_hours_share", "documentation_hours", "hours_used",
                        GOVERNMENT, pooled="documentation_hours_share")
LEAK = Measure("leak_propensity", "department_leak_propensity_mean", "leak_propensity", "offices", SENDERS)
PARTICIPATION = Measure("participation", "participation_mean", "participation", "offices", (Level.COMMITTEE,))
RANKED = (Level.STREET, Level.COMMITTEE)  # who is ranked monthly (sim.rules.ranking)
SANCTIONED = Measure("sanctioned_share", "sanctioned_offices_share", "sanctioned", "offices", RANKED,
                     pooled="sanctioned_offices_share")
ADMINISTRATIVE = Measure("administrative_share", "committee_administrative_share", "administrative_hours",
                         "hours_used", RANKED)
MEASURES = (FORMALISM, DOCUMENTATION, LEAK, PARTICIPATION, SANCTIONED, ADMINISTRATIVE)

SHARE_WINDOW_DAYS = 10
"""Days over which the shares of hours (formalism, documentation) are taken."""

BLAME_SHARE = "blame_stock_share"  # "<level>_blame_stock_share": the level's share of all blame stock
UNMET = "self_governance_unmet_share"
STAFF_SHARE = "staff_share"  # "<level>_staff_share": staff in post / posts
STRAIN = "strain"  # "<level>_strain": the level's offices' mean strain (burnout stock, 0 = rested)


def blame_key(level: Level) -> str:
    return f"{level.label}_{BLAME_SHARE}"


def staff_key(level: Level) -> str:
    return f"{level.label}_{STAFF_SHARE}"


def strain_key(level: Level) -> str:
    return f"{level.label}_{STRAIN}"


def label(measure_outcome: str, level: Level | None = None) -> str:
    """The registry's label of an outcome, said of `level` ("departments' learned leak
    propensity" of streets is "streets' learned leak propensity")."""
    text = outcome(measure_outcome).label
    if level is None:
        return text
    known = outcome(measure_outcome).level
    if known is not None and PLURAL[known] in text:
        return text.replace(PLURAL[known], PLURAL[level])
    return f"{text}, {PLURAL[level]}"


def state_row(days: list[dict[str, np.ndarray]]) -> dict[str, float]:
    """The behaviours' state on the last of `days` (`Tally.days` records, the last
    `SHARE_WINDOW_DAYS` or fewer): shares of hours over all of them, stocks on the last.
    A level without offices has no values (its lines are not drawn)."""
    day = days[-1]
    offices = day["offices"]
    present = [lv for lv in GOVERNMENT if offices[lv] > 0]
    row: dict[str, float] = {}
    for m in MEASURES:
        window = days if m.per == "hours_used" else days[-1:]
        part = np.sum([d[m.column] for d in window], axis=0)
        whole = np.sum([d[m.per] for d in window], axis=0)
        for lv in m.levels:
            if offices[lv] > 0:
                row[m.key(lv)] = _ratio(part[lv], whole[lv])
        if m.pooled is not None:
            levels = [int(lv) for lv in m.levels]
            row[m.pooled] = _ratio(part[levels].sum(), whole[levels].sum())
    blame = day["blame_stock"]
    total = float(sum(blame[lv] for lv in present))
    for lv in present:
        row[blame_key(lv)] = float(blame[lv]) / total if total > 0 else np.nan
    demand = float(day["self_governance_demand_hours"][Level.COMMITTEE])
    row[UNMET] = 1.0 - float(day["self_governance_taken_hours"][Level.COMMITTEE]) / demand if demand > 0 else np.nan
    return row


def _ratio(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole > 0 else 0.0


def staff_row(day: dict[str, np.ndarray], posts: np.ndarray) -> dict[str, float]:
    """Each level's staff in post as a share of its posts on one day."""
    return {staff_key(lv): float(day["staff"][lv]) / float(posts[lv]) for lv in GOVERNMENT if posts[lv] > 0}


def strain_row(model: TiaokuaiModel) -> dict[str, float]:
    """Each level's mean strain now (the roster holds only the current day's)."""
    roster = model.roster
    offices = np.bincount(roster.level, minlength=N_LEVELS)
    total = np.bincount(roster.level, weights=roster.strain, minlength=N_LEVELS)
    return {strain_key(lv): float(total[lv] / offices[lv]) for lv in GOVERNMENT if offices[lv] > 0}


class ViewHistory:
    """A model's daily history (`model.history`) with each day's behaviour state added,
    extended as the model steps (read lazily, whoever stepped it; read after every day,
    as `Session.step` does, so that each day has its strain)."""

    def __init__(self, model: TiaokuaiModel) -> None:
        self.model = model
        self._rows: list[dict] = []
        roster = model.roster
        self.posts = np.bincount(roster.level, weights=roster.posts, minlength=N_LEVELS)

    @property
    def rows(self) -> list[dict]:
        history, days = self.model.history, self.model.tally.days
        last = min(len(history), len(days))
        for k in range(len(self._rows), last):
            window = days[max(0, k + 1 - SHARE_WINDOW_DAYS): k + 1]
            row = {**history[k], **state_row(window), **staff_row(days[k], self.posts)}
            if k == last - 1:
                row.update(strain_row(self.model))
            self._rows.append(row)
        return self._rows
