"""Degenerate cities reduce to textbook queues (issue #7, verification).

A department that never pushes down (propensity 0, no backlog sensitivity), with no
residents' work, no assessment, no overtime and no staff loss, is a single office with
Poisson arrivals and a fixed capacity of staff x hours_per_day staff-hours a day: a
discrete-time workload queue (see tests/support/queueing.py). To get many
independent queue-days out of one run, the city has 100 such departments: each keeps
its own tasks, so they are 100 independent copies of the same queue, and the summary's
`department_backlog_hours_mean` is their average over the post-warm-up days.

Tolerances: 4 standard errors of the model's estimate (two-sided false-alarm probability
about 6e-5), where the standard error comes from the theory, not from the model:
sqrt(sigma^2 / (offices x window days)) with sigma^2 the asymptotic variance of the
queue's time average (exact from the Markov chain, or across independent Lindley
chains). The warm-up of 100 days is several relaxation times of these queues (rho <= 0.7),
so the bias of starting empty is far below one standard error.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import TiaokuaiModel, run
from tests.support.queueing import (
    chain_mean_and_asymptotic_variance,
    closed_form_mean_queue_k1,
    fifo_sojourns,
    lindley_window_means,
)
from tests.support.verification_cities import OFFICES, QUEUE_DAYS, WARMUP, Z, single_office_city

pytestmark = pytest.mark.slow  # 2,000-day runs of 100 offices: the tolerance needs the queue-days

DAYS = QUEUE_DAYS


@pytest.fixture(scope="module")
def one_task_a_day():
    """lambda = 0.7 tasks/day of exactly 8 h, capacity 8 h/day: one task a day."""
    return run(single_office_city(0.7, 8.0, 0.0, 8.0), seed=11)


@pytest.fixture(scope="module")
def gamma_effort():
    """lambda = 0.7 tasks/day of gamma effort, mean 8 h, cv 1; capacity 10 h/day."""
    return run(single_office_city(0.7, 8.0, 1.0, 10.0), seed=12)


def test_one_task_a_day_queue_has_the_closed_form_mean_backlog(one_task_a_day):
    lam, e = 0.7, 8.0
    theory = e * closed_form_mean_queue_k1(lam)
    _, var = chain_mean_and_asymptotic_variance(lam, 1, states=300)
    se = e * np.sqrt(var / (OFFICES * (DAYS - WARMUP)))
    model = one_task_a_day.summary["department_backlog_hours_mean"]
    assert abs(model - theory) < Z * se, (model, theory, se)


def test_busy_share_of_hours_equals_the_offered_load(one_task_a_day):
    # utilisation = hours worked / hours available = departures x e / c -> rho = lambda e / c.
    # Departures over the window are arrivals +- the queue at its ends: Poisson-like SE.
    lam = 0.7
    se = np.sqrt(lam / (OFFICES * (DAYS - WARMUP)))
    assert one_task_a_day.summary["department_utilisation_mean"] == pytest.approx(lam, abs=Z * se + 0.002)


def test_four_tasks_a_day_queue_matches_the_markov_chain():
    lam, k, e = 2.8, 4, 2.0
    result = run(single_office_city(lam, e, 0.0, k * e), seed=13, timeseries=False)
    mean, var = chain_mean_and_asymptotic_variance(lam, k, states=300)
    se = e * np.sqrt(var / (OFFICES * (DAYS - WARMUP)))
    model = result.summary["department_backlog_hours_mean"]
    assert abs(model - e * mean) < Z * se, (model, e * mean, se)


def test_gamma_effort_queue_matches_an_independent_lindley_recursion(gamma_effort):
    chains = lindley_window_means(0.7, 8.0, 1.0, 10.0, DAYS, WARMUP, chains=2000, seed=99)
    theory, sd = chains.mean(), chains.std(ddof=1)
    se = np.sqrt(sd**2 / OFFICES + sd**2 / chains.size)
    model = gamma_effort.summary["department_backlog_hours_mean"]
    assert abs(model - theory) < Z * se, (model, theory, se)


def test_constant_effort_and_capacity_make_the_backlog_a_function_of_the_arrivals():
    """Given the arrivals the model drew, the backlog every day and every task's time in
    the system are determined (FIFO, two tasks a day): no tolerance beyond rounding."""
    days, lam, k, e = 300, 1.8, 2, 3.0
    model = TiaokuaiModel(single_office_city(lam, e, 0.0, k * e, offices=1, days=days, warmup=0), seed=5)
    for _ in range(days):
        model.step()
    created = np.array([h["tasks_created"] for h in model.history])
    expected_backlog, b = [], 0.0
    for n in created:
        b = max(b + n * e - k * e, 0.0)
        expected_backlog.append(b)
    ts = model.timeseries()
    backlog = ts.loc[ts.level == "department", "backlog_hours"].to_numpy()
    np.testing.assert_allclose(backlog, expected_backlog, atol=1e-9)
    done_day, created_day = fifo_sojourns(created, k)
    summary = model.summary()
    assert summary["tasks_done"] == done_day.size
    assert summary["sojourn_days_mean"] == pytest.approx((done_day - created_day).mean(), abs=1e-12)


def test_departures_are_counted_over_the_same_window_as_open_tasks(one_task_a_day):
    ts = one_task_a_day.timeseries
    done = ts.loc[(ts.level == "department") & (ts.day > WARMUP), "tasks_done"].sum()
    assert one_task_a_day.summary["departures_per_day"] == pytest.approx(done / (DAYS - WARMUP), rel=1e-12)
