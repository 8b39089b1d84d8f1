"""Design points: full factorials in a fixed order; samples that are what their method promises."""

import numpy as np
import pytest
from SALib.sample import sobol as salib_sobol

from sim.sweep.designs import factorial_points, salib_problem, sample_matrix, sampled_points
from sim.sweep.spec import Design

RANGES = {"levers.push_down_propensity": [0.1, 0.9], "levers.resources_follow_tasks": [0.0, 1.0],
          "levers.service_stations_per_street": {"low": 0, "high": 4, "integer": True}}


def test_a_factorial_has_every_combination_once_first_factor_slowest():
    points = factorial_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert points == [{"a": a, "b": b} for a in (1, 2) for b in ("x", "y", "z")]


def test_no_factors_is_one_empty_point():
    assert factorial_points({}) == [{}]


def test_a_latin_hypercube_puts_one_point_in_each_stratum_of_each_range():
    n = 16
    design = Design(method="latin_hypercube", samples=n, ranges={k: v for k, v in RANGES.items() if "stations" not in k})
    matrix = sample_matrix(design, master_seed=5)
    assert matrix.shape == (n, 2)
    for column, (low, high) in zip(matrix.T, [(0.1, 0.9), (0.0, 1.0)]):
        strata = np.floor((column - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_integer_ranges_are_rounded_to_whole_numbers_within_bounds():
    design = Design(method="latin_hypercube", samples=25, ranges=RANGES)
    values = [p["levers.service_stations_per_street"] for p in sampled_points(design, 1)]
    assert all(isinstance(v, int) and 0 <= v <= 4 for v in values)
    assert set(values) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("second_order, per_base", [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_is_saltelli_sampling_from_salib(second_order, per_base):
    design = Design(method="sobol", samples=8, ranges=RANGES, second_order=second_order)
    matrix = sample_matrix(design, master_seed=9)
    assert matrix.shape == (8 * per_base, 3)
    expected = salib_sobol.sample(salib_problem(design), 8, calc_second_order=second_order, seed=9)
    np.testing.assert_array_equal(matrix, expected)


def test_morris_has_one_trajectory_of_d_plus_one_points_per_sample():
    design = Design(method="morris", samples=5, ranges=RANGES, levels=4)
    matrix = sample_matrix(design, master_seed=2)
    assert matrix.shape == (5 * 4, 3)
    steps = np.abs(np.diff(matrix.reshape(5, 4, 3), axis=1))
    assert np.all((steps > 0).sum(axis=2) == 1)  # a trajectory moves one input at a time


def test_a_design_is_reproducible_from_its_seed():
    design = Design(method="latin_hypercube", samples=6, ranges=RANGES)
    assert sampled_points(design, 3) == sampled_points(design, 3)
    assert sampled_points(design, 3) != sampled_points(design, 4)
    seeded = Design(method="latin_hypercube", samples=6, ranges=RANGES, seed=3)
    assert sampled_points(seeded, 999) == sampled_points(design, 3)  # its own seed wins
