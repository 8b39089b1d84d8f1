"""Immutable result of one run: a flat summary and a tidy per-day, per-level table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # pandas is imported only where a time series is made or read
    import pandas as pd


class Summary(dict):
    """A run's flat summary (outcome name -> value; the names are declared in
    `sim.outcomes`). A dict, so JSON, pandas and `dict(...)` take it as one, but it
    refuses every change; it pickles, so results travel to process and Dask workers.
    `dict(summary)` gives a copy to change."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a run's summary cannot be changed; dict(summary) gives a copy")

    __setitem__ = __delitem__ = __ior__ = _refuse
    update = pop = popitem = clear = setdefault = _refuse

    def __reduce__(self):
        return (Summary, (dict(self),))

    def __copy__(self) -> Summary:
        return self

    def __deepcopy__(self, memo: dict) -> Summary:
        return self


class RunResult:
    """What `sim.run(scenario, seed)` returns, and cannot be changed.

    `summary` is one flat, read-only mapping (see `Summary`); `timeseries` has one row per
    day per level (columns `day`, `level`, ...), or is None when the caller asked for the
    summary only. Each read of `timeseries` gives a copy-on-write view, so changing it
    never changes the result.
    """

    __slots__ = ("_summary", "_timeseries")
    _summary: Summary
    _timeseries: pd.DataFrame | None

    def __init__(self, summary: Mapping[str, Any], timeseries: pd.DataFrame | None = None):
        object.__setattr__(self, "_summary", summary if isinstance(summary, Summary) else Summary(summary))
        object.__setattr__(self, "_timeseries", timeseries)

    @property
    def summary(self) -> Summary:
        return self._summary

    @property
    def timeseries(self) -> pd.DataFrame | None:
        return None if self._timeseries is None else self._timeseries.copy(deep=False)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"a RunResult cannot be changed (tried to set {name})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a RunResult cannot be changed (tried to delete {name})")

    def __reduce__(self):
        return (RunResult, (dict(self._summary), self._timeseries))

    def __eq__(self, other: object) -> bool:
        """Equal summaries (the table is not compared)."""
        return isinstance(other, RunResult) and dict(self._summary) == dict(other._summary)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        rows = "no timeseries" if self._timeseries is None else f"timeseries of {len(self._timeseries)} rows"
        return f"RunResult({self._summary.get('scenario')!r}, seed={self._summary.get('seed')!r}, {rows})"
