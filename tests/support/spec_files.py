"""Small spec files written for the tests of bad input: a tiny scenario over the shipped
baseline and an experiment on it, each with the fields a test overrides."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "scenarios" / "unlimited-responsibility.yaml"


def tiny_scenario(tmp: Path, days: int = 8, warmup_days: int = 2) -> Path:
    """A scenario of twelve committees extending the baseline, written as tmp/s.yaml."""
    path = tmp / "s.yaml"
    path.write_text(f"extends: {GOOD}\nname: tiny\ndays: {days}\nwarmup_days: {warmup_days}\n"
                    "structure: {departments_per_district: 2, streets_per_district: 2, committees_per_street: 3}\n")
    return path


def experiment_file(scenario: Path, tmp: Path, **fields) -> Path:
    """A one-replication experiment on `scenario`, written as tmp/e.yaml; `fields` override
    (a `base` among them too)."""
    spec = {"name": "e", "base": str(scenario), "replications": 1, "master_seed": 1,
            "outcomes": ["tasks_created"], **fields}
    path = tmp / "e.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def snapshot(folder: Path) -> dict[str, int]:
    """Every path under `folder` with its size: what a refused command must leave as it was."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")}


def refused(argv: list, tmp: Path, capsys, *expected: str) -> str:
    """Run `tiaokuai argv` in-process; check it is refused the house's way (exit 2, only
    `error:` lines, each of `expected` among them, no traceback, nothing written under
    `tmp`); return its error text."""
    from sim.cli import main

    capsys.readouterr()
    before = snapshot(tmp)
    assert main([str(a) for a in argv]) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line]
    assert lines and all(line.startswith("error: ") for line in lines), captured.err
    assert "Traceback" not in captured.err + captured.out
    for text in expected:
        assert text in captured.err, captured.err
    assert snapshot(tmp) == before, "something was written"
    return captured.err
