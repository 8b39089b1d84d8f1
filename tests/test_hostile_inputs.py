"""A corpus of hostile and careless inputs (issue #14): every one is refused with exit
status 2, one `error:` line per problem, no traceback, no hang, and nothing written.

Each case builds its inputs under a temporary folder and returns the command line; the
check is the same for all. Cases that hung, ate memory, gave a traceback or were silently
accepted before the hardening are marked in their names: (hang) (memory) (traceback)
(accepted) (leak).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
from pathlib import Path

import pytest
import yaml

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "scenarios" / "unlimited-responsibility.yaml"
TINY = (
    f"extends: {GOOD}\nname: tiny\ndays: 8\nwarmup_days: 2\n"
    "structure: {departments_per_district: 2, streets_per_district: 2, committees_per_street: 3}\n"
)
SECRET = "s3cret-line-from-a-system-file"


def tiny(tmp: Path, body: str = "", name: str = "s.yaml") -> Path:
    path = tmp / name
    path.write_text(TINY + body)
    return path


def experiment(tmp: Path, body: str = "", base: Path | None = None, name: str = "e.yaml", **fields) -> Path:
    base = base or tiny(tmp)
    spec = {"name": "e", "base": str(base), "replications": 2, "master_seed": 1,
            "outcomes": ["tasks_created"], **fields}
    path = tmp / name
    path.write_text(yaml.safe_dump(spec) + body)
    return path


def raw(tmp: Path, text: str | bytes, name: str = "f.yaml") -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nname: *i\n"


def chain(tmp: Path, n: int) -> Path:
    (tmp / "c0.yaml").write_text(TINY)
    for i in range(1, n):
        (tmp / f"c{i}.yaml").write_text(f"extends: c{i - 1}.yaml\n")
    return tmp / f"c{n - 1}.yaml"


def fifo(tmp: Path) -> Path:
    path = tmp / "pipe.yaml"
    os.mkfifo(path)
    return path


def under_a_file(tmp: Path) -> Path:
    (tmp / "afile").write_text("x")
    return tmp / "afile" / "out"


def not_a_store(tmp: Path) -> Path:
    folder = tmp / "mine"
    (folder / "figures").mkdir(parents=True)
    (folder / "runs").mkdir()
    (folder / "figures" / "thesis.png").write_text("precious")
    (folder / "runs" / "notes.txt").write_text("precious")
    return folder


def nested_extends_deep_mapping(tmp: Path) -> Path:
    text = TINY + "description: " + "{a: " * 40 + "1" + "}" * 40 + "\n"
    return raw(tmp, text)


# id -> builder(tmp) -> argv; the inputs live in tmp, results would go to tmp / "out"
CORPUS = {
    # -- hangs and memory ----------------------------------------------------------------------
    "billion laughs (hang)": lambda t: ["validate", str(raw(t, laughs()))],
    "billion laughs in --set (hang)": lambda t: ["run", str(tiny(t)), "--set", "name=" + laughs().replace("\n", " ")],
    "validate /dev/zero (memory)": lambda t: ["validate", "/dev/zero"],
    "run /dev/zero (memory)": lambda t: ["run", "/dev/zero"],
    "extends /dev/zero (memory)": lambda t: ["validate", str(raw(t, "extends: /dev/zero\nname: x\n"))],
    "a named pipe": lambda t: ["validate", str(fifo(t))],
    "a 2 MB file": lambda t: ["validate", str(raw(t, TINY + "#" * 2_000_000 + "\n"))],
    "a description of 30,000 characters": lambda t: ["validate", str(tiny(t, "description: " + "x" * 30_000 + "\n"))],
    "20,000-deep brackets (traceback)": lambda t: ["validate", str(raw(t, "name: " + "[" * 20000 + "]" * 20000))],
    "40-deep mappings": lambda t: ["validate", str(nested_extends_deep_mapping(t))],
    "20,000-deep --set value (traceback)": lambda t: ["run", str(tiny(t)), "--set", "days=" + "[" * 20000 + "]" * 20000],
    "recursive alias": lambda t: ["validate", str(raw(t, TINY.replace("name: tiny", "name: &n [*n]")))],
    "1,200-file extends chain (traceback)": lambda t: ["validate", str(chain(t, 1200))],
    "20-file extends chain": lambda t: ["validate", str(chain(t, 20))],
    "extends itself": lambda t: ["validate", str(raw(t, "extends: f.yaml\nname: x\n"))],
    "extends a folder": lambda t: ["validate", str(raw(t, f"extends: {t}\nname: x\n"))],
    "extends a number": lambda t: ["validate", str(raw(t, "extends: 12\nname: x\n"))],
    "extends a missing file": lambda t: ["validate", str(raw(t, "extends: nowhere.yaml\nname: x\n"))],
    "10x500x200 committees (memory)": lambda t: ["run", str(tiny(t, "structure: {districts: 10, streets_per_district: 500, committees_per_street: 200}\n"))],
    "validate 100x500x200 committees (memory)": lambda t: ["validate", str(tiny(t, "structure: {districts: 100, streets_per_district: 500, committees_per_street: 200}\n"))],
    "rate 1e6 (memory)": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.rate_per_day=1e6"],
    "rate 900 in a big city (memory)": lambda t: ["run", str(tiny(t, "structure: {districts: 100, departments_per_district: 100}\n")), "--set", "task_kinds.0.rate_per_day=900"],
    "rate .inf (traceback)": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.rate_per_day=.inf"],
    "rate 1e308 (traceback)": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.rate_per_day=1e308"],
    "rate .nan": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.rate_per_day=.nan"],
    "effort .inf": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.effort_mean_hours=.inf"],
    "budget 1e308": lambda t: ["run", str(tiny(t)), "--set", "department.budget_per_day=1e308"],
    "hours_per_day 1e-300 (accepted: NaN output)": lambda t: ["run", str(tiny(t)), "--set", "staff.hours_per_day=1e-300"],
    "hourly_cost 1e-300": lambda t: ["run", str(tiny(t)), "--set", "staff.hourly_cost=1e-300"],
    "price per hour .inf": lambda t: ["run", str(tiny(t)), "--set", "levers.social_organisation_price_per_hour=.inf"],
    "abandon after 1e9 days": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.abandon_after_days=1000000000"],
    "warm-up of 10**400 days": lambda t: ["run", str(tiny(t)), "--set", "warmup_days=1" + "0" * 400],
    "300 task kinds": lambda t: ["validate", str(tiny(t, "task_kinds: [" + ",".join(
        f"{{name: k{i}, origin: residents, rate_per_day: 0.1, effort_mean_hours: 1, deadline_days: 5}}" for i in range(300)) + "]\n"))],
    "2-million-run experiment (hang)": lambda t: ["sweep", str(experiment(t, replications=100000, sub_experiments={
        f"a{i}": {} for i in range(20)})), "--dry-run"],
    "sobol design of 6 million points (hang)": lambda t: ["sweep", str(experiment(t, design={
        "method": "sobol", "samples": 65536, "ranges": {f"levers.{k}": [0, 1] for k in (
            "push_down_propensity", "escalation_acceptance", "rework_share")}})), "--dry-run"],
    "factorial of 10**20 points (hang)": lambda t: ["sweep", str(experiment(t, factors={
        f"levers.{k}": [i / 100 for i in range(100)] for k in (
            "push_down_propensity", "escalation_acceptance", "rework_share", "resources_follow_tasks",
            "purchasing_budget_share", "social_organisation_quality", "push_down_backlog_sensitivity",
            "reverse_evaluation_sensitivity", "social_organisation_entry_threshold", "escalation_acceptance")})),
        "--dry-run"],
    # -- silently accepted --------------------------------------------------------------------
    "duplicate top-level key (accepted)": lambda t: ["validate", str(tiny(t, "days: 9\ndays: 10\n"))],
    "duplicate nested key (accepted)": lambda t: ["validate", str(tiny(t, "levers:\n  data_sharing: true\n  data_sharing: false\n"))],
    "experiment with arm a twice (accepted)": lambda t: ["validate", str(experiment(t, "sub_experiments:\n  a: {}\n  a: {set: {days: 9}}\n"))],
    "blank name (accepted)": lambda t: ["validate", str(tiny(t, "name: '   '\n"))],
    "blank task kind name (accepted)": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.0.name=' '"],
    "days '3' (accepted)": lambda t: ["validate", str(tiny(t, "days: '30'\n"))],
    "data_sharing 'yes' (accepted)": lambda t: ["validate", str(tiny(t, "levers: {data_sharing: 'yes'}\n"))],
    "days 30.0": lambda t: ["validate", str(tiny(t, "days: 30.0\n"))],
    "replications '3' (accepted)": lambda t: ["validate", str(experiment(t, replications="3"))],
    "run --days 100000 (accepted)": lambda t: ["run", str(tiny(t)), "--days", "100000"],
    "run --days 0": lambda t: ["run", str(tiny(t)), "--days", "0"],
    "run --days -5": lambda t: ["run", str(tiny(t)), "--days", "-5"],
    "run --days abc": lambda t: ["run", str(tiny(t)), "--days", "abc"],
    "run --seed -1": lambda t: ["run", str(tiny(t)), "--seed", "-1"],
    "run --seed 2**70": lambda t: ["run", str(tiny(t)), "--seed", str(2**70)],
    "--set days=5001": lambda t: ["run", str(tiny(t)), "--set", "days=5001"],
    "--set unknown path": lambda t: ["run", str(tiny(t)), "--set", "levers.push_down_propensty=0.5"],
    "--set huge list index": lambda t: ["run", str(tiny(t)), "--set", "task_kinds.99999999999999999999.rate_per_day=1"],
    "--set a whole section to a number": lambda t: ["run", str(tiny(t)), "--set", "levers=5"],
    "--set without a value": lambda t: ["run", str(tiny(t)), "--set", "=3"],
    "--set empty path part": lambda t: ["run", str(tiny(t)), "--set", "levers..data_sharing=true"],
    "--set a python tag": lambda t: ["run", str(tiny(t)), "--set", "name=!!python/object/apply:os.system [echo hi]"],
    "warm-up longer than the run": lambda t: ["validate", str(tiny(t, "days: 5\nwarmup_days: 6\n"))],
    "no task kinds": lambda t: ["validate", str(tiny(t, "task_kinds: []\n"))],
    "keys that are numbers": lambda t: ["validate", str(raw(t, "1: 2\n3: 4\n"))],
    "a python object tag": lambda t: ["validate", str(raw(t, "name: !!python/object/apply:os.system [echo hi]\n"))],
    "a YAML list": lambda t: ["validate", str(raw(t, "- a\n- b\n"))],
    "an empty file": lambda t: ["validate", str(raw(t, ""))],
    "a syntax error": lambda t: ["validate", str(raw(t, "name: [unclosed\n"))],
    "a tab indent": lambda t: ["validate", str(raw(t, "levers:\n\tdata_sharing: true\n"))],
    "binary bytes": lambda t: ["validate", str(raw(t, bytes(range(256)) * 4))],
    "UTF-16 text": lambda t: ["validate", str(raw(t, TINY.encode("utf-16")))],
    "a missing file": lambda t: ["validate", str(t / "nowhere.yaml")],
    "a folder": lambda t: ["validate", str(t)],
    # -- leaks -------------------------------------------------------------------------------
    "a system file of key: value lines (leak)": lambda t: ["validate", str(raw(t, f"root: {SECRET}\ndaemon: {SECRET}\n", "shadow"))],
    "a system file of colon lines (leak)": lambda t: ["validate", str(raw(t, f"root:x:0:0:{SECRET}:/root:/bin/bash\n", "passwd"))],
    "an unknown key's value (leak)": lambda t: ["validate", str(tiny(t, f"password: {SECRET}\n"))],
    # -- output folders -----------------------------------------------------------------------
    "run --out an existing file (traceback)": lambda t: ["run", str(tiny(t)), "--out", str(raw(t, "x", "outfile"))],
    "run --out under a file (traceback)": lambda t: ["run", str(tiny(t)), "--out", str(under_a_file(t))],
    "run --out in /proc (traceback)": lambda t: ["run", str(tiny(t)), "--out", "/proc/tiaokuai-out"],
    "run --out in /sys": lambda t: ["run", str(tiny(t)), "--out", "/sys/tiaokuai-out"],
    "sweep --out an existing file (traceback)": lambda t: ["sweep", str(experiment(t)), "--out", str(raw(t, "x", "outfile"))],
    "sweep --out under a file (traceback)": lambda t: ["sweep", str(experiment(t)), "--out", str(under_a_file(t))],
    "sweep --out in /proc (traceback)": lambda t: ["sweep", str(experiment(t)), "--out", "/proc/tiaokuai-out"],
    "sweep without --out": lambda t: ["sweep", str(experiment(t))],
    "sweep --restart a folder that is not a store (deleted it)": lambda t: [
        "sweep", str(experiment(t)), "--out", str(not_a_store(t)), "--restart", "--quiet"],
    "sweep --flush-seconds nan": lambda t: ["sweep", str(experiment(t)), "--out", str(t / "out"), "--flush-seconds", "nan"],
    "sweep --workers 0": lambda t: ["sweep", str(experiment(t)), "--out", str(t / "out"), "--workers", "0"],
    "an unknown option": lambda t: ["run", str(tiny(t)), "--bogus"],
    "no scenario given": lambda t: ["run"],
    "an unknown command": lambda t: ["frobnicate"],
    "sensitivity --morris-trajectories abc": lambda t: ["sensitivity", str(experiment(t)), "--morris-trajectories", "abc"],
    "run an experiment file": lambda t: ["run", str(experiment(t))],
    "show an experiment file": lambda t: ["show", str(experiment(t))],
    # -- experiments --------------------------------------------------------------------------
    "experiment with a bad factor path": lambda t: ["validate", str(experiment(t, factors={"levers.nope": [1, 2]}))],
    "experiment with a factor level out of bounds": lambda t: ["validate", str(experiment(t, factors={"levers.rework_share": [0.5, 2]}))],
    "experiment whose base is missing": lambda t: ["validate", str(experiment(t, base=t / "none.yaml"))],
    "experiment whose base is /dev/zero": lambda t: ["validate", str(experiment(t, base=Path("/dev/zero")))],
    "experiment with an infinite range": lambda t: ["validate", str(experiment(t, design={
        "method": "latin_hypercube", "samples": 4, "ranges": {"levers.rework_share": [0, ".inf"]}}))],
    "experiment with an unknown outcome": lambda t: ["sweep", str(experiment(t, outcomes=["nope"])), "--out", str(t / "out"), "--workers", "1"],
    "sensitivity --days 0 (pydantic dump)": lambda t: ["sensitivity", str(experiment(t, design={
        "method": "morris", "samples": 2, "ranges": {"levers.rework_share": [0, 1]}})), "--out", str(t / "out"), "--days", "0"],
    "sensitivity --replications 0 (pydantic dump)": lambda t: ["sensitivity", str(experiment(t, design={
        "method": "morris", "samples": 2, "ranges": {"levers.rework_share": [0, 1]}})), "--out", str(t / "out"), "--replications", "0"],
}


class Hang(Exception):
    pass


@pytest.fixture(autouse=True)
def machine(monkeypatch):
    """The same memory limit on every machine, so the memory cases do not depend on its size."""
    monkeypatch.setenv("TIAOKUAI_MAX_MEMORY", "8GiB")


@pytest.fixture
def deadline():
    """Fail a case that takes longer than 20 s instead of hanging the suite."""
    def alarm(signum, frame):
        raise Hang("the command did not finish in 20 s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")
            if not stat.S_ISFIFO(p.lstat().st_mode)}


@pytest.mark.parametrize("case", CORPUS, ids=list(CORPUS))
def test_a_hostile_input_is_refused_in_one_line_with_exit_2_and_nothing_written(case, tmp_path, capsys, deadline):
    argv = CORPUS[case](tmp_path)
    capsys.readouterr()
    before = snapshot(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err and "Traceback" not in captured.out
    lines = [line for line in err.splitlines() if line]
    assert lines, "no error message"
    assert all(line.startswith("error: ") for line in lines), err
    assert all(len(line) < 2000 for line in lines), err
    assert len(lines) <= 20, err
    assert SECRET not in err
    assert snapshot(tmp_path) == before, "something was written or deleted"
    assert not Path("/proc/tiaokuai-out").exists()


def test_the_corpus_is_large():
    assert len(CORPUS) >= 80
