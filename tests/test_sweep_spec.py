"""Experiment files are checked at the door: a bad one exits 2, names the field, writes nothing."""

import shutil
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.sweep.plan import build_plan
from tests.support.cities import TINY

REPO = Path(__file__).resolve().parents[1]
BASE = str(REPO / "scenarios/unlimited-responsibility.yaml")


def spec(**fields):
    data = {
        "name": "spec-test", "base": BASE, "days": 20, "warmup_days": 5, "replications": 2,
        "master_seed": 3, "outcomes": ["tasks_done_on_time_share"],
        "sub_experiments": {"unlimited": {"set": TINY}},
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


BAD = {
    "unknown key": (spec(replicates=3), "replicates: unknown key"),
    "missing replications": (spec(replications=None), "replications: required field is missing"),
    "zero replications": (spec(replications=0), "replications: Input should be greater than or equal to 1"),
    "negative master seed": (spec(master_seed=-1), "master_seed"),
    "baseline not an arm": (spec(baseline="nowhere"), "baseline 'nowhere' is not a sub-experiment"),
    "factors and design": (
        spec(factors={"levers.push_down_propensity": [0.2]},
             design={"method": "latin_hypercube", "samples": 4, "ranges": {"levers.push_down_propensity": [0, 1]}}),
        "not both",
    ),
    "bad dotted path in a sub-experiment": (
        spec(sub_experiments={"a": {"set": {"levers.push_down_propensty": 0.5}}}),
        "sub_experiments.a: levers.push_down_propensty: no such field in the scenario schema",
    ),
    "out of bounds value in a sub-experiment": (
        spec(sub_experiments={"a": {"set": {"levers.street_gate.compliance": 1.5}}}),
        "levers.street_gate.compliance: Input should be less than or equal to 1",
    ),
    "bad factor path": (spec(factors={"levers.nonsense": [1, 2]}), "factors: levers.nonsense: no such field"),
    "factor level out of bounds": (
        spec(factors={"levers.push_down_propensity": [0.5, 2.0]}),
        "factors: levers.push_down_propensity: Input should be less than or equal to 1",
    ),
    "repeated factor level": (spec(factors={"levers.push_down_propensity": [0.5, 0.5]}), "repeats a level"),
    "design range outside the schema": (
        spec(design={"method": "latin_hypercube", "samples": 4,
                     "ranges": {"levers.resources_follow_tasks": [0.0, 3.0]}}),
        "design.ranges: levers.resources_follow_tasks",
    ),
    "empty range": (
        spec(design={"method": "latin_hypercube", "samples": 4, "ranges": {"levers.push_down_propensity": [0.9, 0.1]}}),
        "low (0.9) must be less than high (0.1)",
    ),
    "sobol not a power of two": (
        spec(design={"method": "sobol", "samples": 6, "ranges": {"levers.push_down_propensity": [0.1, 0.9]}}),
        "power of 2",
    ),
    "missing scenario file": (
        spec(sub_experiments={"a": {"scenario": "no-such.yaml"}}),
        "sub_experiments.a.scenario: scenario file not found",
    ),
    "warm-up longer than the horizon": (spec(days=10, warmup_days=10), "warmup_days (10) must be less than days (10)"),
    "unknown outcome": (spec(outcomes=["tasks_done_on_time_shar"]), "outcomes: not a numeric summary field of a run"),
    "text outcome": (spec(outcomes=["scenario"]), "outcomes: not a numeric summary field of a run"),
    "bad arm name": (spec(sub_experiments={"a/b": {}}), "names may use letters"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_experiment_exits_2_naming_the_field_and_writes_nothing(case, tmp_path, capsys):
    data, expected = BAD[case]
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "results"
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert all(line.startswith("error: ") for line in err.strip().splitlines())
    assert not out.exists()


def test_a_yaml_syntax_error_exits_2_with_its_line(tmp_path, capsys):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("name: x\nbase: [unclosed\n")
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "r")]) == 2
    assert "YAML syntax error" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--workers", "0"], ["--workers", "two"], ["--workers", "2", "--scheduler", "tcp://h:1"]])
def test_bad_command_line_options_exit_2(args, tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump(spec()))
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "r"), *args]) == 2
    assert not (tmp_path / "r").exists()


def test_scenario_paths_are_relative_to_the_experiment_file_not_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "scen").mkdir()
    (tmp_path / "exp").mkdir()
    for name in ("unlimited-responsibility.yaml", "admission-list.yaml"):
        shutil.copy(REPO / "scenarios" / name, tmp_path / "scen" / name)
    experiment = tmp_path / "exp" / "e.yaml"
    experiment.write_text(yaml.safe_dump(spec(
        base="../scen/unlimited-responsibility.yaml",
        sub_experiments={"u": {}, "g": {"scenario": "../scen/admission-list.yaml"}},
    )))
    monkeypatch.chdir(tmp_path / "scen")  # somewhere the relative paths would not resolve
    plan = build_plan(experiment)
    assert {r.scenario.name for r in plan.runs} == {"unlimited-responsibility", "admission-list"}


def test_every_run_has_a_unique_id_and_the_factorial_has_every_combination(tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump(spec(
        replications=3,
        factors={"levers.push_down_propensity": [0.2, 0.8], "levers.street_gate.compliance": [0.5, 0.7, 1.0]},
    )))
    plan = build_plan(experiment)
    assert len(plan.runs) == 1 * 6 * 3 == plan.experiment.run_count
    assert len({r.run_id for r in plan.runs}) == len(plan.runs)
    combos = {(r.scenario.levers.push_down_propensity, r.scenario.levers.street_gate.compliance) for r in plan.runs}
    assert combos == {(a, b) for a in (0.2, 0.8) for b in (0.5, 0.7, 1.0)}
    row = plan.row_labels(plan.runs[-1])
    assert row["levers.push_down_propensity"] == 0.8 and row["levers.street_gate.compliance"] == 1.0


def test_inputs_that_differ_between_sub_experiments_become_row_columns(tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump(spec(sub_experiments={
        "u": {}, "g": {"scenario": str(REPO / "scenarios/admission-list.yaml")},
    })))
    plan = build_plan(experiment)
    assert "levers.street_gate.enabled" in plan.input_columns
    values = {r.sub_experiment: plan.row_labels(r)["levers.street_gate.enabled"] for r in plan.runs}
    assert values == {"u": False, "g": True}


# validating sensitivity.yaml builds and checks each of its 2,176 design points' scenarios
# (about 3 s of CPU): the whole suite does it, the fast tier validates the other files
@pytest.mark.parametrize("path", [
    pytest.param(path, marks=[pytest.mark.slow] if path.name == "sensitivity.yaml" else [])
    for path in sorted((REPO / "experiments").glob("*.yaml"))
], ids=lambda p: p.name)
def test_shipped_experiment_files_are_valid(path, capsys):
    # sweep, sensitivity, calibration and robustness files alike: `validate` knows each kind
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", ["unlimited-vs-gated.yaml", "ci-smoke.yaml"])
def test_the_headline_experiments_expand_to_their_runs_with_a_baseline(name):
    plan = build_plan(REPO / "experiments" / name)
    assert plan.experiment.baseline in plan.experiment.arm_names
    assert len(plan.runs) == plan.experiment.run_count >= 7 * 5
    assert plan.timeseries
