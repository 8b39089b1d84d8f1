"""Reverse evaluation (002): streets rate the departments that sink work on them."""

from __future__ import annotations

import numpy as np

from ..levels import DEPARTMENT
from ..world import World

# working days in one rating period: about a calendar month
RATING_PERIOD_DAYS = 21


def is_rating_day(world: World) -> bool:
    """Ratings are given at the end of each rating period, when the regime has them."""
    return world.lever_anywhere("reverse_evaluation") and world.day % RATING_PERIOD_DAYS == 0


def rate_departments(world: World) -> None:
    """Each period streets rate the departments by how much of what they sank came
    unfunded or through a closed gate; a bad rating lowers the department's push-down
    propensity for the next period."""
    pushed = world.month_pushed_hours
    bad = np.minimum(world.month_unfunded_hours + world.month_leaked_hours, pushed)
    badness = np.where(pushed > 0, bad / np.maximum(pushed, 1e-9), 0.0)
    # the departments of the worlds that rate (in a stack mixing regimes, not every world does)
    deps = (world.roster.level == DEPARTMENT) & world.lever_on("reverse_evaluation", slice(None))
    sens = world.lever_at("reverse_evaluation_sensitivity", deps)
    world.roster.push_down_bias[deps] = 1.0 - sens * badness[deps]
    pushed[:] = 0.0
    world.month_unfunded_hours[:] = 0.0
    world.month_leaked_hours[:] = 0.0
