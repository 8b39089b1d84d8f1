"""The actors: departments (条), streets (块), service stations, residents' committees and
social organisations.

Each actor is a Mesa agent. Its numbers (staff, strain, budget, backlog) live in the
world's `Roster` arrays (sim.world), so that a whole level can decide and work in a few
vectorised operations; the agent is the named, inspectable view of its row. The decision
rules are functions of the World in `sim.rules`.
"""

from __future__ import annotations

import mesa

from .levels import COMMITTEE, DEPARTMENT, LEVELS, SOCIAL_ORGANISATION, STATION, STREET, Level

__all__ = [
    "COMMITTEE",
    "DEPARTMENT",
    "LEVELS",
    "OFFICE_TYPES",
    "SOCIAL_ORGANISATION",
    "STATION",
    "STREET",
    "Level",
    "Office",
]


class Office(mesa.Agent):
    """Common view of one row of the roster."""

    level_code: int = -1

    def __init__(self, model: mesa.Model, idx: int, label: str, parent_idx: int):
        super().__init__(model)
        self.idx = idx
        self.label = label
        self.parent_idx = parent_idx

    @property
    def level(self) -> str:
        return LEVELS[self.level_code]

    @property
    def district(self) -> int:
        return int(self.model.roster.district[self.idx])

    @property
    def staff(self) -> int:
        return int(self.model.roster.staff[self.idx])

    @property
    def strain(self) -> float:
        return float(self.model.roster.strain[self.idx])

    @property
    def daily_hours(self) -> float:
        return self.staff * self.model.config.staff.hours_per_day

    @property
    def backlog_hours(self) -> float:
        return float(self.model.roster.backlog_hours[self.idx])

    @property
    def load(self) -> float:
        """Backlog in days of normal work (inf-safe: an office with no staff has load = backlog)."""
        return self.backlog_hours / max(self.daily_hours, 1.0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r}, staff={self.staff}, backlog={self.backlog_hours:.0f}h)"


class Department(Office):
    """A district functional department (职能部门): holds authority, budget and posts;
    creates administrative tasks and decides which to push down to streets."""

    level_code = DEPARTMENT


class Street(Office):
    """A street office (街道办事处): receives what departments sink, does it, hands it to
    committees or stations, buys it from social organisations, or escalates it."""

    level_code = STREET


class ServiceStation(Office):
    """A community public service station (社区公共服务站) staffed by the street, taking
    administrative work off residents' committees (Jinjiang, 001)."""

    level_code = STATION


class ResidentsCommittee(Office):
    """A residents' committee (居民委员会): self-governing in law, everyone's legs in practice.
    Serves residents' requests and self-governance matters; does what is sunk to it."""

    level_code = COMMITTEE


class SocialOrganisation(Office):
    """A social organisation (社会组织) selling services to streets; its work may be rejected
    and come back to the buyer as rework."""

    level_code = SOCIAL_ORGANISATION


OFFICE_TYPES = (Department, Street, ServiceStation, ResidentsCommittee, SocialOrganisation)
