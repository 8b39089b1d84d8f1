"""What a run will cost before it is built: memory and CPU time, estimated from the scenario.

A scenario can be valid and still too large for the machine (a million committees, a
million arrivals a day per department). Building it would exhaust memory minutes later,
deep in NumPy; estimating first lets the command line refuse it in one line, with the
estimate and the way to override.

The estimates follow the model's own layout: one Mesa agent per office, the task ledger's
columns (84 bytes a task row, allocated for eight days of arrivals and grown by doubling),
and the cost model measured in docs/performance.md (≈ 1 ms a day of fixed work per ten
thousand offices and ≈ 0.31 µs of CPU per task). They are rough guides (a factor of two
either way), meant to tell a minute from an hour and a gigabyte from a terabyte.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

import numpy as np

from .config import Scenario
from .errors import InputError, Problem
from .ledger import COLUMNS

MiB = 1024**2
GiB = 1024**3
OVERRIDE_ENV = "TIAOKUAI_MAX_MEMORY"  # e.g. 64GiB, 5000MiB; 0 turns the check off

INTERPRETER_BYTES = 160 * MiB  # Python, NumPy, pandas, Mesa, pydantic loaded (docs/performance.md)
OFFICE_BYTES = 4 * 1024  # a Mesa agent with its label, plus its roster entries
TASK_ROW_BYTES = sum(np.dtype(dtype).itemsize for dtype in COLUMNS.values())  # a ledger row's bytes
LEDGER_DAYS = 30  # rows held: a month of arrivals (the ledger starts at eight days and doubles)
WORKING_COPIES = 3  # sorts, gathers and the doubling copy hold the columns more than once
DAY_SECONDS_PER_OFFICE = 1e-3 / 10_000
DAY_SECONDS_FIXED = 5e-4
TASK_SECONDS = 0.31e-6
BUILD_SECONDS_FIXED = 0.005  # a run's set-up: the city, its agents, the ledger
BUILD_SECONDS_PER_OFFICE = 20e-6


@dataclass(frozen=True)
class RunEstimate:
    offices: int
    tasks_per_day: float
    memory_bytes: float
    cpu_seconds: float


def estimate_run(scenario: Scenario, days: int | None = None) -> RunEstimate:
    """Offices, arrivals a day, peak memory and CPU seconds of one run of `scenario`."""
    st, lv = scenario.structure, scenario.levers
    departments = st.districts * st.departments_per_district
    streets = st.districts * st.streets_per_district
    committees = streets * st.committees_per_street
    stations = streets * lv.service_stations_per_street
    organisations = st.districts * st.social_organisation_pool_per_district
    offices = departments + streets + committees + stations + organisations
    per_day = 0.0
    for kind in scenario.task_kinds:
        if kind.origin == "department":
            per_day += kind.rate_per_day * departments
        elif kind.origin == "residents":
            per_day += kind.rate_per_day * committees
    committee_intensity = (
        lv.committee_assessment_intensity
        if lv.committee_assessment_intensity is not None
        else lv.assessment_intensity
    )
    per_day += lv.assessment_intensity * streets + committee_intensity * committees
    horizon = days if days is not None else scenario.days
    rows = max(16.0, per_day) * LEDGER_DAYS
    memory = INTERPRETER_BYTES + offices * OFFICE_BYTES + rows * TASK_ROW_BYTES * WORKING_COPIES
    cpu = (BUILD_SECONDS_FIXED + offices * BUILD_SECONDS_PER_OFFICE
           + horizon * (DAY_SECONDS_FIXED + offices * DAY_SECONDS_PER_OFFICE)
           + TASK_SECONDS * per_day * horizon)
    return RunEstimate(offices, per_day, memory, cpu)


def memory_limit() -> float | None:
    """Bytes a run may take: TIAOKUAI_MAX_MEMORY if set (0: no limit), else 80% of the machine."""
    text = os.environ.get(OVERRIDE_ENV, "").strip()
    if text:
        value = parse_bytes(text)
        return None if value == 0 else value
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return 0.8 * total


def parse_bytes(text: str) -> float:
    """`64GiB`, `5000MiB`, `2e9` -> bytes; an InputError naming the variable otherwise."""
    units = {"kib": 1024, "mib": MiB, "gib": GiB, "tib": 1024**4, "kb": 1e3, "mb": 1e6, "gb": 1e9,
             "tb": 1e12, "b": 1}
    raw = text.strip().lower().replace(" ", "")
    factor: float = 1
    for suffix, size in units.items():
        if raw.endswith(suffix):
            raw, factor = raw[: -len(suffix)], size
            break
    try:
        value = float(raw) * factor
    except ValueError:
        value = -1.0
    if not (value >= 0 and value < float("inf")):
        raise InputError([Problem(OVERRIDE_ENV, "", "expected a size like 64GiB or 0 (no limit)", text)])
    return value


def check_memory(scenario: Scenario, source: str, days: int | None = None) -> RunEstimate:
    """Refuse a run whose estimated memory exceeds what this machine allows."""
    estimate = estimate_run(scenario, days)
    limit = memory_limit()
    if limit is not None and estimate.memory_bytes > limit:
        raise InputError([Problem(
            source, "", f"a run of this scenario needs about {_size(estimate.memory_bytes)} of memory "
            f"({estimate.offices:,} offices, {estimate.tasks_per_day:,.0f} tasks a day), more than "
            f"this machine allows ({_size(limit)}); shrink the scenario, or set "
            f"{OVERRIDE_ENV}=<size> (0: no limit) to run it anyway", None)])
    return estimate


def _size(n: float) -> str:
    return f"{n / GiB:,.1f} GiB" if n >= GiB else f"{n / MiB:,.0f} MiB"


# stacked runs (sim.model.run_stack): how many runs of a scenario to step together
STACK_ENV = "TIAOKUAI_STACK"  # e.g. 1 turns stacking off; the sweep commands' --stack overrides it
DEFAULT_STACK = 16  # runs per stack when neither says otherwise (benchmarks/stacking.py)
STACK_MEMORY_BYTES = 1 * GiB  # what one stack may hold, beyond the interpreter
STACK_CPU_SECONDS = 120.0  # a stack's estimated CPU time: what a killed stack can lose
DAY_RECORD_BYTES = 23 * 5 * 8 * 2  # a world's per-day, per-level record (sim.tally), with slack


STACK_RULE = "must be a whole number of runs, at least 1 (1 = no stacking)"


def requested_stack(value: int | None = None) -> int:
    """The stack size asked for: `value` if given, else $TIAOKUAI_STACK, else DEFAULT_STACK.
    A $TIAOKUAI_STACK that is not a whole number of at least 1 (0, -3, 1.5, sixteen) is
    an InputError naming it, not quietly taken as 1."""
    if value is not None:
        return max(1, int(value))
    text = os.environ.get(STACK_ENV, "").strip()
    if not text:
        return DEFAULT_STACK
    try:
        size = int(text)
    except ValueError:
        size = 0
    if size < 1:
        raise InputError([Problem(STACK_ENV, "", STACK_RULE, text)])
    return size


def stack_size(scenario: Scenario, requested: int) -> int:
    """How many runs of `scenario` one stack should hold: at most `requested`, and few
    enough that the stack's memory stays under STACK_MEMORY_BYTES and its estimated CPU
    time under STACK_CPU_SECONDS (a stack's runs finish together)."""
    estimate = estimate_run(scenario)
    per_world = estimate.memory_bytes - INTERPRETER_BYTES + scenario.days * DAY_RECORD_BYTES
    by_memory = int(STACK_MEMORY_BYTES // max(per_world, 1.0))
    by_time = int(STACK_CPU_SECONDS // max(estimate.cpu_seconds, 1e-3))
    return max(1, min(requested, by_memory, by_time))


# The allocator (glibc): a day of rules makes and drops hundreds of temporary arrays of a
# few hundred kilobytes (a stack's tasks). By default glibc serves each from a fresh
# mmap, or trims the heap when it is freed, so the next day's arrays of the same sizes
# fault their pages in again (≈ 15 % of a stacked run's CPU, half of it system time).
# Keeping freed memory for reuse (arrays under 32 MiB from the heap, up to 128 MiB of
# freed heap kept) changes no number, only where the arrays live.
MMAP_THRESHOLD_BYTES = 32 * MiB
TRIM_THRESHOLD_BYTES = 128 * MiB
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_allocator_tuned = False
_c_library: ctypes.CDLL | None = None


def reuse_freed_memory() -> None:
    """Let this process's allocator keep freed array memory for reuse (see above); once
    per process, and nothing where the C library is not glibc. Results do not change."""
    global _allocator_tuned, _c_library
    if _allocator_tuned:
        return
    _allocator_tuned = True
    try:
        # kept for the life of the process: a dropped CDLL leaves a cycle of ctypes
        # classes behind, which would be the run's own garbage
        _c_library = ctypes.CDLL(None)
        mallopt = _c_library.mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
