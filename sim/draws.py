"""Decision draws that belong to a task, so that the same task meets the same chance in
every regime (common random numbers for decisions, issue 13).

Demand is common already (sim.streams): two regimes on one seed create the same tasks.
Their decisions were not: each decision kind drew `rows.size` numbers from its stream,
so once one regime decided on a different number of tasks (a gate keeps some at the
department, a station takes others) every later draw went to another task, and the two
regimes' decisions were independent. Pairing then removed almost none of the variance
decisions bring.

Decisions that belong to an office, not a task (how many of its staff leave today), are
drawn the same way from a key of the office — its level and its position within the
level, which no regime changes (stations shift committees' roster rows, not their
positions) — and the day; a count is drawn by inverting its distribution at that uniform,
so a regime that strains an office more makes more of its staff leave on the same draw
rather than drawing afresh.

Here every task gets a 64-bit key when it is drawn (before data sharing may drop it),
a hash of the run's decision key, the day, its demand source and its position in that
day's draw of that source; nothing a regime does changes which key a task gets. Each
decision is then a counter-based uniform, a hash of (task key, decision, attempt) — a
dedicated stream per task that is never consumed, so the order and the number of
decisions a regime takes shift no other draw. A task a department pushes down in two
regimes wishes to push with the same uniform, meets a gate with the same compliance
draw, is accepted by the same escalation draw on its k-th try, and so on.

The hash is SplitMix64's finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom
number generators", OOPSLA 2014), a bijection of 64-bit words whose outputs on a counter
pass BigCrush; the uniform is its top 53 bits, as NumPy's generators make doubles.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

# the spawn key of the run's decision key (15, 16: sim.behaviour; 0..12: sim.streams)
TASK_DRAW_SPAWN_KEY = 17


class Source(IntEnum):
    """Where a task was drawn: part of its key, so one source's count leaves the others' keys alone."""

    DEPARTMENTS = 1
    RESIDENTS = 2
    STREET_ASSESSMENTS = 3
    COMMITTEE_ASSESSMENTS = 4
    CAMPAIGNS = 5


class Decision(IntEnum):
    """The decisions taken on a task, each with a draw of its own."""

    PUSH_DEPARTMENT = 1  # a department wishes to push it down (sim.rules.routing)
    PUSH_STREET = 2  # a street wishes to push it down
    STATION = 3  # which of the street's stations gets it
    GATE_STREET = 4  # the sender respects the street gate's refusal
    GATE_COMMITTEE = 5  # the sender respects the committee gate's refusal
    AUDIT_STREET = 6  # a leak through the street gate is audited (sim.rules.compliance)
    AUDIT_COMMITTEE = 7
    PURCHASE = 8  # which social organisation is asked
    ESCALATION = 9  # the department takes it back (attempt: bounces so far)
    QUALITY = 10  # purchased work is rejected (attempt: reworks so far)
    REWORK = 11  # box-ticked work comes back (attempt: reworks so far)
    STAFF_LEAVES = 12  # how many of an office's staff leave today (an office's draw, not a task's)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 words that scrambles every bit."""
    return _mix_in_place(np.array(x, dtype=np.uint64))  # a copy, worked on in place


def _mix_in_place(x: np.ndarray) -> np.ndarray:
    """`mix` of a uint64 array the caller owns (made for the purpose), in place; returns it."""
    with np.errstate(over="ignore"):
        x ^= x >> _S30
        x *= _M1
        x ^= x >> _S27
        x *= _M2
        x ^= x >> _S31
    return x


def run_key(seed: int) -> int:
    """The run's decision key, from its seed (same seed, same key, in any process)."""
    state = np.random.SeedSequence(entropy=int(seed), spawn_key=(TASK_DRAW_SPAWN_KEY,)).generate_state(1, np.uint64)
    return int(state[0])


def task_keys(key: int, day: int, source: Source, n: int) -> np.ndarray:
    """The keys of the `n` tasks `source` draws on `day`, in the order drawn."""
    with np.errstate(over="ignore"):
        base = mix(np.array([key], np.uint64) ^ mix(np.array([(int(day) << 8) | int(source)], np.uint64)))
        return mix(base + _GOLDEN * np.arange(1, n + 1, dtype=np.uint64))


def task_keys_of_worlds(keys: list[int], day: int, source: Source, sizes: np.ndarray) -> np.ndarray:
    """`task_keys(keys[w], day, source, sizes[w])` of every world of a stack, world after
    world, in one pass (the same integer arithmetic, element by element)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(sizes.sum())
    start = (np.cumsum(sizes) - sizes).astype(np.uint64)  # each world's first task in the stack's count
    with np.errstate(over="ignore"):
        tag = mix(np.array([(int(day) << 8) | int(source)], np.uint64))
        base = mix(np.array(keys, np.uint64) ^ tag)
        # base + golden × (position in its world), in arithmetic modulo 2**64:
        # (base − golden × start) + golden × (position in the stack)
        return _mix_in_place(np.repeat(base - _GOLDEN * start, sizes) + _GOLDEN * np.arange(1, n + 1, dtype=np.uint64))


def uniforms(keys: np.ndarray, decision: Decision, attempt: np.ndarray | int = 0) -> np.ndarray:
    """One uniform in [0, 1) per task key for `decision` (and its `attempt`-th repetition)."""
    tag = (np.uint64(int(decision)) << np.uint64(32)) + np.asarray(attempt, dtype=np.uint64)
    with np.errstate(over="ignore"):
        bits = _mix_in_place(np.asarray(keys, dtype=np.uint64) ^ mix(tag + _GOLDEN))
    bits >>= np.uint64(11)
    u = bits.astype(np.float64)
    u *= 1.0 / 9007199254740992.0
    return u


def office_keys(key: int, level: np.ndarray, position: np.ndarray) -> np.ndarray:
    """The keys of offices known by level and position within their level."""
    ident = (np.asarray(level, np.uint64) << np.uint64(32)) + np.asarray(position, np.uint64)
    with np.errstate(over="ignore"):
        return mix(np.uint64(key) ^ mix(ident + _GOLDEN))


def binomial_by_inversion(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial(n, p) counts drawn by inverting the distribution function at `u`: the
    smallest k with P(X ≤ k) > u. Monotone in p for a fixed u (common random numbers);
    a loop over k, as long as the largest count drawn (a few when p is small)."""
    u, n, p = np.broadcast_arrays(np.asarray(u, float), np.asarray(n, np.int64), np.asarray(p, float))
    shape = u.shape
    u, n, p = u.ravel(), n.ravel(), p.ravel()
    k = np.zeros(u.size, np.int64)
    certain = p >= 1.0
    q = np.where(certain, 1.0, 1.0 - p)
    ratio = np.where(certain, 0.0, p / q)
    pmf = np.where(certain, 0.0, q ** n)
    cdf = pmf.copy()
    more = (u >= cdf) & (k < n) & ~certain
    while more.any():
        idx = np.flatnonzero(more)
        pmf[idx] *= (n[idx] - k[idx]) / (k[idx] + 1.0) * ratio[idx]
        k[idx] += 1
        cdf[idx] += pmf[idx]
        more[idx] = (u[idx] >= cdf[idx]) & (k[idx] < n[idx]) & (pmf[idx] > 0)
    return np.where(certain, n, k).reshape(shape)
