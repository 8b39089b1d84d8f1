"""The five kinds of office, top to bottom, and the numeric tolerance the rules share.

`Level` is the one definition; `LEVELS` (their names, in order) and the constants
`DEPARTMENT` ... `SOCIAL_ORGANISATION` are derived from it for code that indexes arrays
by level. A roster's `level` column holds these codes.
"""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    """An office's place in the hierarchy: departments (条) above streets (块), service
    stations and residents' committees below the street, social organisations outside."""

    DEPARTMENT = 0
    STREET = 1
    STATION = 2
    COMMITTEE = 3
    SOCIAL_ORGANISATION = 4

    @property
    def label(self) -> str:
        return self.name.lower()


LEVELS: tuple[str, ...] = tuple(level.label for level in Level)
N_LEVELS = len(Level)
DEPARTMENT, STREET, STATION, COMMITTEE, SOCIAL_ORGANISATION = (int(level) for level in Level)
# levels that receive work from above (whose work counts for the unfunded share)
BELOW_DEPARTMENTS = (STREET, STATION, COMMITTEE)

# hours below this are nothing (float residue of subtracting efforts)
EPS = 1e-9
