"""User-facing errors: a bad scenario, experiment or command line.

Each problem names where it is (file and dotted field path), the rule it breaks and the
bad value, so the command line can print one line per problem and exit with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, which rule, what value."""

    source: str
    path: str
    rule: str
    value: object = None

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        if self.value is None:
            return f"{where}: {self.rule}"
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{where}: {self.rule} (got {shown})"


class InputError(Exception):
    """A user mistake in a scenario, experiment file or command-line option."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
