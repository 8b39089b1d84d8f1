"""Command-line option values checked at the door, shared by every subcommand.

An option typed wrong (`--workers two`, `--stack 0`, `--seed -1`) is refused the house's
way: an `InputError` naming the option, the rule and the value as typed, which the
`tiaokuai` command prints as one line and exits with status 2.
"""

from __future__ import annotations

import math

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


SCHEDULER_RULE = "expected an address like tcp://HOST:PORT"


def scheduler_address(address: str | None, workers: object = None) -> str | None:
    """--scheduler ADDRESS checked before anything connects or is written: refused with
    --workers (whose value as given is `workers`, None when absent), and refused unless it
    reads [PROTOCOL://]HOST:PORT with a port from 1 to 65535 (Dask's own parser would stop
    with a traceback). None or "" when not given: local processes."""
    if not address:
        return None
    if workers is not None:
        raise InputError([Problem("--workers", "", "give --workers or --scheduler, not both", workers)])
    protocol, _, rest = address.rpartition("://")
    if protocol == "inproc":  # Dask's in-process addresses carry no port
        return address
    host, _, port = rest.rpartition(":")
    if not host.strip("[]") or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InputError([Problem("--scheduler", "", SCHEDULER_RULE, address)])
    return address


def finite_seconds(value: float, option: str, most: float = 86_400) -> float:
    """A number of seconds from 0 to `most` (argparse has already made it a float; NaN and
    infinities are refused here)."""
    if not math.isfinite(value) or value < 0 or value > most:
        raise InputError([Problem(option, "", f"must be between 0 and {most:g} seconds", value)])
    return value
