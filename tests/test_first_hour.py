"""The researcher's first hour (issue #14): validate experiments, dry-run a sweep, show a
resolved scenario, --days that keeps the warm-up's share, the memory estimate, strict and
bounded numbers, stepping to the horizon, and the sweep API on validated objects."""

from __future__ import annotations

import errno
import typing
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import TiaokuaiModel, load_scenario, with_overrides
from sim.cli import main
from sim.config import Scenario
from sim.resources import estimate_run
from sim.scenario_io import field_at, field_bounds, schema_fields

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "scenarios" / "unlimited-responsibility.yaml"
TINY = {"structure.departments_per_district": 2, "structure.streets_per_district": 2,
        "structure.committees_per_street": 2}


def experiment(tmp: Path, **fields) -> Path:
    spec = {"name": "e", "base": str(GOOD), "days": 6, "warmup_days": 2, "replications": 3,
            "master_seed": 1, "outcomes": ["tasks_created"],
            "sub_experiments": {"a": {"set": TINY}, "b": {"set": {**TINY, "levers.data_sharing": True}}},
            **fields}
    path = tmp / "e.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_validate_accepts_experiment_files_and_the_shipped_ones(tmp_path, capsys):
    # an experiment, a scenario and a shipped file on one command line; every shipped file,
    # one by one (robustness.yaml's ~2.5 s of CPU included), is
    # tests/test_sweep_spec.py::test_shipped_experiment_files_are_valid
    shipped = [str(ROOT / "experiments" / "ci-smoke.yaml")]
    assert main(["validate", str(experiment(tmp_path)), str(GOOD), *shipped]) == 0
    out = capsys.readouterr().out
    assert "experiment e: 6 runs, 2 sub-experiments x 1 design points x 3 replications" in out
    assert out.count("ok: ") == 2 + len(shipped)


def test_validate_names_the_real_fault_of_an_experiment(tmp_path, capsys):
    path = experiment(tmp_path)
    path.write_text(path.read_text() + "sub_experiments:\n  a: {}\n")
    assert main(["validate", str(path)]) == 2
    assert "'sub_experiments' given twice" in capsys.readouterr().err
    path = experiment(tmp_path, replications="3")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "replications" in err and "integer" in err


def test_sweep_dry_run_prints_runs_horizon_and_cpu_time_and_writes_nothing(tmp_path, capsys):
    path = experiment(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(["sweep", str(path), "--dry-run"]) == 0
    assert main(["sweep", str(path), "--dry-run", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "6 runs (2 sub-experiments x 1 design points x 3 replications)" in out
    assert "horizon 6 days" in out and "estimated CPU time" in out and "nothing was run or written" in out
    assert sorted(tmp_path.rglob("*")) == before


def test_show_prints_the_resolved_scenario_as_yaml(tmp_path, capsys):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {GOOD}\nname: child\nlevers:\n  street_gate: {{compliance: 0.4}}\n")
    assert main(["show", str(child), "--set", "days=40", "--set", "warmup_days=5"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    expected = with_overrides(load_scenario(child), {"days": 40, "warmup_days": 5})
    assert Scenario.model_validate(shown, strict=False) == expected
    parent = load_scenario(GOOD)
    # merged deeply: the child's one gate field changed, the parent's other gate fields kept
    assert shown["levers"]["street_gate"]["compliance"] == 0.4
    assert shown["levers"]["street_gate"]["enabled"] == parent.levers.street_gate.enabled
    assert len(shown["task_kinds"]) == len(parent.task_kinds)


def test_run_days_keeps_the_warm_up_share_and_says_so(tmp_path, capsys):
    small = tmp_path / "small.yaml"
    small.write_text(f"extends: {GOOD}\nname: small\ndays: 100\nwarmup_days: 20\n"
                     "structure: {departments_per_district: 2, streets_per_district: 2, committees_per_street: 2}\n")
    assert main(["run", str(small), "--days", "30", "--json"]) == 0
    captured = capsys.readouterr()
    assert "warm-up scaled to 6 days" in captured.err
    summary = yaml.safe_load(captured.out)
    assert summary["days"] == 30 and summary["warmup_days"] == 6
    assert main(["run", str(small), "--days", "30", "--set", "warmup_days=3", "--json"]) == 0
    captured = capsys.readouterr()
    assert "warm-up" not in captured.err and yaml.safe_load(captured.out)["warmup_days"] == 3


def test_run_days_beyond_the_schema_is_refused_naming_the_option(capsys):
    assert main(["run", str(GOOD), "--days", "100000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --days") and "5000" in err


def test_a_full_disk_under_run_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import pandas as pd

    def full(self, path, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    small = tmp_path / "s.yaml"
    small.write_text(f"extends: {GOOD}\nname: s\ndays: 5\nwarmup_days: 1\n")
    assert main(["run", str(small), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No space left" in err
    assert not (tmp_path / "out").exists()


def test_every_number_in_the_schema_is_bounded_on_both_sides():
    unbounded = []
    for path, field in schema_fields():
        annotation = field.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
        if args[0] in (int, float):
            low, high = field_bounds(field)
            if low is None or high is None:
                unbounded.append(path)
    assert not unbounded, f"fields without a lower and an upper bound: {unbounded}"


def test_numbers_are_strict_and_finite():
    base = load_scenario(GOOD)
    for path, value in [("days", "30"), ("levers.data_sharing", "yes"), ("staff.hours_per_day", 1e-300),
                        ("task_kinds.0.rate_per_day", float("inf")), ("name", "  ")]:
        with pytest.raises(Exception) as info:
            with_overrides(base, {path: value})
        assert path in str(info.value)
    # NumPy scalars are numbers, not typos
    assert with_overrides(base, {"days": np.int64(400)}).days == 400


def test_the_schema_walker_names_fields_by_dotted_path():
    paths = [p for p, _ in schema_fields()]
    assert "task_kinds[].rate_per_day" in paths and "levers.street_gate.compliance" in paths
    assert field_at("task_kinds.3.rate_per_day") is not None and field_at("task_kinds.x.rate_per_day") is None
    assert field_at("levers.nope") is None and field_bounds(field_at("days")) == (1, 5000)


def test_the_memory_estimate_passes_the_presets_and_refuses_a_giant(tmp_path, monkeypatch, capsys):
    city = estimate_run(load_scenario(ROOT / "scenarios" / "city-scale.yaml"))
    assert 170 * 2**20 < city.memory_bytes < 2 * 2**30  # measured: 173 MiB (docs/performance.md)
    assert 0.5 < city.cpu_seconds < 10  # measured: 1.8 s
    giant = tmp_path / "giant.yaml"
    giant.write_text(f"extends: {GOOD}\nname: giant\nstructure: {{districts: 100, streets_per_district: 500, "
                     "committees_per_street: 200}\n")
    monkeypatch.setenv("TIAOKUAI_MAX_MEMORY", "64GiB")  # the same verdict on any machine
    assert main(["validate", str(giant)]) == 2
    err = capsys.readouterr().err
    assert "GiB of memory" in err and "TIAOKUAI_MAX_MEMORY" in err
    monkeypatch.setenv("TIAOKUAI_MAX_MEMORY", "0")
    assert main(["validate", str(giant)]) == 0
    monkeypatch.setenv("TIAOKUAI_MAX_MEMORY", "lots")
    assert main(["validate", str(giant)]) == 2
    assert "TIAOKUAI_MAX_MEMORY" in capsys.readouterr().err


def test_stepping_to_the_horizon_stops_the_model():
    scenario = with_overrides(load_scenario(GOOD), {**TINY, "days": 4, "warmup_days": 1})
    model = TiaokuaiModel(scenario, seed=1)
    for _ in range(3):
        model.step()
    assert model.running
    model.step()
    assert not model.running and model.day == 4
    again = TiaokuaiModel(scenario, seed=1)
    again.run_model()  # Mesa's own loop stops at the horizon
    assert again.day == 4


def test_sweep_runs_a_plan_built_from_objects_without_files(tmp_path):
    from sim.sweep import ResultStore, plan_experiment, sweep
    from sim.sweep.executors import SerialExecutor
    from sim.sweep.spec import Experiment

    exp = Experiment.model_validate({
        "name": "objects", "base": "unused.yaml", "replications": 2, "master_seed": 4, "days": 5,
        "warmup_days": 1, "outcomes": ["tasks_created"], "factors": {"levers.rework_share": [0.2, 0.8]}})
    plan = plan_experiment(exp, {"base": with_overrides(load_scenario(GOOD), TINY)})
    report = sweep(plan, ResultStore(tmp_path / "r"), SerialExecutor)
    assert report.ran == 4 and len(ResultStore(tmp_path / "r").read_runs()) == 4


def test_a_sensitivity_stage_plan_carries_its_design_matrix(tmp_path):
    from sim.sensitivity.stages import stage_plan
    from sim.sweep.designs import sample_matrix
    from sim.sweep.plan import build_plan

    path = experiment(tmp_path, design={"method": "morris", "samples": 2, "levels": 4,
                                        "ranges": {"levers.rework_share": [0, 1], "levers.data_sharing": {
                                            "low": 0, "high": 1, "integer": True}}})
    plan = build_plan(path)
    staged = stage_plan(plan, "morris", 3, replications=1)
    assert staged.design_matrix.shape == (3 * 3, 2)
    assert np.array_equal(staged.design_matrix, sample_matrix(staged.experiment.design, 1))
    assert {type(r.scenario.levers.data_sharing) for r in staged.runs} == {bool}


def test_sweep_refuses_a_plan_too_large_for_the_memory_before_writing(tmp_path, monkeypatch):
    from sim import InputError
    from sim.sweep import ResultStore, build_plan, sweep
    from sim.sweep.executors import SerialExecutor

    plan = build_plan(experiment(tmp_path))
    monkeypatch.setenv("TIAOKUAI_MAX_MEMORY", "10MiB")
    with pytest.raises(InputError, match="TIAOKUAI_MAX_MEMORY"):
        sweep(plan, ResultStore(tmp_path / "r"), SerialExecutor)
    assert not (tmp_path / "r").exists()


def test_validate_checks_an_experiments_scenarios_against_the_memory(tmp_path, monkeypatch, capsys):
    path = experiment(tmp_path)
    monkeypatch.setenv("TIAOKUAI_MAX_MEMORY", "10MiB")
    assert main(["validate", str(path)]) == 2
    assert "TIAOKUAI_MAX_MEMORY" in capsys.readouterr().err
