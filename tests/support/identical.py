"""Bit for bit: what the stacking tests mean by a run's result being its result alone."""

from __future__ import annotations

import math


def same(a, b) -> bool:
    """Equal values of the same type, NaN equal to NaN (an outcome with nothing to count)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b
