"""Design points: the settings of the varied levers, one mapping per point.

A full factorial crosses the factors' levels (the first factor varies slowest); a
sampling design draws points over ranges: Latin hypercube through `scipy.stats.qmc`,
Sobol (Saltelli) and Morris through SALib, in the order SALib's analysers expect.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from sim.scenario_io import coerce_for_field

from .spec import Design, Experiment


def design_points(experiment: Experiment) -> list[dict[str, Any]]:
    """All points of the experiment's design; one empty point when nothing varies."""
    if experiment.design is not None:
        return sampled_points(experiment.design, experiment.master_seed)
    return factorial_points(experiment.factors)


def factorial_points(factors: dict[str, list[Any]]) -> list[dict[str, Any]]:
    paths = list(factors)
    return [dict(zip(paths, combo)) for combo in itertools.product(*(factors[p] for p in paths))]


def salib_problem(design: Design) -> dict:
    """The design's ranges as SALib's `problem` mapping."""
    paths = list(design.ranges)
    return {
        "num_vars": len(paths),
        "names": paths,
        "bounds": [[design.ranges[p].low, design.ranges[p].high] for p in paths],
    }


def sample_matrix(design: Design, master_seed: int) -> np.ndarray:
    """The raw sample, one row per point, before integer rounding."""
    seed = design.seed if design.seed is not None else master_seed
    problem = salib_problem(design)
    if design.method == "latin_hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(seed)).random(
            design.samples
        )
        lows, highs = np.array(problem["bounds"]).T
        return qmc.scale(unit, lows, highs)
    if design.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, design.samples, calc_second_order=design.second_order, seed=seed
        )
    from SALib.sample import morris

    return morris.sample(problem, design.samples, num_levels=design.levels, seed=seed)


def sampled_points(design: Design, master_seed: int) -> list[dict[str, Any]]:
    return points_from_matrix(design, sample_matrix(design, master_seed))


def points_from_matrix(design: Design, matrix: np.ndarray) -> list[dict[str, Any]]:
    """The sample's rows as design points (integer ranges rounded)."""
    paths = list(design.ranges)
    points = []
    for row in matrix:
        point: dict[str, Any] = {}
        for path, value in zip(paths, row):
            number = int(round(value)) if design.ranges[path].integer else float(value)
            point[path] = coerce_for_field(path, number)
        points.append(point)
    return points
