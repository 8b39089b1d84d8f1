"""A user mistake gets exit status 2, one line per problem naming file, field, rule and
value, no traceback, and nothing written to disk."""

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "scenarios" / "unlimited-responsibility.yaml"


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def extend(tmp_path: Path, body: str) -> Path:
    return write(tmp_path, f"extends: {GOOD}\nname: bad\n{body}")


CASES = {
    "unknown key": ("levers:\n  push_down_propensty: 0.5\n", ["levers.push_down_propensty", "unknown key"]),
    "wrong type": ("levers:\n  street_gate: {enabled: maybe}\n", ["levers.street_gate.enabled", "bool", "maybe"]),
    "negative number": ("committee:\n  staff: -3\n", ["committee.staff", "greater than or equal to 0", "-3"]),
    "probability above one": ("levers:\n  resources_follow_tasks: 1.5\n", ["levers.resources_follow_tasks", "less than or equal to 1", "1.5"]),
    "probability below zero": ("levers:\n  street_gate: {compliance: -0.1}\n", ["levers.street_gate.compliance", "-0.1"]),
    "gate lists an unknown kind": (
        "levers:\n  committee_gate: {enabled: true, listed: [resident_request, parking_fines]}\n",
        ["levers.committee_gate.listed", "parking_fines", "do not exist"],
    ),
    "empty structure": ("structure:\n  streets_per_district: 0\n", ["structure.streets_per_district", "greater than or equal to 1", "0"]),
    "warm-up longer than run": ("days: 20\nwarmup_days: 30\n", ["warmup_days", "less than days"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_scenario_is_refused_with_its_field_and_value(case, tmp_path, capsys):
    body, expected = CASES[case]
    path = extend(tmp_path, body)
    out_dir = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    for fragment in expected:
        assert fragment in err, f"{fragment!r} missing from: {err}"
    assert "Traceback" not in err
    assert not out_dir.exists()
    assert main(["validate", str(path)]) == 2


def test_empty_task_catalogue_is_refused(tmp_path, capsys):
    path = write(tmp_path, "name: x\ntask_kinds: []\n")
    assert main(["validate", str(path)]) == 2
    assert "task_kinds" in capsys.readouterr().err


def test_yaml_syntax_error_names_line_and_column(tmp_path, capsys):
    path = write(tmp_path, "name: x\nlevers: {push_down_propensity: [0.5\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "YAML syntax error" in err and "line" in err and str(path) in err


def test_missing_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "assignment, fragment",
    [
        ("levers.push_down_propensity", "expected PATH=VALUE"),
        ("=3", "expected PATH=VALUE"),
        ("levers..x=1", "expected PATH=VALUE"),
        ("levers.no_such_lever=1", "no such field"),
        ("levers.push_down_propensity=2", "less than or equal to 1"),
        ("levers.street_gate.enabled=[1", "not valid YAML"),
    ],
)
def test_malformed_set_is_refused(assignment, fragment, tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["run", str(GOOD), "--set", assignment, "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert not out_dir.exists()


@pytest.mark.parametrize("option", [["--seed", "seven"], ["--seed", "-1"], ["--days", "0"], ["--days", "x"]])
def test_bad_seed_or_days_is_refused(option, capsys):
    assert main(["run", str(GOOD), *option]) == 2
    assert option[0] in capsys.readouterr().err


def test_validate_reports_every_bad_file_and_accepts_good_ones(tmp_path, capsys):
    bad1 = extend(tmp_path, "levers:\n  push_down_propensity: 3\n")
    bad2 = write(tmp_path, "name: y\nfoo: 1\n", "bad2.yaml")
    assert main(["validate", str(GOOD), str(bad1), str(bad2)]) == 2
    captured = capsys.readouterr()
    assert "ok:" in captured.out and str(bad1) in captured.err and str(bad2) in captured.err


def test_the_installed_command_prints_no_traceback(tmp_path):
    path = extend(tmp_path, "levers:\n  push_down_propensity: 7\n")
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "levers.push_down_propensity" in proc.stderr and "Traceback" not in proc.stderr
