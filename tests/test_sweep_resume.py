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

from sim.sweep.driver import sweep
from sim.sweep.executors import LocalExecutor
from sim.sweep.store import ResultStore

REPO = Path(__file__).resolve().parents[1]
TINY = {"structure.departments_per_district": 2, "structure.streets_per_district": 2,
        "structure.committees_per_street": 3}
TOTAL = 2 * 16

pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


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
    sweep(experiment, out, lambda: LocalExecutor(2), quiet=True)
    return rows(out)


def rows(out: Path):
    store = ResultStore(out)
    return store.read_runs().drop(columns="run_seconds"), store.read_timeseries()


def start(experiment: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(experiment), "--out", str(out), "--workers", "2",
         "--flush-seconds", "0"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def interrupt_at_random(proc: subprocess.Popen, out: Path, sig: int, rng: random.Random) -> int:
    """Wait for the first stored part, then a random moment, then send `sig`; return the exit code."""
    deadline = time.monotonic() + 60
    while not list((out / "runs").glob("part-*.parquet")):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.5))
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(sig)
    code = proc.wait(timeout=30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # any worker the kill left behind
    except ProcessLookupError:
        pass
    return code


def finish(experiment: Path, out: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "sim", "sweep", str(experiment), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stderr


def assert_same(a, b):
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


def test_sigkill_at_a_random_point_then_rerun_gives_exactly_the_uninterrupted_rows(experiment, uninterrupted, tmp_path):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out = tmp_path / "r"
    code = interrupt_at_random(start(experiment, out), out, signal.SIGKILL, rng)
    assert code == -signal.SIGKILL
    stored = len(ResultStore(out).stored_run_ids())
    assert 0 < stored < TOTAL, f"random seed {seed}"
    log = finish(experiment, out)
    assert f"{TOTAL - stored} ran" in log and f"{stored} were stored" in log, log
    assert_same(rows(out), uninterrupted)


def test_ctrl_c_stores_what_finished_exits_130_and_the_rerun_completes(experiment, uninterrupted, tmp_path):
    rng = random.Random(7)
    out = tmp_path / "r"
    code = interrupt_at_random(start(experiment, out), out, signal.SIGINT, rng)
    assert code == 130
    assert 0 < len(ResultStore(out).stored_run_ids()) < TOTAL
    finish(experiment, out)
    assert_same(rows(out), uninterrupted)
