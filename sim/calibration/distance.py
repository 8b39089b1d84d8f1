"""The ABC distance: the weighted mean misfit over the calibration patterns.

A particle's simulated "summary statistics" are one number per pattern (its statistic,
see `patterns.statistic`); the distance is sum(w_i * misfit_i) / sum(w_i) over the
patterns that are not held out. It is 0 when every calibration pattern is met, and one
unit means "on average one tolerance away". Held-out patterns never enter it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .patterns import Pattern, misfit


class PatternDistance:
    """Callable as pyabc wants a distance: `distance(x, x_0) -> float` (x_0 is ignored)."""

    def __init__(self, patterns: Sequence[Pattern]):
        self.patterns = [p for p in patterns if not p.held_out]
        if not self.patterns:
            raise ValueError("no calibration patterns: every pattern is held out")
        self.total_weight = sum(p.weight for p in self.patterns)

    def misfits(self, stats: Mapping[str, float]) -> dict[str, float]:
        return {p.id: misfit(p, stats.get(p.id, float("nan"))) for p in self.patterns}

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float] | None = None, *_args, **_kw) -> float:
        parts = self.misfits(x)
        return float(sum(p.weight * parts[p.id] for p in self.patterns) / self.total_weight)
