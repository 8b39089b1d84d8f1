"""Independent queueing theory for the verification tests.

Nothing here imports the model. A single office that keeps every task it creates, with
Poisson arrivals and a fixed number of staff-hours a day, is a discrete-time workload
queue: the backlog left at the end of day t is Lindley's recursion

    B_t = max(B_{t-1} + X_t - c, 0),   X_t = effort of the A_t ~ Poisson(lambda) arrivals,

because the office works down its queue until the day's hours c run out (work conserving).
With constant effort e and c = k e the queue in tasks is the Markov chain
N_t = max(N_{t-1} + A_t - k, 0), solved here exactly on a truncated state space; for
k = 1 its mean has the closed form lambda^2 / (2 (1 - lambda)) (the discrete-time
Pollaczek-Khinchine formula; Bruneel & Kim 1993, *Discrete-time models for communication
systems*, ch. 2: square the recursion and take expectations in steady state).

The verification tests (tests/test_verification_*.py) compare the model with these, and
`benchmarks/verification_table.py` imports them to print the table of docs/verification.md;
tests/test_verification_theory.py checks the theory against itself.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson


def closed_form_mean_queue_k1(lam: float) -> float:
    """Mean end-of-day queue (tasks) of N' = max(N + A - 1, 0), A ~ Poisson(lam)."""
    if not 0 <= lam < 1:
        raise ValueError(f"lam(={lam}) must be in [0, 1) for a stable queue")
    return lam**2 / (2.0 * (1.0 - lam))


def markov_chain(lam: float, k: int, states: int = 600) -> np.ndarray:
    """Transition matrix of N' = max(N + A - k, 0) on 0..states-1 (overflow lumped at the top)."""
    n = np.arange(states)
    p = np.zeros((states, states))
    a = np.arange(states + k)
    pa = poisson.pmf(a, lam)
    for i in n:
        nxt = np.maximum(i + a - k, 0)
        keep = nxt < states
        np.add.at(p[i], nxt[keep], pa[keep])
        p[i, -1] += 1.0 - p[i].sum()
    return p


def chain_mean_and_asymptotic_variance(lam: float, k: int, states: int = 600) -> tuple[float, float]:
    """Stationary mean of N and the asymptotic variance of its time average,
    sigma^2 = lim T Var(mean of N_1..N_T) = 2 <f, Z f>_pi - <f, f>_pi with f = N - E N and
    Z = (I - P + 1 pi)^-1 the fundamental matrix (Kemeny & Snell)."""
    p = markov_chain(lam, k, states)
    w, v = np.linalg.eig(p.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1.0))])
    pi = np.abs(pi) / np.abs(pi).sum()
    f = np.arange(states, dtype=float)
    mean = float(pi @ f)
    fc = f - mean
    z = np.linalg.inv(np.eye(states) - p + np.outer(np.ones(states), pi))
    var = float(2.0 * pi @ (fc * (z @ fc)) - pi @ (fc * fc))
    return mean, var


def lindley_window_means(
    lam: float, effort_mean: float, effort_cv: float, capacity: float, days: int, warmup: int,
    chains: int, seed: int,
) -> np.ndarray:
    """Window mean of the end-of-day backlog (hours) of `chains` independent Lindley
    recursions, each over days warmup+1..days, started empty. Effort is gamma (the sum of
    n gamma(a, theta) efforts is gamma(n a, theta)) or constant when effort_cv is 0."""
    rng = np.random.default_rng(seed)
    b = np.zeros(chains)
    total = np.zeros(chains)
    shape = 1.0 / effort_cv**2 if effort_cv > 0 else 0.0
    for day in range(1, days + 1):
        n = rng.poisson(lam, chains)
        if effort_cv > 0:
            x = np.where(n > 0, rng.gamma(np.maximum(n * shape, 1e-12), effort_mean / max(shape, 1e-12)), 0.0)
        else:
            x = n * effort_mean
        b = np.maximum(b + x - capacity, 0.0)
        if day > warmup:
            total += b
    return total / (days - warmup)


def fifo_sojourns(created_per_day: np.ndarray, per_day: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic FIFO service of `per_day` tasks a day: (day done, day created) of every
    task done, given how many arrived each day (day 1 first; arrivals can be served the
    day they arrive)."""
    queue: list[int] = []
    done_day, created_day = [], []
    for day, n in enumerate(created_per_day, start=1):
        queue.extend([day] * int(n))
        take, queue = queue[:per_day], queue[per_day:]
        done_day.extend([day] * len(take))
        created_day.extend(take)
    return np.array(done_day), np.array(created_day)
