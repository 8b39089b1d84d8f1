"""Same scenario and seed, same results, in this process or another; other seeds differ."""

import multiprocessing as mp

import pandas as pd

from sim import run
from tests.support.cities import small


def _summary_in_child(args):
    scenario, seed = args
    return run(scenario, seed, timeseries=False).summary


def test_same_seed_gives_identical_summary_and_timeseries():
    scenario = small("leaky-admission-list", days=60, warmup=10)
    a, b = run(scenario, 11), run(scenario, 11)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)


def test_different_seeds_give_different_runs():
    scenario = small(days=60, warmup=10)
    assert run(scenario, 1).summary["tasks_created"] != run(scenario, 2).summary["tasks_created"]


def test_a_fresh_spawned_process_reproduces_the_run():
    scenario = small("gate-and-resources", days=40, warmup=10, levers__purchasing_budget_share=0.3)
    here = run(scenario, 5, timeseries=False).summary
    with mp.get_context("spawn").Pool(1) as pool:
        there = pool.map(_summary_in_child, [(scenario, 5)])[0]
    assert here == there


def test_stepping_the_model_matches_run():
    from sim import TiaokuaiModel

    scenario = small(days=30, warmup=5)
    model = TiaokuaiModel(scenario, 9)
    for _ in range(30):
        model.step()
    assert model.summary() == run(scenario, 9, timeseries=False).summary
    assert model.day == 30
