"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

All three take the same tasks (a scenario, a seed) and call the same pure function, so a
run's result does not depend on where it ran. Runs of the default runner whose scenarios
may share a stack (replications, which differ only in seed, and regimes or design points
that differ only in levers leaving the city as it is: `sim.world.stack_key`) are stepped
together in stacks (`sim.run_stack`, issue 19), wherever they come in the plan, each
run's result bit for bit its result alone; a stack holds at most `stack` runs
(`sim.resources.stack_size` lowers it for large or long runs), and each run still comes
back as its own record. Tasks travel in batches of whole stacks sized from the measured
run time: small batches locally (fast feedback, even load), batches of at least about a
second on Dask, where each task costs a few milliseconds of scheduling. The end of a sweep
is balanced in whole stacks (`Batcher.take`): a stack is cut only to give workers that
would otherwise wait a piece each, never into runs alone.

Local workers are forked once per sweep and reused (fork: they inherit the imported
model, so they start in milliseconds). `concurrent.futures.ProcessPoolExecutor` rather
than `multiprocessing.Pool`: a worker that dies (out of memory, killed) breaks the pool
with an error instead of leaving `imap_unordered` waiting forever for its task.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import importlib
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_RUNNER = "sim:run"
STACK_RUNNER = "sim:run_stack"  # what the default runner's stackable runs are stepped with


@dataclass(frozen=True)
class RunTask:
    """One run to do: which scenario, which seed, whether to keep the per-day table."""

    run_id: str
    scenario: Any
    seed: int
    timeseries: bool = False


@dataclass(frozen=True)
class RunRecord:
    """What came back from one run: its summary (and time series), or the error it raised."""

    run_id: str
    summary: dict | None
    timeseries: pd.DataFrame | None
    seconds: float
    error: str | None = None


class WorkerLost(RuntimeError):
    """A worker process or Dask worker died under a batch of runs."""


_RUNNERS: dict[str, Callable] = {}


def resolve_runner(spec: str) -> Callable:
    """`module:function` -> the function (cached per process)."""
    fn = _RUNNERS.get(spec)
    if fn is None:
        module, _, name = spec.partition(":")
        fn = getattr(importlib.import_module(module), name)
        _RUNNERS[spec] = fn
    return fn


def stacks(tasks: list[RunTask], runner: str, stack: int) -> list[list[RunTask]]:
    """The tasks in stacks of runs that may be stepped together: their scenarios have the
    same stack key (`sim.world.stack_key`: equal but for levers that leave the city and
    the kinds as they are; the same scenario object, as a plan's replications share, is
    the cheap case) and they share the time-series flag. Runs are grouped wherever they
    come in `tasks` (a plan lists its runs arm by arm; a stack holds the arms of a point,
    or of several), in their order within a group, the groups in the order of their first
    run; each stack holds at most `stack` runs (fewer where `sim.resources.stack_size`
    says so for one of its scenarios). Every task alone when stacking is off or the runner
    is not the default."""
    if stack <= 1 or runner != DEFAULT_RUNNER:
        return [[task] for task in tasks]
    from sim.config import Scenario
    from sim.resources import stack_size
    from sim.world import stack_key

    keys: dict[int, Any] = {}  # by scenario object: a plan's runs share few of them
    limits: dict[int, int] = {}
    open_stacks: dict[tuple[Any, bool], tuple[list[RunTask], int]] = {}  # each group's last stack, its limit
    out: list[list[RunTask]] = []
    for task in tasks:
        s = task.scenario
        if id(s) not in keys:
            keys[id(s)] = stack_key(s) if isinstance(s, Scenario) else ("object", id(s))
            limits[id(s)] = stack_size(s, stack)
        group = (keys[id(s)], task.timeseries)
        if group in open_stacks:
            current, limit = open_stacks[group]
            limit = min(limit, limits[id(s)])
            if len(current) < limit:
                current.append(task)
                open_stacks[group] = (current, limit)
                continue
        open_stacks[group] = ([task], limits[id(s)])
        out.append(open_stacks[group][0])
    return out


def execute_batch(runner: str, tasks: list[RunTask], stack: int = 1) -> list[RunRecord]:
    """Run tasks, in stacks where they share a scenario (see `stacks`); a run that raises
    yields a record with its traceback."""
    out = []
    for group in stacks(tasks, runner, stack):
        out.extend(_execute_stack(group) if len(group) > 1 else _execute_each(runner, group))
    return out


def _execute_stack(tasks: list[RunTask]) -> list[RunRecord]:
    """One stack of runs (of one scenario, or of scenarios that may share a stack); if it
    raises, each run again alone, so the run at fault is reported with its own traceback
    and the others still finish."""
    start = time.perf_counter()
    first = tasks[0].scenario
    scenarios = first if all(task.scenario is first for task in tasks) else [task.scenario for task in tasks]
    try:
        results = resolve_runner(STACK_RUNNER)(
            scenarios, seeds=[task.seed for task in tasks], timeseries=tasks[0].timeseries
        )
    except Exception:  # noqa: BLE001 - found again run by run below
        return _execute_each(DEFAULT_RUNNER, tasks)
    seconds = (time.perf_counter() - start) / len(tasks)  # the stack's time, shared out
    return [
        RunRecord(task.run_id, dict(result.summary), result.timeseries if task.timeseries else None, seconds)
        for task, result in zip(tasks, results)
    ]


def _execute_each(runner: str, tasks: list[RunTask]) -> list[RunRecord]:
    """Run tasks one after another; a run that raises yields a record with its traceback."""
    fn = resolve_runner(runner)
    out = []
    for task in tasks:
        start = time.perf_counter()
        try:
            result = fn(task.scenario, seed=task.seed, timeseries=task.timeseries)
        except Exception:  # noqa: BLE001 - reported per run, the sweep decides what to do
            out.append(
                RunRecord(task.run_id, None, None, time.perf_counter() - start, traceback.format_exc())
            )
            continue
        ts = result.timeseries if task.timeseries else None
        out.append(RunRecord(task.run_id, dict(result.summary), ts, time.perf_counter() - start))
    return out


MIN_PIECE = 2  # fewest runs in a piece of a split stack: never runs alone


class Batcher:
    """Sizes batches so each carries about `target_seconds` of measured work, in whole stacks."""

    def __init__(self, target_seconds: float, slots: int, max_batch: int = 10_000):
        self.target = target_seconds
        self.slots = max(1, slots)
        self.max_batch = max_batch
        self.runs = 0
        self.seconds = 0.0

    def observe(self, records: list[RunRecord]) -> None:
        self.runs += len(records)
        self.seconds += sum(r.seconds for r in records)

    def size(self, remaining: int, stack: int = 1) -> int:
        """Runs a batch may carry: about the target's worth, and a fair share of what remains."""
        fair = max(1, math.ceil(remaining / (2 * self.slots)))  # keep every slot busy to the end
        if self.runs == 0:
            return min(stack, fair)  # first batches measure how long a run takes
        per_run = max(self.seconds / self.runs, 1e-6)
        wanted = max(1, round(self.target / per_run), stack)  # a batch carries a whole stack
        return min(wanted, fair, self.max_batch)

    def take(self, pending: deque[list[RunTask]], remaining: int, stack: int = 1, idle: int = 0) -> list[RunTask]:
        """The next batch, taken from the front of `pending` (the planned stacks; `remaining`
        runs in all): as many whole stacks as `size` allows and at most a fair share of the
        stacks left (the end is balanced in stacks, not runs), but always at least one
        whole stack, however large: a stack costs per run much less than its pieces
        (docs/performance.md, issue 19). The one exception: when fewer stacks are left than
        `idle` workers (those with no batch), a stack is split into as many near-equal
        pieces as there are workers it would otherwise leave idle, each of at least
        `MIN_PIECE` runs (never runs alone); the later pieces go back to the front of
        `pending`, to be taken next."""
        size = self.size(remaining, stack)
        most = math.ceil(len(pending) / (2 * self.slots))  # stacks a batch may carry
        batch: list[RunTask] = []
        taken = 0
        while pending and taken < most and len(batch) + len(pending[0]) <= size:
            batch.extend(pending.popleft())
            taken += 1
        if batch or not pending:
            return batch
        group = pending.popleft()
        pieces = min(idle - len(pending), len(group) // MIN_PIECE)
        if pieces < 2:
            return group
        cuts = [len(group) * i // pieces for i in range(pieces + 1)]  # near-equal, in order
        for lo, hi in reversed(list(zip(cuts[1:-1], cuts[2:]))):
            pending.appendleft(group[lo:hi])
        return group[: cuts[1]]


class SerialExecutor:
    """Runs in this process, a stack (or a run) at a time: the reference every executor must match."""

    kind = "serial"
    workers = 1

    def __init__(self, stack: int | None = None):
        from sim.resources import requested_stack

        self.stack = requested_stack(stack)

    def map(self, runner: str, tasks: Iterable[RunTask]) -> Iterator[list[RunRecord]]:
        for group in stacks(list(tasks), runner, self.stack):
            yield execute_batch(runner, group, self.stack)

    def close(self, abort: bool = False) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(abort=exc[0] is not None)


class _Windowed:
    """Keeps a window of batches in flight and yields their records as they complete."""

    target_seconds = 0.1
    kind = "?"
    workers = 1
    stack = 1

    def _submit(self, runner: str, batch: list[RunTask]):
        raise NotImplementedError

    def _wait(self, inflight: set) -> set:
        raise NotImplementedError

    def _result(self, future) -> list[RunRecord]:
        return future.result()

    def map(self, runner: str, tasks: Iterable[RunTask]) -> Iterator[list[RunRecord]]:
        pending = deque(stacks(list(tasks), runner, self.stack))  # a batch carries whole stacks
        remaining = sum(len(group) for group in pending)
        batcher = Batcher(self.target_seconds, self.workers)
        inflight: set = set()
        window = 2 * self.workers
        stack = self.stack if runner == DEFAULT_RUNNER else 1
        while pending or inflight:
            while pending and len(inflight) < window:
                batch = batcher.take(pending, remaining, stack, idle=self.workers - len(inflight))
                remaining -= len(batch)
                inflight.add(self._submit(runner, batch))
            for future in self._wait(inflight):
                inflight.discard(future)
                records = self._result(future)
                batcher.observe(records)
                yield records

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(abort=exc[0] is not None)


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle; a worker must not outlive a parent killed by SIGKILL.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _ready() -> int:
    return os.getpid()


class _SignalGuard:
    """Holds Ctrl-C (SIGINT) and SIGTERM while the main thread is inside the process pool's
    locking, and delivers them as soon as it is out.

    Python runs a signal's handler between any two bytecodes of the main thread: a
    KeyboardInterrupt raised just after `concurrent.futures` takes a future's lock, before
    the `try` that releases it (in `cf.wait`, `submit`, `result`), leaves that lock held
    for good. The pool's manager thread then blocks on it when shutting down, and the
    interpreter's exit waits for that thread for ever: the results were stored, the
    workers stopped, but the command never exits (the likely cause of a Ctrl-C'd test
    sweep still running 60 s later at load 8-10: under load the main thread is more often
    inside the pool when the signal lands). So every call into the pool is
    made `held()`, and the main thread waits for results on a queue that takes no lock the
    pool's thread needs, where a signal is delivered at once."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._depth = 0
        self._pending: tuple[int, Any] | None = None
        self._handlers: dict[int, Callable] = {}

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Route the signals through this guard (the main thread's Python handlers only:
        an ignored or default signal is left as it is)."""
        if threading.current_thread() is not threading.main_thread() or self._handlers:
            yield
            return
        handlers: dict[int, Callable] = {s: h for s in self.SIGNALS if callable(h := signal.getsignal(s))}
        self._handlers = handlers
        try:
            for signum in handlers:
                signal.signal(signum, self._handle)
            yield
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
            self._handlers = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self._depth:
            self._pending = (signum, frame)
            return
        self._handlers[signum](signum, frame)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A signal arriving inside is delivered (its handler run) on the way out."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._pending is not None:
                (signum, frame), self._pending = self._pending, None
                handler = self._handlers.get(signum)
                if handler is not None:
                    handler(signum, frame)


class LocalExecutor(_Windowed):
    """Worker processes on this machine, forked once and reused for every batch."""

    kind = "local"
    target_seconds = 0.1

    def __init__(self, workers: int | None = None, stack: int | None = None):
        from sim.resources import requested_stack

        self.stack = requested_stack(stack)
        self.workers = max(1, workers or os.cpu_count() or 1)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_worker_init,
        )
        # With fork, the pool forks all its workers at the first submit: do it now, before
        # this process starts any threads of its own (Parquet I/O uses a thread pool).
        # gc.freeze keeps the collector from touching (and so copying) inherited pages.
        gc.freeze()
        # Ctrl-C while the workers start: they are stopped, not left to the exit.
        self._guard = _SignalGuard()
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        try:
            with self._guard.installed():
                ready = self._call(_ready)
                self._wait({ready})
                self._result(ready)
        except BaseException:
            self.close(abort=True)
            raise

    def map(self, runner: str, tasks: Iterable[RunTask]) -> Iterator[list[RunRecord]]:
        self._done = queue.SimpleQueue()  # what an earlier, abandoned map left is not this one's
        with self._guard.installed():
            yield from super().map(runner, tasks)

    def _call(self, fn, *args):
        with self._guard.held():
            try:
                future = self._pool.submit(fn, *args)
            except cf.process.BrokenProcessPool as err:
                raise WorkerLost(f"a local worker process died: {err}") from None
            future.add_done_callback(self._done.put)
        return future

    def _submit(self, runner, batch):
        return self._call(execute_batch, runner, batch, self.stack)

    def _wait(self, inflight):
        # Not cf.wait: it holds the futures' locks (see _SignalGuard). A SimpleQueue's get
        # takes none the pool's thread needs, and a signal interrupts it at once.
        done = {self._done.get()}
        while True:
            try:
                done.add(self._done.get_nowait())
            except queue.Empty:
                return done

    def _result(self, future):
        with self._guard.held():
            try:
                return future.result()
            except cf.process.BrokenProcessPool as err:
                raise WorkerLost(f"a local worker process died: {err}") from None

    def close(self, abort: bool = False) -> None:
        if abort:  # a second Ctrl-C waits until the pool is shut
            with self._guard.installed(), self._guard.held():
                procs = list((getattr(self._pool, "_processes", None) or {}).values())
                self._pool.shutdown(wait=False, cancel_futures=True)
                for proc in procs:
                    proc.terminate()
                for proc in procs:
                    proc.join(timeout=5)
        else:
            self._pool.shutdown(wait=True)


class DaskExecutor(_Windowed):
    """The same batches on a Dask distributed cluster (`dask scheduler` / `dask worker`)."""

    kind = "dask"
    target_seconds = 1.0

    def __init__(self, address: str, connect_timeout: float = 30.0, worker_timeout: float = 60.0,
                 stack: int | None = None):
        from distributed import Client

        from sim.resources import requested_stack

        self.stack = requested_stack(stack)
        self.address = address
        try:
            self._client = Client(address, timeout=connect_timeout)
        except (OSError, TimeoutError) as err:
            raise ConnectionError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        try:
            self._client.wait_for_workers(1, timeout=worker_timeout)
        except TimeoutError:
            self._client.close()
            raise ConnectionError(f"no Dask worker joined {address} within {worker_timeout:.0f} s") from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def worker_values(self, fn: Callable[[], Any]) -> dict[str, Any]:
        """`fn()` evaluated on every worker, e.g. to check they run the same model code."""
        return self._client.run(fn)

    def _submit(self, runner, batch):
        return self._client.submit(execute_batch, runner, batch, self.stack, pure=False)

    def _wait(self, inflight):
        from distributed import wait

        done, _ = wait(list(inflight), return_when="FIRST_COMPLETED")
        return set(done)

    def _result(self, future):
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker as err:
            raise WorkerLost(f"Dask gave up on a batch after its workers died: {err}") from None
        finally:
            future.release()

    def close(self, abort: bool = False) -> None:
        self._client.close()


def make_executor(workers: int | None = None, scheduler: str | None = None, stack: int | None = None):
    """The executor the command line asks for: Dask if given a scheduler, else local.
    `stack`: runs per stack (1 = none; default $TIAOKUAI_STACK or sim.resources.DEFAULT_STACK)."""
    if scheduler:
        return DaskExecutor(scheduler, stack=stack)
    workers = workers or os.cpu_count() or 1
    return SerialExecutor(stack) if workers == 1 else LocalExecutor(workers, stack)
