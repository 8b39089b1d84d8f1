"""User-facing errors: a bad scenario, experiment or command line.

Each problem names where it is (file and dotted field path), the rule it breaks and the
bad value, so the command line can print one line per problem and exit with status 2.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

_REPR = reprlib.Repr(maxlevel=2, maxdict=4, maxlist=4, maxtuple=4, maxset=4, maxstring=60, maxother=60, maxlong=40)


def _short_repr(value: object) -> str:
    """At most 80 characters of a value's repr, without building the whole repr first (a
    value can be huge: an expanded YAML alias, a long string)."""
    try:
        shown = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails must not hide the error itself
        shown = f"<{type(value).__name__}>"
    shown = " ".join(shown.split())  # one line
    return shown if len(shown) <= 80 else shown[:77] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, which rule, what value."""

    source: str
    path: str
    rule: str
    value: object = None

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        where = " ".join(where.split()) if "\n" in where else where
        rule = " ".join(self.rule.split())  # one line, whatever the rule's text
        if self.value is None:
            return f"{where}: {rule}"
        shown = _short_repr(self.value)
        return f"{where}: {rule} (got {shown})"


class InputError(Exception):
    """A user mistake in a scenario, experiment file or command-line option."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
