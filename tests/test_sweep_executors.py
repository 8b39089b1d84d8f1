"""A run's result does not depend on where it ran: serially, on local workers, or on Dask.

Also: a worker that dies or a run that raises stops the sweep with what finished stored,
and the same command then completes it.
"""

import os
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import run as sim_run
from sim.sweep.plan import build_plan
from sim.sweep.driver import SweepFailed, sweep
from sim.sweep.executors import Batcher, LocalExecutor, RunRecord, RunTask, SerialExecutor, WorkerLost
from sim.sweep.loopback import LoopbackCluster
from sim.sweep.store import ResultStore
from tests.support.cities import TINY

REPO = Path(__file__).resolve().parents[1]
TEST_PID = os.getpid()

# Forking from pytest's process, which has Parquet reader threads by now; the command line
# forks its workers before any such thread exists. Children here never use those threads.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


def write_experiment(path: Path, **fields) -> Path:
    spec = {
        "name": "executors", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "days": 20, "warmup_days": 5, "replications": 4, "master_seed": 99,
        "outcomes": ["tasks_done_on_time_share", "committee_backlog_hours_mean"],
        "sub_experiments": {
            "unlimited": {"set": TINY},
            "leaky": {"scenario": str(REPO / "scenarios/leaky-admission-list.yaml"), "set": TINY},
        },
        "factors": {"levers.push_down_propensity": [0.4, 0.9]},
        "baseline": "unlimited",
        "timeseries": True,
    }
    spec.update(fields)
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def results(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = ResultStore(out)
    return store.read_runs().drop(columns="run_seconds"), store.read_timeseries()


def assert_same_results(a, b):
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    return write_experiment(tmp_path_factory.mktemp("exp") / "exp.yaml")


@pytest.fixture(scope="module")
def serial(experiment, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "r"
    sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    return results(out)


def test_the_serial_reference_is_complete(serial):
    runs, ts = serial
    assert len(runs) == 2 * 2 * 4 and runs["run_id"].is_unique
    assert ts["run_id"].nunique() == len(runs)


def test_two_local_workers_give_exactly_the_serial_rows(experiment, serial, tmp_path):
    out = tmp_path / "r"
    report = sweep(build_plan(experiment), out, lambda: LocalExecutor(2), quiet=True)
    assert report.executor == "local" and report.workers == 2
    assert_same_results(results(out), serial)


@pytest.mark.slow  # starts a Dask scheduler and two workers
def test_a_loopback_dask_cluster_gives_exactly_the_serial_rows(experiment, serial, tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "r"
    with LoopbackCluster(workers=2, log_dir=tmp_path) as address:
        # the command in this process (the cluster's scheduler and workers are processes of
        # their own): a fresh interpreter would import the model and Dask once more
        capsys.readouterr()
        code = main(["sweep", str(experiment), "--out", str(out), "--scheduler", address])
        err = capsys.readouterr().err
        assert code == 0, err
        # the workers run with the settings docs/experiments.md recommends for sweeps
        from distributed import Client

        with Client(address, timeout=30) as client:
            seen = client.run(_sweep_settings)
    assert "on dask x2" in err
    assert_same_results(results(out), serial)
    assert len(seen) == 2
    assert all(v == (False, "1s") for v in seen.values()), seen


def _sweep_settings():
    import dask

    return (dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.admin.tick.interval"))


# -- failures ----------------------------------------------------------------------------

def die_once(scenario, seed, timeseries):
    """Kills the worker process running it, once (a crashed worker), then behaves."""
    marker = Path(os.environ["SWEEP_TEST_MARKER"])
    if os.getpid() != TEST_PID and not marker.exists() and seed == int(os.environ["SWEEP_TEST_SEED"]):
        marker.write_text("died")
        time.sleep(0.3)  # let the other worker finish something first
        os._exit(9)
    return sim_run(scenario, seed=seed, timeseries=timeseries)


def raise_on_seed(scenario, seed, timeseries):
    if seed == int(os.environ["SWEEP_TEST_SEED"]) and scenario.days > 2:  # the 2-day probe passes
        raise ZeroDivisionError("a bug in the model")
    return sim_run(scenario, seed=seed, timeseries=timeseries)


@pytest.mark.slow  # two sweeps, one with a worker killed
def test_a_dead_worker_stops_the_sweep_and_the_same_command_completes_it(experiment, serial, tmp_path, monkeypatch):
    from sim.sweep.seeds import replication_seed

    monkeypatch.setenv("SWEEP_TEST_MARKER", str(tmp_path / "died"))
    monkeypatch.setenv("SWEEP_TEST_SEED", str(replication_seed(99, 2)))
    out = tmp_path / "r"
    with pytest.raises(WorkerLost):
        sweep(build_plan(experiment), out, lambda: LocalExecutor(2), runner=f"{__name__}:die_once",
              quiet=True, flush_seconds=0)
    assert (tmp_path / "died").exists()
    stored = len(ResultStore(out).stored_run_ids())
    assert stored < 16
    report = sweep(build_plan(experiment), out, lambda: LocalExecutor(2), quiet=True)
    assert report.skipped == stored and report.ran == 16 - stored
    assert_same_results(results(out), serial)


@pytest.mark.slow  # two sweeps, one failing
def test_a_run_that_raises_stops_the_sweep_naming_the_run_and_keeps_the_rest(experiment, serial, tmp_path, monkeypatch):
    from sim.sweep.seeds import replication_seed

    monkeypatch.setenv("SWEEP_TEST_SEED", str(replication_seed(99, 3)))
    out = tmp_path / "r"
    with pytest.raises(SweepFailed, match=r"(?s)run unlimited/p000/r003 raised .*ZeroDivisionError"):
        sweep(build_plan(experiment), out, SerialExecutor, runner=f"{__name__}:raise_on_seed", quiet=True)
    assert ResultStore(out).stored_run_ids() == {"unlimited/p000/r000", "unlimited/p000/r001", "unlimited/p000/r002"}
    sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    assert_same_results(results(out), serial)


# -- batching and overhead ---------------------------------------------------------------

def records(seconds: float, n: int) -> list[RunRecord]:
    return [RunRecord(f"r{i}", {}, None, seconds) for i in range(n)]


def test_batches_start_at_one_run_then_carry_the_target_duration():
    batcher = Batcher(target_seconds=1.0, slots=2)
    assert batcher.size(remaining=1000) == 1
    batcher.observe(records(0.05, 4))
    assert batcher.size(remaining=1000) == 20  # 20 runs of 50 ms is a second of work
    assert batcher.size(remaining=30) == 8  # but every slot still gets work near the end
    batcher.observe(records(5.0, 4))
    assert batcher.size(remaining=1000) == 1  # runs longer than the target go one by one


class Scripted:
    """The batching of `_Windowed.map` without processes: batches complete in the order
    they were submitted (a stand-in for workers of equal speed), each run taking
    `seconds`. Records the size of every batch submitted."""

    def __init__(self, workers: int, stack: int = 16, seconds: float = 0.5):
        from sim.sweep.executors import _Windowed

        class Executor(_Windowed):
            def _submit(inner, runner, batch):
                self.batches.append(len(batch))
                return (len(self.batches), tuple(batch))

            def _wait(inner, inflight):
                return {min(inflight)}

            def _result(inner, future):
                return [RunRecord(t.run_id, {}, None, seconds) for t in future[1]]

        self.batches: list[int] = []
        self.executor = Executor()
        self.executor.workers, self.executor.stack = workers, stack

    def run(self, sizes: list[int]) -> list[int]:
        """Batch sizes for a plan whose stacks have these sizes (each stack its own scenario)."""
        from sim.sweep.executors import DEFAULT_RUNNER

        tasks = [RunTask(f"s{k}/r{i}", scenario, i) for k, n in enumerate(sizes)
                 for scenario in [object()] for i in range(n)]
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("sim.resources.stack_size", lambda scenario, requested: requested)
            done = [t.run_id for batch in self.executor.map(DEFAULT_RUNNER, tasks) for t in batch]
        assert sorted(done) == sorted(t.run_id for t in tasks)  # every run once
        return self.batches


def test_stacks_stay_whole_to_the_end_of_a_sweep():
    """Issue 19: a stack costs much less per run than its pieces, so the batches near the
    end are balanced in whole stacks, not cut to a fair share of the runs left (which
    had cut three stacks of 16 into pieces of at most 12, and the headline's last stacks
    into pieces down to runs alone)."""
    assert Scripted(workers=2).run([16, 16, 16]) == [16, 16, 16]
    headline = [16, 16, 16, 16, 16, 15, 15, 16, 16, 16, 7]  # experiments/unlimited-vs-gated.yaml's stacks
    assert Scripted(workers=2).run(headline) == headline
    # the first batch measures the run time with a whole stack, however slow or fast runs are
    assert Scripted(workers=2, seconds=0.001).run([16] * 9) == [16] * 9
    assert Scripted(workers=4, seconds=30.0).run([16] * 5) == [16] * 5


def test_a_stack_is_split_only_for_workers_that_would_wait_and_never_into_runs_alone():
    # one stack, two idle workers: a near-equal half each; three: a third each
    assert Scripted(workers=2).run([16]) == [8, 8]
    assert Scripted(workers=3).run([16]) == [5, 5, 6]
    # as many stacks as workers: whole; fewer: only the spare workers get pieces
    assert Scripted(workers=2).run([16, 9]) == [16, 9]
    assert Scripted(workers=3).run([16, 9]) == [8, 8, 9]
    # never a run alone where the stack could run whole
    assert Scripted(workers=2).run([3]) == [3]
    assert Scripted(workers=4).run([5]) == [2, 3]


def test_small_stacks_share_a_batch_but_leave_every_worker_a_fair_share_of_them():
    from collections import deque

    batcher = Batcher(target_seconds=1.0, slots=2)
    batcher.observe(records(0.05, 4))  # 20 runs make a second of work
    pending = deque([[RunTask(f"s{k}/r{i}", None, i) for i in range(4)] for k in range(16)])
    sizes = []
    while pending:
        sizes.append(len(batcher.take(pending, sum(map(len, pending)), stack=4)))
    # four stacks (a fair share of 64 runs on two slots, 16), then fewer as the plan runs out
    assert sizes == [16, 12, 8] + [4] * 7  # whole stacks only, a stack each at the end


def noop(scenario, seed, timeseries):
    class Result:
        summary = {"seed": seed}
        timeseries = None
    return Result()


def test_local_workers_add_little_overhead_per_run():
    tasks = [RunTask(f"r{i}", None, i) for i in range(2000)]
    with LocalExecutor(2) as pool:
        start = time.perf_counter()
        done = sum(len(b) for b in pool.map(f"{__name__}:noop", tasks))
        per_run = (time.perf_counter() - start) / done
    assert done == 2000
    assert per_run < 0.005, f"{1000 * per_run:.2f} ms per run"


def test_stacked_runs_give_exactly_the_rows_of_runs_one_by_one(experiment, serial, tmp_path):
    """The serial reference steps each point's four replications as one stack
    (sim.run_stack); run by run, the rows and time series are the same, bit for bit."""
    out = tmp_path / "r"
    sweep(build_plan(experiment), out, lambda: SerialExecutor(stack=1), quiet=True)
    assert_same_results(results(out), serial)


def test_a_stack_holds_the_runs_that_share_a_scenario():
    from sim.sweep.executors import DEFAULT_RUNNER, stacks

    a, b = object(), object()
    tasks = [RunTask(f"r{i}", s, i) for i, s in enumerate([a, a, a, b, b, a])]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sim.resources.stack_size", lambda scenario, requested: requested)
        grouped = stacks(tasks, DEFAULT_RUNNER, 2)
    # runs of one scenario share stacks wherever they come, at most two a stack here
    assert [[t.run_id for t in g] for g in grouped] == [["r0", "r1"], ["r2", "r5"], ["r3", "r4"]]
    assert all(len(g) == 1 for g in stacks(tasks, "tests.somewhere:run", 8))  # another runner: one by one


def test_a_stack_holds_regimes_of_one_city_and_keeps_other_cities_apart():
    """Runs whose scenarios differ only in levers that leave the city as it is share a stack
    (sim.world.stack_key); another city (stations, committees per street) or another
    time-series flag does not; a stack never passes its limit, the smallest of its
    scenarios' (sim.resources.stack_size)."""
    from sim import load_scenario, with_overrides
    from sim.sweep.executors import DEFAULT_RUNNER, stacks

    def scenario(name, **over):
        short = {"days": 20, "warmup_days": 5, **over}
        return with_overrides(load_scenario(REPO / "scenarios" / f"{name}.yaml"), short)

    base, gated = scenario("unlimited-responsibility"), scenario("gate-and-resources")
    busy = scenario("admission-list", **{"levers.demand_multiplier": 1.3})
    stations, more = scenario("service-stations"), scenario("unlimited-responsibility", **{
        "structure.committees_per_street": 12})
    order = [base, stations, gated, more, busy, base, stations, gated, busy]
    tasks = [RunTask(f"r{i}", s, i) for i, s in enumerate(order)]
    tasks.append(RunTask("ts", gated, 99, timeseries=True))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sim.resources.stack_size", lambda scenario, requested: 2 if scenario is busy else requested)
        grouped = [[t.run_id for t in g] for g in stacks(tasks, DEFAULT_RUNNER, 4)]
        assert grouped == [["r0", "r2"], ["r1", "r6"], ["r3"], ["r4", "r5"], ["r7", "r8"], ["ts"]]
        # stacked as many as the limit allows when no scenario lowers it
        mp.setattr("sim.resources.stack_size", lambda scenario, requested: requested)
        grouped = [[t.run_id for t in g] for g in stacks(tasks, DEFAULT_RUNNER, 8)]
        assert grouped == [["r0", "r2", "r4", "r5", "r7", "r8"], ["r1", "r6"], ["r3"], ["ts"]]


@pytest.mark.slow  # three sweeps
def test_a_sweep_of_regimes_stacks_them_and_gives_the_rows_of_runs_one_by_one(tmp_path):
    """A sweep over regimes of one city and demand levels steps its arms together (stacks
    over levers); its rows are those of the sweep run by run, bit for bit, on one worker
    and on two."""
    from sim.stack import run_stack
    from sim.sweep.executors import _RUNNERS, STACK_RUNNER

    path = tmp_path / "regimes.yaml"
    path.write_text(yaml.safe_dump({
        "name": "regimes", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "sub_experiments": {
            "unlimited": {},
            "gated": {"scenario": str(REPO / "scenarios/admission-list.yaml")},
            "leaky": {"scenario": str(REPO / "scenarios/leaky-admission-list.yaml")},
            "funded": {"scenario": str(REPO / "scenarios/gate-and-resources.yaml")},
            "stations": {"scenario": str(REPO / "scenarios/service-stations.yaml")},
        },
        "factors": {"levers.demand_multiplier": [0.8, 1.3]},
        "replications": 2, "master_seed": 7, "days": 25, "warmup_days": 5, "timeseries": True,
        "outcomes": ["tasks_done_on_time_share", "committee_utilisation_mean"],
    }, sort_keys=False))
    sizes = []

    def counting(scenario, seeds, **kw):
        sizes.append((len(seeds), len({s.name for s in scenario}) if isinstance(scenario, list) else 1))
        return run_stack(scenario, seeds, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(_RUNNERS, STACK_RUNNER, counting)
        sweep(build_plan(path), tmp_path / "stacked", lambda: SerialExecutor(stack=16), quiet=True)
    # the four arms of one city in one stack of 16 (four arms, two demand levels, two seeds), stations apart
    assert sorted(sizes) == [(1, 1), (4, 1), (16, 4)], sizes  # and the outcome probe, a stack of one
    sweep(build_plan(path), tmp_path / "alone", lambda: SerialExecutor(stack=1), quiet=True)
    assert_same_results(results(tmp_path / "stacked"), results(tmp_path / "alone"))
    sweep(build_plan(path), tmp_path / "two", lambda: LocalExecutor(2, stack=16), quiet=True)
    assert_same_results(results(tmp_path / "two"), results(tmp_path / "alone"))


def test_a_stack_of_regimes_that_raises_is_run_again_run_by_run():
    """A stack that raises falls back to each of its runs alone, each with its own
    scenario: every run still comes back, as its own record, in the batch's order."""
    from sim import load_scenario, with_overrides
    from sim.sweep.executors import _RUNNERS, DEFAULT_RUNNER, STACK_RUNNER, execute_batch

    short = {"days": 3, "warmup_days": 1}
    a = with_overrides(load_scenario(REPO / "scenarios/unlimited-responsibility.yaml"), short)
    b = with_overrides(load_scenario(REPO / "scenarios/admission-list.yaml"), short)

    def broken(*args, **kwargs):
        raise RuntimeError("the stack broke")

    tasks = [RunTask("a", a, 1), RunTask("b", b, 1), RunTask("a2", a, 2)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(_RUNNERS, STACK_RUNNER, broken)
        records = execute_batch(DEFAULT_RUNNER, tasks, stack=4)
    assert [r.run_id for r in records] == ["a", "b", "a2"]
    assert all(r.error is None for r in records)
    assert [(r.summary["scenario"], r.summary["seed"]) for r in records] == [
        ("unlimited-responsibility", 1), ("admission-list", 1), ("unlimited-responsibility", 2)]
    assert records[1].summary["tasks_done"] == sim_run(b, 1).summary["tasks_done"]
