"""With everything pushed down and no street gate, streets receive exactly what the
departments push, at the sum of the departments' arrival rates (issue #7, verification).

The city: departments that push every task (propensity 1), no street gate, and a
committee admission list with nothing on it that every sender respects, so each street
keeps what it receives and its arrivals can be counted as its tasks done plus its tasks
still open. Streets have ample hours, so nothing is pushed back or escalated.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import TiaokuaiModel
from sim.agents import DEPARTMENT
from tests.support.verification_cities import DEPARTMENTS, KINDS, PUSH_DAYS, everything_pushed_city, street_arrivals

DAYS = PUSH_DAYS


@pytest.fixture(scope="module")
def pushed():
    model = TiaokuaiModel(everything_pushed_city(), seed=3)
    model.track_flows = True
    pushed_hours = 0.0
    departments = set(np.flatnonzero(model.roster.level == DEPARTMENT).tolist())
    for _ in range(DAYS):
        model.step()
        pushed_hours += sum(h for (sender, _), h in model.recent_flows().items() if sender in departments)
    return model, model.summary(), model.timeseries(), pushed_hours


def test_every_task_a_department_creates_arrives_at_a_street(pushed):
    _, summary, ts, _ = pushed
    tasks, _ = street_arrivals(ts)
    departments = ts[ts.level == "department"]
    assert departments.tasks_done.sum() == 0 and departments.open_tasks.iloc[-1] == 0
    assert tasks == summary["tasks_created"]


def test_street_hours_received_equal_the_hours_departments_pushed(pushed):
    _, _, ts, pushed_hours = pushed
    _, hours = street_arrivals(ts)
    assert hours == pytest.approx(pushed_hours, rel=1e-9)


def test_street_arrival_rate_is_the_sum_of_the_departments_rates(pushed):
    # The count over DAYS days is Poisson with mean DAYS x rate: 4 standard deviations.
    _, _, ts, _ = pushed
    tasks, _ = street_arrivals(ts)
    rate = DEPARTMENTS * sum(r for _, r, _, _ in KINDS)
    assert tasks / DAYS == pytest.approx(rate, abs=4 * np.sqrt(rate * DAYS) / DAYS)
