"""`tiaokuai sweep` whose runs stop at a gate: a test's way to interrupt a sweep mid-way,
every time, instead of at a wall-clock moment that a fast or a loaded machine can miss.

    python -m tests.support.gated_sweep GATE_DIR ALLOWED sweep EXPERIMENT.yaml --out DIR ...

Every run (alone or in a stack), in the command's process or in a forked worker, first takes the next ticket
(an exclusive file GATE_DIR/ticket-N, so numbering is shared across processes). Runs with
tickets below ALLOWED go ahead; the others mark GATE_DIR/blocked-PID and wait for ever.
The sweep can therefore never finish, and once every worker is blocked no result is in
flight: a signal sent then finds the driver waiting for results, never mid-write.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import signal
import sys
import time
from pathlib import Path


def take_ticket(gate: Path) -> int:
    """The lowest ticket number no process has taken yet (file creation is atomic)."""
    for n in itertools.count():
        try:
            os.close(os.open(gate / f"ticket-{n}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        return n
    raise AssertionError("unreachable")


def blocked(gate: Path) -> int:
    """How many processes are waiting at the gate."""
    return len(list(gate.glob("blocked-*")))


def gated(real, gate: Path, allowed: int):
    """`real` (the model's run function) behind the gate."""

    def run(scenario, seed, timeseries=False):
        if take_ticket(gate) >= allowed:
            (gate / f"blocked-{os.getpid()}").touch()
            while True:
                time.sleep(3600)
        return real(scenario, seed=seed, timeseries=timeseries)

    return run


def gated_stack(real, gate: Path, allowed: int):
    """`real` (the model's stacked runner, sim.run_stack) behind the gate: each run of the
    stack takes its ticket; the stack waits for ever if any of them is not allowed."""

    def run_stack(scenario, seeds, timeseries=False):
        with open(gate / "stack-lock", "w") as lock:  # a stack's tickets in one go, not interleaved with another's
            fcntl.flock(lock, fcntl.LOCK_EX)
            tickets = [take_ticket(gate) for _ in seeds]
        if max(tickets) >= allowed:
            (gate / f"blocked-{os.getpid()}").touch()
            while True:
                time.sleep(3600)
        return real(scenario, seeds=seeds, timeseries=timeseries)

    return run_stack


def main(argv: list[str]) -> int:
    gate, allowed, command = Path(argv[0]), int(argv[1]), argv[2:]
    # Ctrl-C as at a terminal, even if the tests were started with SIGINT ignored (as `cmd &`
    # in a script does, and Python keeps): the tests interrupt this command with SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    gate.mkdir(parents=True, exist_ok=True)
    import sim
    from sim.cli import main as tiaokuai

    # The sweep resolves its runner, "sim:run", by name in this process; local workers are
    # forked from it after that, so they run the gated function too.
    sim.run = gated(sim.run, gate, allowed)
    sim.run_stack = gated_stack(sim.run_stack, gate, allowed)  # runs that share a scenario (issue 19)
    return tiaokuai(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
