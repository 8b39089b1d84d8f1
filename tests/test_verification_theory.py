"""The queueing theory of tests/support/queueing.py checked against itself: the Markov
chain against the closed form, the Lindley recursion against the chain, FIFO bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.queueing import (
    chain_mean_and_asymptotic_variance,
    closed_form_mean_queue_k1,
    fifo_sojourns,
    lindley_window_means,
)


@pytest.mark.parametrize("lam", [0.3, 0.8])
def test_markov_chain_mean_equals_the_closed_form_for_one_task_a_day(lam):
    mean, _ = chain_mean_and_asymptotic_variance(lam, 1, states=400)
    assert mean == pytest.approx(closed_form_mean_queue_k1(lam), rel=1e-9)


def test_lindley_recursion_agrees_with_the_markov_chain():
    # 400 chains x 3000 days: the average of the window means has SE sqrt(sigma^2/(T R)).
    lam, k, e = 3.2, 4, 2.0
    mean, var = chain_mean_and_asymptotic_variance(lam, k, states=400)
    means = lindley_window_means(lam, e, 0.0, k * e, 3000, 100, 400, seed=7)
    se = np.sqrt(var / (2900 * 400)) * e
    assert abs(means.mean() - mean * e) < 4 * se


def test_an_empty_day_leaves_an_empty_queue():
    done, created = fifo_sojourns(np.array([0, 3, 0, 0]), per_day=2)
    assert done.tolist() == [2, 2, 3] and created.tolist() == [2, 2, 2]
