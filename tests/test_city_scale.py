"""The city-scale scenario (issue #8) is a Shanghai-sized city that runs and conserves tasks.

Not a timing test: benchmarks/city_scale.py measures speed and memory.
"""

import numpy as np

from sim import TiaokuaiModel
from sim.agents import COMMITTEE, STREET
from tests.support.cities import preset


def test_city_scale_is_shanghai_sized():
    model = TiaokuaiModel(preset("city-scale"), seed=0)
    level = model.roster.level
    assert 200 <= (level == STREET).sum() <= 230  # ≈215 streets and towns
    assert 5800 <= (level == COMMITTEE).sum() <= 6200  # ≈6,000 committees


def test_city_scale_runs_a_few_days_and_every_task_is_in_one_state():
    model = TiaokuaiModel(preset("city-scale"), seed=3)
    for _ in range(4):
        model.step()
        tally = model.tally
        open_now = int((model.tasks.state == 0).sum())
        assert tally.created + tally.reworked == tally.done + tally.abandoned + open_now
        assert np.all(model.roster.hours_used <= model.roster.capacity + 1e-6)
    assert tally.created > 50_000  # ≈20,000 tasks a day
