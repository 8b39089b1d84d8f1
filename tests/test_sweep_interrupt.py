"""Ctrl-C reaches the sweep wherever its main thread is, also inside the process pool's
own locking, and the pool still shuts down: finished runs stored, workers gone, exit 130.

The signal is raised at one exact point (right after the main thread takes a pending
future's lock, as a Ctrl-C landing there would), so nothing here depends on timing.
"""

import concurrent.futures as cf
import signal
import threading
import time
import types

import pytest

from sim.sweep.executors import LocalExecutor, RunTask

pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


def hold(scenario, seed, timeseries=False):
    """A runner: seed 0 finishes at once, every other run waits for ever (in a worker)."""
    if seed:
        while True:
            time.sleep(3600)
    return types.SimpleNamespace(summary={"seed": seed}, timeseries=None)


class ArmedLock:
    """A future's lock which, once armed, delivers SIGINT to this process right after the
    main thread takes it while the future is pending: the handler runs inside `acquire`,
    so a KeyboardInterrupt it raises leaves the lock held, as a real Ctrl-C landing
    between the acquire and the `try` that releases it would."""

    armed = False
    made: list["ArmedLock"] = []

    def __init__(self, future: cf.Future):
        self._lock = threading.RLock()
        self.future = future
        ArmedLock.made.append(self)

    def acquire(self, *args, **kwargs):
        got = self._lock.acquire(*args, **kwargs)
        if (got and ArmedLock.armed and threading.current_thread() is threading.main_thread()
                and self.future._state in ("PENDING", "RUNNING")):
            ArmedLock.armed = False
            signal.raise_signal(signal.SIGINT)
        return got

    def release(self):
        self._lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def _is_owned(self):
        return self._lock._is_owned()

    def _release_save(self):
        return self._lock._release_save()

    def _acquire_restore(self, state):
        self._lock._acquire_restore(state)


@pytest.fixture
def armed_futures(monkeypatch):
    init = cf.Future.__init__

    def armed_init(self):
        init(self)
        self._condition = threading.Condition(ArmedLock(self))

    monkeypatch.setattr(cf.Future, "__init__", armed_init)
    monkeypatch.setattr(ArmedLock, "armed", False)
    monkeypatch.setattr(ArmedLock, "made", [])
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield ArmedLock
    signal.signal(signal.SIGINT, previous)
    for lock in ArmedLock.made:  # without the fix: free the pool's thread so this process can exit
        while lock._is_owned():
            lock.release()


def test_ctrl_c_inside_the_pools_locking_still_lets_the_pool_shut_down(armed_futures):
    executor = LocalExecutor(2)
    manager = executor._pool._executor_manager_thread
    workers = list(executor._pool._processes.values())
    records = executor.map(f"{__name__}:hold", [RunTask(f"r{seed}", None, seed) for seed in range(8)])
    assert [r.summary for r in next(records)] == [{"seed": 0}]
    armed_futures.armed = True  # the next time the main thread takes a pending future's lock
    with pytest.raises(KeyboardInterrupt):
        next(records)
    assert not armed_futures.armed, "the signal was not raised where the test meant it"
    assert not any(lock._is_owned() for lock in armed_futures.made), "Ctrl-C left a future's lock held"
    executor.close(abort=True)
    manager.join(timeout=30)  # milliseconds when it works; a deadlock, for ever, when it does not
    assert not manager.is_alive(), "the pool's manager thread is stuck: the command would never exit"
    assert not any(p.is_alive() for p in workers)
