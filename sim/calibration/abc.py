"""ABC-SMC with pyabc: priors from the experiment file, the pattern distance, a resumable history.

pyabc (https://pyabc.readthedocs.io) does the sequential Monte Carlo: it proposes
parameter sets (particles), asks our model for their pattern statistics, accepts those
within the generation's epsilon of the patterns, and tightens epsilon generation by
generation (the median of the last generation's distances). Its history is an SQLite
file, so an interrupted calibration resumes from the last finished generation.

Where the runs happen: pyabc's sampler only proposes and weighs particles; each particle's
model runs go to a sweep executor (see `simulator`). With one particle in flight pyabc's
`SingleCoreSampler` is used and the calibration is reproducible from the master seed; with
more (`particles_in_flight > 1`, worth it on a Dask cluster with many workers) pyabc's
`ConcurrentFutureSampler` evaluates several particles at once from threads of this
process, each handing its runs to the same executor (faster, not bit-reproducible).

The first generation is the prior itself (initial epsilon infinite), so no separate
calibration sample is spent; a resumed run takes its first epsilon from the last stored
generation.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .distance import PatternDistance
from .spec import Parameter

SEED_KEY = "_seed"


def quiet_pyabc() -> None:
    """pyabc logs every generation at INFO; the command line keeps only warnings."""
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Adaptation").setLevel(logging.WARNING)


def prior(parameters: Mapping[str, Parameter]):
    import pyabc

    rvs = {}
    for path, par in parameters.items():
        p = par.prior
        if p.distribution == "uniform":
            rvs[path] = pyabc.RV("uniform", p.low, p.high - p.low)
        else:
            rvs[path] = pyabc.RV("loguniform", p.low, p.high)
    return pyabc.Distribution(**rvs)


def abc_model(evaluate: Callable[[dict, int], dict]) -> Callable[[dict], dict]:
    """pyabc's model: parameters -> statistics; each particle draws its own run seed."""

    def model(pars) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        stats = dict(evaluate(dict(pars), seed))
        stats[SEED_KEY] = seed
        return stats

    return model


def run_abc(
    evaluate: Callable[[dict, int], dict],
    parameters: Mapping[str, Parameter],
    distance: PatternDistance,
    db: str | Path,
    population: int,
    generations: int,
    seed: int,
    max_simulations: int | None = None,
    particles_in_flight: int = 1,
):
    """Run (or resume) ABC-SMC into the SQLite file `db`; returns pyabc's History.

    Resuming: if `db` holds a run, the generations it finished are kept and only the
    missing ones are run (a generation cut off half-way is redone).
    """
    import pyabc

    quiet_pyabc()
    np.random.seed(seed % (2**32))
    if particles_in_flight > 1:
        pool = ThreadPoolExecutor(max_workers=particles_in_flight)
        sampler = pyabc.sampler.ConcurrentFutureSampler(
            pool, client_max_jobs=particles_in_flight, default_pickle=False
        )
    else:
        pool = None
        sampler = pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    url = f"sqlite:///{Path(db).resolve()}"
    done = finished_generations(db)
    # A new run starts from the prior (epsilon infinite); a resumed one from the median
    # distance of its last finished generation, as if it had never stopped.
    abc = pyabc.ABCSMC(
        abc_model(evaluate),
        prior(parameters),
        distance,
        population_size=population,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(initial_epsilon="from_sample" if done else math.inf),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # pyabc's inf - inf in its first epsilon check
            if done:
                abc.load(url, abc_id=1)
            else:
                abc.new(url, {p.id: 0.0 for p in distance.patterns})
            remaining = generations - done
            if remaining > 0:
                abc.run(
                    max_nr_populations=remaining,
                    max_total_nr_simulations=max_simulations or np.inf,
                    minimum_epsilon=0.0,
                )
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return abc.history


def finished_generations(db: str | Path) -> int:
    """How many generations a history file holds (0 if none)."""
    if not Path(db).exists():
        return 0
    import pyabc

    h = pyabc.History(f"sqlite:///{Path(db).resolve()}", _id=1)
    try:
        return int(h.max_t) + 1 if h.max_t is not None and h.max_t >= 0 else 0
    except Exception:  # noqa: BLE001 - an empty or foreign file holds no generations
        return 0


def posterior_frame(history, t: int | None = None):
    """A generation's particles (default: the last): parameters, weight, distance, statistics."""
    import pandas as pd

    t = history.max_t if t is None else t
    pop = history.get_population(t=t)
    weights = np.array([p.weight for p in pop.particles], dtype=float)
    weights = weights / weights.sum()
    rows = []
    for p, w in zip(pop.particles, weights):
        row = {k: float(v) for k, v in dict(p.parameter).items()}
        row["weight"] = float(w)
        row["distance"] = float(p.distance)
        row["generation"] = int(t)
        for k, v in dict(p.sum_stat).items():
            row[f"stat:{k}"] = float(v)
        rows.append(row)
    return pd.DataFrame(rows)
