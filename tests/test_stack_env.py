"""$TIAOKUAI_STACK (how many runs a sweep steps together, sim.resources) is user input: a
value that is not a whole number of at least 1 is refused in one line naming the
variable, its value and the rule (exit 2, no traceback, nothing written), not quietly
taken as 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.resources import DEFAULT_STACK, STACK_ENV, requested_stack

ROOT = Path(__file__).resolve().parents[1]
BAD = ["0", "-3", "1.5", "sixteen"]


@pytest.mark.parametrize("text", BAD)
def test_a_bad_stack_size_is_refused(monkeypatch, text):
    monkeypatch.setenv(STACK_ENV, text)
    with pytest.raises(InputError) as err:
        requested_stack()
    (problem,) = err.value.problems
    assert STACK_ENV in str(problem) and repr(text) in str(problem) and "at least 1" in str(problem)


def test_good_stack_sizes_are_taken(monkeypatch):
    monkeypatch.setenv(STACK_ENV, " 4 ")
    assert requested_stack() == 4
    monkeypatch.setenv(STACK_ENV, "1")
    assert requested_stack() == 1
    monkeypatch.delenv(STACK_ENV)
    assert requested_stack() == DEFAULT_STACK
    assert requested_stack(8) == 8  # --stack, already checked by the command line


@pytest.mark.parametrize("text", ["0", "-2"])
def test_the_sweep_command_refuses_it_before_writing_anything(monkeypatch, capsys, tmp_path, text):
    monkeypatch.setenv(STACK_ENV, text)
    out = tmp_path / "store"
    code = main(["sweep", str(ROOT / "benchmarks" / "sweep-stacking.yaml"), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {STACK_ENV}: ") and repr(text) in err
    assert "Traceback" not in err
    assert not out.exists()
