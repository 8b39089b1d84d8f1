"""Hostile spec files for `validate`, `calibrate`, `robustness`, `sensitivity` and `sweep`:
each is refused at the door the house's way (exit 2, one `error:` line per problem naming
the file, the field, the rule and the value, no traceback, nothing written), and `validate`
refuses what the command that runs the file would refuse. Each case was accepted, refused
late (after a pilot run or after writing), or refused naming the wrong file before its fix.

Every case runs `tiaokuai`'s main function in-process and is refused before a model runs
longer than a two-day probe."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from tests.support.spec_files import experiment_file, refused, tiny_scenario

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "scenarios" / "unlimited-responsibility.yaml"
PATTERN = {"id": "p1", "title": "t", "source": {"ref": "x"}, "evidence": "qualitative", "scenarios": ["a"],
           "outcome": "committee_utilisation_mean", "target": {"type": "interval", "low": 0.0, "scale": 0.1},
           "weight": 1, "held_out": False}


def tiny(tmp: Path) -> Path:
    return tiny_scenario(tmp, days=4, warmup_days=1)


def pattern(**fields) -> dict:
    return {**copy.deepcopy(PATTERN), **fields}


def calibration(tmp: Path, rows: list[dict] | None = None, **fields) -> Path:
    (tmp / "patterns.yaml").write_text(yaml.safe_dump({"patterns": rows or [pattern()]}))
    spec = {"name": "c", "patterns": "patterns.yaml", "base": str(tiny(tmp)), "scenarios": {"a": str(tiny(tmp))},
            "parameters": {"levers.push_down_propensity": {"prior": {"low": 0.5, "high": 1.0}, "why": "x"}},
            "days": 4, "warmup_days": 1, "master_seed": 1,
            "budgets": {"small": {"population": 4, "generations": 1}}, **fields}
    path = tmp / "c.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def experiment(tmp: Path, **fields) -> Path:
    return experiment_file(tiny(tmp), tmp, **fields)


def robustness(tmp: Path, **fields) -> Path:
    spec = {"name": "r", "base": str(tiny(tmp)), "baseline": "a",
            "policies": {"a": {}, "b": {"set": {"levers.street_gate.enabled": True}}},
            "uncertainties": {"assumptions": False, "ranges": {"levers.demand_multiplier": [0.8, 1.2]}},
            "worlds": {"points": 2}, "replications": 1, "master_seed": 1,
            "outcomes": ["committee_self_governance_hours_mean"], **fields}
    path = tmp / "r.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def both(tmp: Path, spec: Path) -> list[list]:
    """`validate` the calibration file, and `calibrate` it into tmp/out."""
    return [["validate", spec], ["calibrate", spec, "--out", tmp / "out", "--workers", "1", "--quiet"]]


# -- calibrate ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, field, value", [
    ({"type": "shape", "level": "planet", "column": "backlog_hours", "shape": "flat"}, "target.level", "'planet'"),
    ({"type": "shape", "level": "committee", "column": "backlogg", "shape": "flat"}, "target.column", "'backlogg'"),
])
def test_a_shape_pattern_names_a_level_and_a_column_of_the_per_day_table(target, field, value, tmp_path, capsys):
    # an unknown level was accepted (an empty series, misfit at its cap, every run); an unknown
    # column was found by the pilot run after the door
    spec = calibration(tmp_path, [pattern(outcome="", target=target)])
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, f"patterns.yaml: patterns.0.{field}: not a", f"(got {value})")


@pytest.mark.parametrize("change, field", [
    ({"weight": float("inf")}, "weight"),
    ({"target": {"type": "interval", "low": float("nan")}}, "target.interval.low"),
    ({"target": {"type": "value", "value": 1.0, "tolerance": float("inf")}}, "target.value.tolerance"),
])
def test_a_pattern_number_must_be_finite(change, field, tmp_path, capsys):
    # a NaN or infinite target or weight makes every distance NaN: ABC-SMC never accepted a
    # particle and `calibrate` ran until it was killed (or met every pattern, for a tolerance of inf)
    spec = calibration(tmp_path, [pattern(**change)])
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, f"patterns.0.{field}: Input should be a finite number")


@pytest.mark.parametrize("case, expected", [
    ("outcome", ("patterns.yaml: patterns.0.outcome: not a summary outcome", "(got 'nope')")),
    ("scenario", ("patterns.yaml: patterns.0.scenarios.0: not a scenario of the calibration experiment", "(got 'zz')")),
    ("parameter", ("c.yaml: parameters.levers.nope: not a scalar field of the base scenario",)),
    ("prior", ("c.yaml: parameters.levers.rework_share: levers.rework_share: Input should be less than or equal to 1",
               "(got 3.0)")),
    ("patterns file", ("nowhere.yaml: file not found",)),
])
def test_validate_refuses_a_calibration_file_calibrate_would_refuse(case, expected, tmp_path, capsys):
    # validate read only the calibration file itself: "ok" to a pattern naming an unknown
    # outcome or scenario, a parameter path the scenario lacks, a prior beyond a lever's
    # range, a missing pattern file, each of which `calibrate` then refused
    spec = {
        "outcome": lambda: calibration(tmp_path, [pattern(outcome="nope")]),
        "scenario": lambda: calibration(tmp_path, [pattern(scenarios=["zz"])]),
        "parameter": lambda: calibration(tmp_path, parameters={"levers.nope": {"prior": {"low": 0, "high": 1},
                                                                                 "why": "x"}}),
        "prior": lambda: calibration(tmp_path, parameters={"levers.rework_share": {"prior": {"low": 0, "high": 3},
                                                                                     "why": "x"}}),
        "patterns file": lambda: calibration(tmp_path, patterns="nowhere.yaml"),
    }[case]()
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, *expected)


def test_a_propagation_outcome_that_identifies_the_run_is_refused(tmp_path, capsys):
    # accepted: the headline re-run compared the arms' seeds
    experiment(tmp_path)
    spec = calibration(tmp_path, propagation={"experiment": "e.yaml", "outcomes": ["tasks_created", "seed"]})
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, "c.yaml: propagation.outcomes: identifies the run", "(got 'seed')")


def test_a_propagation_outcome_is_refused_at_the_door_not_after_abc(tmp_path, capsys):
    # an unknown outcome of the headline re-run was accepted: after ABC-SMC and the checks it
    # was run as NaN and silently left out of propagation.md; validate said "ok"
    experiment(tmp_path)
    spec = calibration(tmp_path, propagation={"experiment": "e.yaml", "outcomes": ["tasks_created", "nope"]})
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, "c.yaml: propagation.outcomes: not a summary outcome", "(got 'nope')")


def test_the_shipped_calibration_file_validates(capsys):
    assert main(["validate", str(REPO / "experiments" / "calibration.yaml")]) == 0
    assert "calibration file: 5 parameters" in capsys.readouterr().out


@pytest.mark.parametrize("budget, spec_days, field, expected", [
    ({"warmup_days": 9}, 4, "warmup_days", "must be below the days (4) (got 9)"),
    ({"days": 4}, 10, "days", "must be above the warm-up (5 days, the file's warmup_days) (got 4)"),
])
def test_a_budget_whose_warm_up_is_not_below_its_days_is_refused(budget, spec_days, field, expected, tmp_path,
                                                                    capsys):
    # the warm-up was cut silently to days - 1, so the budget calibrated on one measured day
    spec = calibration(tmp_path, days=spec_days, warmup_days=min(5, spec_days - 1),
                       budgets={"small": {"population": 4, "generations": 1, **budget}})
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, f"c.yaml: budgets.small.{field}: {expected}")



@pytest.mark.parametrize("path", ["days", "warmup_days"])
def test_the_horizon_is_not_a_calibration_parameter(path, tmp_path, capsys):
    # accepted: each particle ran its own horizon, overriding the budget's
    spec = calibration(tmp_path, days=10, warmup_days=1,
                       parameters={path: {"prior": {"low": 2, "high": 6}, "why": "x", "integer": True}})
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, f"c.yaml: parameters.{path}: the horizon is the calibration's own")


def test_validate_reads_a_pattern_file_as_one(tmp_path, capsys):
    # validate read the shipped pattern file as a scenario: "name: required field is missing",
    # "task_kinds: ...", "patterns: unknown key", exit 2
    shipped = REPO / "experiments" / "validation" / "patterns.yaml"
    assert main(["validate", str(shipped)]) == 0
    assert f"pattern file: {len(yaml.safe_load(shipped.read_text())['patterns'])} patterns" in capsys.readouterr().out
    path = tmp_path / "patterns.yaml"
    path.write_text(yaml.safe_dump({"patterns": [pattern(outcome="nope")]}))
    err = refused(["validate", path], tmp_path, capsys, "patterns.yaml: patterns.0.outcome: not a summary outcome")
    assert "task_kinds" not in err


@pytest.mark.parametrize("make, change, expected", [
    ("robustness", {"replications": "1"}, "r.yaml: replications: Input should be a valid integer (got '1')"),
    ("robustness", {"uncertainties": {"assumptions": "yes"}},
     "r.yaml: uncertainties.assumptions: Input should be a valid boolean (got 'yes')"),
    ("calibration", {"master_seed": 1.0}, "c.yaml: master_seed: Input should be a valid integer (got 1.0)"),
    ("pattern", {"held_out": "no"}, "patterns.yaml: patterns.0.held_out: Input should be a valid boolean (got 'no')"),
])
def test_study_files_take_numbers_and_yes_no_as_scenarios_do_not_as_text(make, change, expected, tmp_path, capsys):
    # robustness, calibration and pattern files took '1' for 1 and 'yes' / 'no' for true /
    # false (the scenario and experiment schemas refuse them); held_out: 'no' read as false
    spec = {"robustness": lambda: robustness(tmp_path, **change),
            "calibration": lambda: calibration(tmp_path, **change),
            "pattern": lambda: calibration(tmp_path, [pattern(**change)])}[make]()
    refused(["validate", spec], tmp_path, capsys, expected)


@pytest.mark.parametrize("change, expected", [
    ({"scenarios": ["a", "a"], "target": {"type": "direction", "change": "up"}}, "scenarios lists a more than once"),
    ({"outcome": "", "outcomes": ["committee_utilisation_mean", "committee_utilisation_mean"],
      "target": {"type": "ordering", "direction": "increasing"}},
     "outcomes lists committee_utilisation_mean more than once"),
])
def test_a_pattern_comparing_a_scenario_or_outcome_with_itself_is_refused(change, expected, tmp_path, capsys):
    # accepted: a change from a scenario to itself is 0 on every run, a claim nothing can test
    spec = calibration(tmp_path, [pattern(**change)])
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, f"patterns.yaml: patterns.0: {expected}")


def test_a_parameter_no_scenario_inherits_is_refused(tmp_path, capsys):
    # accepted: every scenario set its own value, so ABC sampled a parameter that reached no
    # run and reported its prior as a posterior
    own = tmp_path / "own.yaml"
    own.write_text(tiny(tmp_path).read_text() + "levers: {rework_share: 0.3}\n")
    spec = calibration(tmp_path, scenarios={"a": str(own)},
                       parameters={"levers.rework_share": {"prior": {"low": 0.2, "high": 0.8}, "why": "x"}})
    for argv in both(tmp_path, spec):
        refused(argv, tmp_path, capsys, "c.yaml: parameters.levers.rework_share.applies: every scenario sets its "
                "own value", "(got 'inherited')")

# -- robustness -----------------------------------------------------------------------------------

def study(tmp: Path, spec: Path) -> list[list]:
    """`validate` the robustness file, and run `robustness` on it into tmp/out."""
    return [["validate", spec], ["robustness", spec, "--out", tmp / "out", "--workers", "1", "--quiet", "--no-plots"]]


@pytest.mark.parametrize("ranges, expected", [
    ({"levers.rework_share": [0.5, 3]}, "uncertainties.ranges: levers.rework_share: Input should be less than or "
                                        "equal to 1 (got 3.0)"),
    ({"committee.staff": {"low": -3, "high": 4, "integer": True}},
     "uncertainties.ranges: committee.staff: Input should be greater than or equal to 0 (got -3)"),
    ({"levers.nope": [0, 1]}, "uncertainties.ranges.levers.nope: no such field in the scenario schema"),
    ({"levers": [0, 1]}, "uncertainties.ranges.levers: not a single number of the scenario"),
])
def test_a_robustness_range_is_refused_before_anything_is_written_naming_the_file(ranges, expected, tmp_path,
                                                                                  capsys):
    # robustness wrote OUT/experiment.yaml first and then refused it, naming that generated
    # file's design.ranges; validate said "ok"
    spec = robustness(tmp_path, uncertainties={"assumptions": False, "ranges": ranges})
    for argv in study(tmp_path, spec):
        err = refused(argv, tmp_path, capsys, f"r.yaml: {expected}")
        assert "experiment.yaml" not in err


@pytest.mark.parametrize("fields, expected", [
    ({"policies": {"a": {}, "b": {"set": {"levers.nope": 1}}}},
     "r.yaml: policies.b: levers.nope: no such field in the scenario schema (got 1)"),
    ({"policies": {"a": {}, "b": {"scenario": "none.yaml"}}},
     "r.yaml: policies.b.scenario: scenario file not found (paths are relative to the experiment file) "
     "(got 'none.yaml')"),
    ({"base": "none.yaml"}, "r.yaml: base: scenario file not found"),
    ({"days": 3, "warmup_days": 3}, "r.yaml: policies.a: warmup_days (3) must be less than days (3)"),
])
def test_validate_refuses_a_robustness_study_robustness_would_refuse(fields, expected, tmp_path, capsys):
    # validate checked the file's schema and outcomes only: "ok" to an unknown lever in a
    # policy, a missing scenario, a horizon no shorter than its warm-up
    for argv in study(tmp_path, robustness(tmp_path, **fields)):
        refused(argv, tmp_path, capsys, expected)


@pytest.mark.parametrize("fields, expected", [
    ({"uncertainties": {"exclude": ["levers.push_down_propensty"]}},
     "r.yaml: uncertainties.exclude.0: no such field in the scenario schema (got 'levers.push_down_propensty')"),
    ({"uncertainties": {"assumptions": False, "ranges": {"days": [3, 10]}}},
     "r.yaml: uncertainties.ranges.days: the horizon (days, warmup_days) and names are never uncertainties"),
    ({"uncertainties": {"assumptions": False, "ranges": {"levers.data_sharing": [0, 1]}}},
     "r.yaml: uncertainties.ranges.levers.data_sharing: a true/false lever is not a range of worlds"),
    ({"crisis": {"outcome": "days_to_first_crisiss", "at_most": "horizon"}},
     "r.yaml: crisis.outcome: not a summary outcome (sim/outcomes.py) (got 'days_to_first_crisiss')"),
    ({"crisis": {"outcome": "days_to_first_crisis", "at_most": float("nan")}},
     "r.yaml: crisis.at_most: must be a finite number or 'horizon' (the run's days) (got nan)"),
])
def test_a_robustness_study_that_would_mean_nothing_is_refused(fields, expected, tmp_path, capsys):
    # each ran to the end before: a misspelt exclude left its assumption in the worlds, a
    # range over days varied the horizon the warm-up was set for, a true/false lever was
    # sampled as fractions (refused after OUT/experiment.yaml was written), an unknown crisis
    # outcome was refused only after that file was written, a NaN threshold never met
    for argv in study(tmp_path, robustness(tmp_path, **fields)):
        refused(argv, tmp_path, capsys, expected)



def test_a_changed_study_into_a_folder_holding_another_leaves_its_experiment_file_alone(tmp_path, capsys):
    # OUT/experiment.yaml was rewritten to the new study, then the store (of the old one)
    # refused it: the folder's experiment file no longer described its runs
    from sim.robustness.evaluate import run_study
    from sim.robustness.spec import load_robustness

    spec = robustness(tmp_path, days=2, warmup_days=1)
    run_study(str(spec), load_robustness(str(spec)), tmp_path / "out", workers=1, quiet=True)  # 4 two-day runs
    robustness(tmp_path, days=2, warmup_days=1, master_seed=2)
    compiled = (tmp_path / "out" / "experiment.yaml").read_text()
    err = refused(["robustness", spec, "--out", tmp_path / "out", "--workers", "1", "--quiet"], tmp_path, capsys,
                  "r.yaml: ", "store holds results of a different experiment")
    assert "--restart" in err
    assert (tmp_path / "out" / "experiment.yaml").read_text() == compiled

# -- sweep ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [[1, 1.0], [0.0, -0.0]])
def test_a_factor_level_given_twice_as_different_numerals_is_refused(levels, tmp_path, capsys):
    # [1, 1.0] passed the repeated-level rule (it compared the levels' text): two design
    # points with the same scenario, each run and reported as a level of its own
    spec = experiment(tmp_path, factors={"levers.rework_share": levels})
    for argv in (["validate", spec], ["sweep", spec, "--out", tmp_path / "out", "--workers", "1", "--quiet"]):
        refused(argv, tmp_path, capsys, "e.yaml: factors: factor levers.rework_share repeats a level")



@pytest.mark.parametrize("label", ["seed", "days", "warmup_days"])
def test_a_field_that_identifies_the_run_is_no_outcome(label, tmp_path, capsys):
    # accepted: compare then tested the arms' seeds (or horizons) for a difference
    spec = experiment(tmp_path, outcomes=["tasks_created", label])
    for argv in (["validate", spec], ["sweep", spec, "--out", tmp_path / "out", "--workers", "1", "--quiet"]):
        refused(argv, tmp_path, capsys, "e.yaml: outcomes: identifies the run", f"(got '{label}')")


@pytest.mark.parametrize("command, make, field", [
    ("sweep", "experiment", "base"), ("sweep", "experiment", "sub_experiments.a.scenario"),
    ("robustness", "robustness", "base"), ("robustness", "robustness", "policies.b.scenario"),
])
def test_a_folder_given_as_a_scenario_is_called_a_folder(command, make, field, tmp_path, capsys):
    # said "scenario file not found (paths are relative to the experiment file)" of a folder that exists
    (tmp_path / "cases").mkdir()
    change = {"base": "cases"} if field == "base" else (
        {"sub_experiments": {"a": {"scenario": "cases"}}} if make == "experiment"
        else {"policies": {"a": {}, "b": {"scenario": "cases"}}})
    spec = experiment(tmp_path, **change) if make == "experiment" else robustness(tmp_path, **change)
    for argv in (["validate", spec], [command, spec, "--out", tmp_path / "out", "--workers", "1", "--quiet"]):
        refused(argv, tmp_path, capsys, f"{spec.name}: {field}: is a folder, not a scenario file (got 'cases')")


def test_a_dry_run_refuses_an_outcome_the_sweep_would_refuse(tmp_path, capsys):
    # --dry-run ("validate and print the number of runs") printed its estimate and exit 0
    spec = experiment(tmp_path, outcomes=["tasks_createdd"])
    refused(["sweep", spec, "--dry-run"], tmp_path, capsys, "e.yaml: outcomes: not a numeric summary field of a run",
            "(got 'tasks_createdd')")


@pytest.mark.parametrize("make", ["experiment", "robustness"])
def test_days_below_the_scenarios_warm_up_is_said_of_days(make, tmp_path, capsys):
    # said "sub_experiments.base: warmup_days (1) must be less than days (1)": a field the
    # file does not have, for the days it does
    spec = experiment(tmp_path, days=1) if make == "experiment" else robustness(tmp_path, days=1)
    arm = "sub-experiment base" if make == "experiment" else "policy a"
    refused(["validate", spec], tmp_path, capsys,
            f"{spec.name}: days: must be above the warm-up of {arm}'s scenario (its warmup_days: 1); "
            "give warmup_days too (got 1)")

# -- run, show, viz -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["run", "show", "viz"])
@pytest.mark.parametrize("make, expected", [
    (calibration, "is a calibration file; `tiaokuai {}` takes a scenario (its base scenario is {}); "
                  "calibrations run with `tiaokuai calibrate`"),
    (robustness, "is a robustness study; `tiaokuai {}` takes a scenario (its base scenario is {}); "
                 "studies run with `tiaokuai robustness`"),
])
def test_a_scenario_command_given_a_calibration_or_robustness_file_names_the_command_that_runs_it(
        command, make, expected, tmp_path, capsys):
    # each said "experiments run with `tiaokuai sweep`", which refuses both files
    refused([command, make(tmp_path)], tmp_path, capsys, expected.format(command, tiny(tmp_path)))


# -- sensitivity ----------------------------------------------------------------------------------

def test_sensitivity_whose_every_outcome_is_constant_reports_it_instead_of_a_traceback(tmp_path, capsys):
    # rework_share does not change how many tasks arrive: every Sobol outcome was constant,
    # the index table had no columns and the report stopped with an AttributeError after the runs
    spec = experiment(tmp_path, days=2, warmup_days=1,
                      design={"method": "sobol", "samples": 2, "ranges": {"levers.rework_share": [0, 1]}})
    argv = ["sensitivity", spec, "--out", tmp_path / "out", "--method", "sobol", "--workers", "1", "--quiet"]
    assert main([str(a) for a in argv]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "tasks_created: constant over the sample, no indices" in err
    assert (tmp_path / "out" / "sobol_indices.csv").read_text().startswith("sub_experiment,outcome,parameter,S1")


def test_sensitivity_refuses_a_sobol_stage_too_large_before_morris_runs(tmp_path, capsys):
    # the Sobol stage was planned only after the Morris stage had run and stored its runs
    spec = experiment(tmp_path, days=2, warmup_days=1, design={
        "method": "morris", "samples": 2,
        "ranges": {"levers.rework_share": [0, 1], "levers.push_down_propensity": [0.5, 1]}})
    refused(["sensitivity", spec, "--out", tmp_path / "out", "--sobol-samples", "32768", "--workers", "1",
             "--quiet"], tmp_path, capsys,
            "e.yaml (sobol stage): 131,072 design points x 1 arms is more scenarios than one sweep plans")



def test_a_range_over_a_lever_the_policies_set_differently_is_refused(tmp_path, capsys):
    # accepted: the worlds' values overwrote policy b's own compliance (and a's) in every
    # world, so the regimes no longer differed on it; the assumption defaults leave such paths out
    spec = robustness(tmp_path, policies={"a": {}, "b": {"set": {"levers.street_gate.compliance": 0.6}}},
                      uncertainties={"assumptions": False, "ranges": {"levers.street_gate.compliance": [0.2, 1]}})
    for argv in study(tmp_path, spec):
        refused(argv, tmp_path, capsys, "r.yaml: uncertainties.ranges.levers.street_gate.compliance: the policies "
                "set it differently")


def test_a_crisis_threshold_that_is_neither_a_number_nor_horizon_is_one_line(tmp_path, capsys):
    # two lines naming pydantic's union members: crisis.at_most.float: ..., crisis.at_most.literal['horizon']: ...
    spec = robustness(tmp_path, crisis={"outcome": "days_to_first_crisis", "at_most": "soon"})
    err = refused(["validate", spec], tmp_path, capsys,
                  "r.yaml: crisis.at_most: must be a finite number or 'horizon' (the run's days) (got 'soon')")
    assert len(err.splitlines()) == 1, err
