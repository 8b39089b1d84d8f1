"""A sweep killed at any moment and started again with the same command ends with exactly
the rows of an uninterrupted sweep: no run lost, none duplicated, no half-written file read.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.sweep.plan import build_plan
from sim.sweep.driver import sweep
from sim.sweep.executors import LocalExecutor
from sim.sweep.store import ResultStore
from tests.support.cities import TINY
from tests.support.gated_sweep import blocked

REPO = Path(__file__).resolve().parents[1]
TOTAL = 2 * 16

pytestmark = [
    pytest.mark.slow,  # two interrupted sweep commands, each a fresh interpreter, and three sweeps
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "resume.yaml"
    path.write_text(yaml.safe_dump({
        "name": "resume", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "days": 40, "warmup_days": 5, "replications": 16, "master_seed": 4242,
        "outcomes": ["tasks_done_on_time_share"],
        "sub_experiments": {
            "unlimited": {"set": TINY},
            "gated": {"scenario": str(REPO / "scenarios/gate-and-resources.yaml"), "set": TINY},
        },
        "baseline": "unlimited",
        "timeseries": True,
    }, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def uninterrupted(experiment, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "r"
    sweep(build_plan(experiment), out, lambda: LocalExecutor(2), quiet=True)
    return rows(out)


def rows(out: Path):
    store = ResultStore(out)
    return store.read_runs().drop(columns="run_seconds"), store.read_timeseries()


STACK = 8  # runs a stack in the interrupted sweeps: four stacks, two more than workers


def start(experiment: Path, out: Path, gate: Path, allowed: int) -> subprocess.Popen:
    """The sweep command, with runs from ticket `allowed` on held at `gate` for ever.
    Ticket 0 is the outcome probe's; a batch carries whole stacks and comes back only
    whole (sim.sweep.executors.Batcher.take), so the first stack to run (tickets 1-8)
    comes back if `allowed` > 8, and both workers are held if `allowed` <= 24. In stacks
    of 8, not the default 16: two stacks of 16 would leave a worker idle, not held; the
    reruns stack by the default, and the rows are still those of the uninterrupted sweep."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.gated_sweep", str(gate), str(allowed),
         "sweep", str(experiment), "--out", str(out), "--workers", "2", "--flush-seconds", "0",
         "--stack", str(STACK)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def wait_for(condition, proc: subprocess.Popen, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the sweep stopped before {what}: {proc.stderr.read().decode()}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.02)


def stop(proc: subprocess.Popen, sig: int) -> int:
    """Send `sig`, wait for the exit code, and kill whatever the signal left behind."""
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # a worker the kill left behind
        except ProcessLookupError:
            pass


def stored_part(out: Path):
    return lambda: bool(list((out / "runs").glob("part-*.parquet")))


def finish(experiment: Path, out: Path, capsys) -> str:
    """The same command again, to completion, in this process (only the interrupted one
    needs a process of its own); its log."""
    from sim.cli import main

    capsys.readouterr()
    assert main(["sweep", str(experiment), "--out", str(out)]) == 0
    return capsys.readouterr().err


def assert_same(a, b):
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


def test_sigkill_at_a_random_point_then_rerun_gives_exactly_the_uninterrupted_rows(experiment, uninterrupted, tmp_path,
                                                                                   capsys):
    """Killed at a random moment after the first write: maybe mid-write, maybe while the
    workers wait at the gate. The gate (random, past the first stack and before the last)
    keeps the sweep from finishing first, whatever the machine's speed."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out, gate = tmp_path / "r", tmp_path / "gate"
    proc = start(experiment, out, gate, allowed=rng.randint(STACK + 1, TOTAL - STACK))
    wait_for(stored_part(out), proc, "a stored part")
    time.sleep(rng.uniform(0.0, 0.5))
    assert stop(proc, signal.SIGKILL) == -signal.SIGKILL
    stored = len(ResultStore(out).stored_run_ids())
    assert 0 < stored < TOTAL, f"random seed {seed}"
    log = finish(experiment, out, capsys)
    assert f"{TOTAL - stored} ran" in log and f"{stored} were stored" in log, log
    assert_same(rows(out), uninterrupted)


def test_ctrl_c_stores_what_finished_exits_130_and_the_rerun_completes(experiment, uninterrupted, tmp_path, capsys):
    """Ctrl-C while both workers are held mid-sweep: every run that came back is stored
    (the gate let 12 through, one of them the command's outcome probe), the command exits
    130, and the same command then completes the sweep. Runs sharing a scenario come back
    a stack at a time (issue 19), so the signal waits for the first stack (8 runs) to be stored."""
    out, gate = tmp_path / "r", tmp_path / "gate"
    proc = start(experiment, out, gate, allowed=12)
    wait_for(lambda: blocked(gate) == 2 and stored_part(out)(), proc, "both workers waiting at the gate")
    assert stop(proc, signal.SIGINT) == 130, proc.stderr.read().decode()
    stored = len(ResultStore(out).stored_run_ids())
    assert 0 < stored <= 11
    log = finish(experiment, out, capsys)
    assert f"{TOTAL - stored} ran" in log, log
    assert_same(rows(out), uninterrupted)
