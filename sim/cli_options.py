"""Command-line option values checked at the door, shared by every subcommand.

An option typed wrong (`--workers two`, `--stack 0`, `--seed -1`) is refused the house's
way: an `InputError` naming the option, the rule and the value as typed, which the
`tiaokuai` command prints as one line and exits with status 2.
"""

from __future__ import annotations

from .errors import InputError, Problem


def whole_number(text: str | None, option: str, least: int = 1, rule: str | None = None) -> int | None:
    """`text` as a whole number of at least `least` (None when the option was not given);
    otherwise an InputError saying `rule` (by default "must be a whole number of at least
    `least`") about `option` and `text`."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < least:
        raise InputError([Problem(option, "", rule or f"must be a whole number of at least {least}", text)])
    return value
