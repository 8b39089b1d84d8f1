"""Bad command lines the hostile-input corpus did not reach: each subcommand refuses them in
one `error:` line naming the option, the rule and the value, exits 2, prints no traceback
and writes nothing — before anything runs. Each case failed one of those before.

Every case runs `tiaokuai`'s main function in-process and is refused before a model runs,
so each costs well under a second of CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.cli_options import finite_seconds, scheduler_address, whole_number
from sim.errors import InputError
from tests.support.spec_files import experiment_file, refused, tiny_scenario

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "scenarios" / "unlimited-responsibility.yaml"
ROBUSTNESS = REPO / "experiments" / "robustness.yaml"
CALIBRATION = REPO / "experiments" / "calibration.yaml"


def tiny(tmp: Path) -> Path:
    return tiny_scenario(tmp)


def experiment(tmp: Path, **fields) -> Path:
    return experiment_file(tiny(tmp), tmp, **fields)


def morris(tmp: Path, **fields) -> Path:
    return experiment(tmp, design={"method": "morris", "samples": 2, "ranges": {"levers.rework_share": [0, 1]}},
                      **fields)


def under_a_file(tmp: Path) -> str:
    (tmp / "afile").write_text("x")
    return str(tmp / "afile" / "out")


# -- the shared option parsers -------------------------------------------------------------------

def test_a_whole_number_option_takes_whole_numbers_at_or_above_its_least():
    assert whole_number(None, "--workers") is None
    assert whole_number("3", "--workers") == 3
    assert whole_number("0", "--seed", least=0) == 0


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5", "1e3", ""])
def test_a_whole_number_option_refuses_other_text_naming_option_rule_and_value(text):
    with pytest.raises(InputError) as err:
        whole_number(text, "--workers")
    assert str(err.value) == f"--workers: must be a whole number of at least 1 (got {text!r})"


def test_a_whole_number_option_says_its_own_rule_when_given_one():
    with pytest.raises(InputError, match=r"--stack: must be a whole number of runs \(got '0'\)"):
        whole_number("0", "--stack", rule="must be a whole number of runs")


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "10.0.0.5:8786", "tls://[::1]:8786", "inproc://x/1/2"])
def test_a_scheduler_address_with_a_port_is_taken(address):
    assert scheduler_address(address) == address


@pytest.mark.parametrize("address", ["nowhere", "tcp://h", "tcp://h:", "h:abc", "tcp://h:0", "tcp://h:70000", ":8786"])
def test_a_scheduler_address_without_a_usable_port_is_refused(address):
    with pytest.raises(InputError, match="--scheduler: expected an address like tcp://HOST:PORT"):
        scheduler_address(address)


def test_a_scheduler_is_refused_beside_workers_and_absent_means_local():
    with pytest.raises(InputError, match="--workers: give --workers or --scheduler, not both"):
        scheduler_address("tcp://h:1", "2")
    assert scheduler_address(None, "2") is None and scheduler_address("", None) is None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, 86_401.0])
def test_seconds_are_finite_and_between_0_and_a_day(value):
    with pytest.raises(InputError, match="--flush-seconds: must be between 0 and 86400 seconds"):
        finite_seconds(value, "--flush-seconds")
    assert finite_seconds(0.0, "--flush-seconds") == 0.0


# -- sweep, compare, store -----------------------------------------------------------------------

def test_sweep_refuses_a_scheduler_address_without_a_port(tmp_path, capsys):
    # "tcp://h" passed the old check ("://" in it) and stopped in Dask's parser with a traceback
    refused(["sweep", str(experiment(tmp_path)), "--out", str(tmp_path / "o"), "--scheduler", "tcp://h"],
            tmp_path, capsys, "--scheduler: expected an address like tcp://HOST:PORT (got 'tcp://h')")


def test_compare_refuses_an_outcome_list_that_names_no_outcome(tmp_path, capsys):
    # ran with the experiment's own outcomes before, as though --outcomes had not been given
    refused(["compare", str(tmp_path), "--outcomes", " , "], tmp_path, capsys,
            "--outcomes: names no outcome", "(got ' , ')")


def test_store_check_calls_a_file_not_a_folder(tmp_path, capsys):
    (tmp_path / "results").write_text("x")
    err = refused(["store", "check", str(tmp_path / "results")], tmp_path, capsys, "results: not a folder")
    assert "no such folder" not in err


# -- validate ------------------------------------------------------------------------------------

def test_validate_refuses_an_experiment_outcome_that_sweep_would_refuse(tmp_path, capsys):
    # validate said "ok" to a file `sweep` then refused (its outcome is no summary field)
    refused(["validate", str(experiment(tmp_path, outcomes=["tasks_created", "nope"]))], tmp_path, capsys,
            "outcomes: not a numeric summary field of a run", "(got 'nope')")


def test_validate_refuses_a_robustness_outcome_that_cannot_be_ranked(tmp_path, capsys):
    data = yaml.safe_load(ROBUSTNESS.read_text())
    data["outcomes"] = [*data["outcomes"], "tasks_creatd"]
    study = tmp_path / "robustness.yaml"
    study.write_text(yaml.safe_dump(data).replace("../scenarios/", f"{REPO}/scenarios/"))
    refused(["validate", str(study)], tmp_path, capsys, "outcomes: no desired direction", "(got 'tasks_creatd')")


# -- viz ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["scenario", "--compare"])
def test_viz_names_an_experiment_file_as_one(where, tmp_path, capsys):
    # before: four errors about the scenario fields an experiment lacks and the keys it has
    exp = str(experiment(tmp_path))
    argv = ["viz", exp] if where == "scenario" else ["viz", str(tiny(tmp_path)), "--compare", exp]
    err = refused(argv, tmp_path, capsys, "is an experiment file; `tiaokuai viz` takes a scenario")
    assert len(err.strip().splitlines()) == 1


# -- sensitivity ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["--scheduler", "nowhere"], "--scheduler: expected an address like tcp://HOST:PORT (got 'nowhere')"),
    (["--workers", "2", "--scheduler", "tcp://h:1"], "--workers: give --workers or --scheduler, not both (got 2)"),
    (["--bootstrap", "0"], "--bootstrap: must be at least 2 resamples (got 0)"),
    (["--sobol-top", "-1"], "--sobol-top: must be 0 (all parameters) or more (got -1)"),
])
def test_sensitivity_refuses_bad_options_before_its_first_stage(args, expected, tmp_path, capsys):
    # before: a Dask traceback, a 30 s wait on an unreachable cluster, or a Morris stage run
    # and stored, then a traceback (bootstrap) or a schema error (sobol-top)
    refused(["sensitivity", str(morris(tmp_path)), "--out", str(tmp_path / "o"), *args], tmp_path, capsys, expected)


def test_sensitivity_refuses_an_unknown_outcome_before_saying_anything_else(tmp_path, capsys):
    err = refused(["sensitivity", str(morris(tmp_path, outcomes=["nope"])), "--out", str(tmp_path / "o")],
                  tmp_path, capsys, "outcomes: not a numeric summary field of a run")
    assert "morris:" not in err


def test_sensitivity_reports_an_unreachable_cluster_in_a_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    import sim.sweep.executors

    def unreachable(*args, **kwargs):
        raise ConnectionError("cannot reach the Dask scheduler at tcp://h:1: timed out")

    monkeypatch.setattr(sim.sweep.executors, "make_executor", unreachable)
    capsys.readouterr()
    assert main(["sensitivity", str(morris(tmp_path)), "--out", str(tmp_path / "o"),
                 "--method", "morris", "--scheduler", "tcp://h:1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error: cannot reach the Dask scheduler at tcp://h:1" in err
    assert "run the same command again to resume" in err


@pytest.mark.parametrize("fields, args, expected", [
    ({}, ["--days", "2"], "error: --days: must be more than the warm-up of sub-experiment base (2 days, from "),
    ({}, ["--warmup-days", "8"], "error: --warmup-days: must be less than the horizon of sub-experiment base "
                                 "(8 days, from "),
    ({}, ["--days", "3", "--warmup-days", "5"], "error: --warmup-days: must be less than --days (3) (got 5)"),
    ({"days": 8, "warmup_days": 4}, ["--days", "4"], "error: --days: must be more than the warm-up of "
                                                      "sub-experiment base (4 days, from "),
])
def test_sensitivity_says_a_horizon_below_the_warm_up_of_the_option_typed(fields, args, expected, tmp_path,
                                                                          capsys):
    # said "e.yaml (morris stage): days: must be above the warm-up ..." or "sub_experiments.base:
    # warmup_days (8) must be less than days (8)": fields of the file, for an option it lacks
    err = refused(["sensitivity", str(morris(tmp_path, **fields)), "--out", str(tmp_path / "o"), *args],
                  tmp_path, capsys, expected)
    assert len(err.strip().splitlines()) == 1, err
    assert "(got " + args[-1] + ")" in err


# -- robustness -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["--scheduler", "nowhere"], "--scheduler: expected an address like tcp://HOST:PORT (got 'nowhere')"),
    (["--workers", "2", "--scheduler", "tcp://h:1"], "--workers: give --workers or --scheduler, not both (got 2)"),
    (["--flush-seconds", "nan", "--scheduler", "tcp://h:1"], "--flush-seconds: must be between 0 and 86400"),
    (["--flush-seconds", "-1", "--scheduler", "tcp://h:1"], "--flush-seconds: must be between 0 and 86400"),
])
def test_robustness_refuses_bad_options_before_writing_its_folder(args, expected, tmp_path, capsys):
    # before: a Dask traceback or a 30 s wait, each after writing DIR/experiment.yaml; a
    # NaN or negative flush interval was quietly taken as 0
    refused(["robustness", str(ROBUSTNESS), "--out", str(tmp_path / "o"), *args], tmp_path, capsys, expected)


def test_robustness_refuses_an_out_folder_that_cannot_be_one(tmp_path, capsys):
    # before: the error of the failed write, and the claim that finished results were kept
    out = under_a_file(tmp_path)
    err = refused(["robustness", str(ROBUSTNESS), "--out", out], tmp_path, capsys,
                  "--out: ", "is a file, so no folder can be made under it")
    assert "results finished before this are kept" not in err


# -- calibrate ------------------------------------------------------------------------------------

def test_calibrate_refuses_a_scheduler_address_without_a_port(tmp_path, capsys):
    refused(["calibrate", str(CALIBRATION), "--out", str(tmp_path / "o"), "--scheduler", "nowhere"],
            tmp_path, capsys, "--scheduler: expected an address like tcp://HOST:PORT (got 'nowhere')")


def test_calibrate_refuses_an_out_folder_that_cannot_be_one_before_its_pilot(tmp_path, capsys):
    # before: refused only after the pilot evaluation (seconds of runs), by the failed write
    refused(["calibrate", str(CALIBRATION), "--out", under_a_file(tmp_path)], tmp_path, capsys,
            "is a file, so no folder can be made under it")
    refused(["calibrate", str(CALIBRATION), "--out", "/proc/tiaokuai-out"], tmp_path, capsys,
            "--out: is on a proc pseudo filesystem")


# -- scenario files -------------------------------------------------------------------------------

ONE_KIND = {"name": "k", "origin": "residents", "rate_per_day": 1, "effort_mean_hours": 1, "deadline_days": 5}


@pytest.mark.parametrize("command", ["validate", "show"])
@pytest.mark.parametrize("kinds, expected, lines", [
    ([{**ONE_KIND, "rate_per_day": -1}], ["task_kinds.0.rate_per_day: Input should be greater than or equal to 0"],
     1),
    ([{"name": "x"}], ["task_kinds.0.origin: required field is missing",
                       "task_kinds.0.deadline_days: required field is missing"], 4),
    ([{**ONE_KIND, "colour": "red"}], ["task_kinds.0.colour: unknown key"], 1),
    ([5], ["task_kinds.0: Input should be a valid dictionary"], 1),
    ([{**ONE_KIND, "rate_per_day": -1}, {**ONE_KIND, "name": "j", "origin": "nowhere"}],
     ["task_kinds.0.rate_per_day", "task_kinds.1.origin"], 2),
])
def test_a_bad_task_kind_is_said_of_the_kind_alone(command, kinds, expected, lines, tmp_path, capsys):
    # each also said "task_kinds: Tuple should have at least 1 item after validation, not 0":
    # the list was long enough, its only kinds were refused
    path = tiny(tmp_path)
    path.write_text(path.read_text() + yaml.safe_dump({"task_kinds": kinds}))
    err = refused([command, str(path)], tmp_path, capsys, *expected)
    assert "at least 1 item" not in err
    assert len(err.strip().splitlines()) == lines, err


def test_an_empty_task_kind_list_is_still_said_to_be_too_short(tmp_path, capsys):
    path = tiny(tmp_path)
    path.write_text(path.read_text() + "task_kinds: []\n")
    err = refused(["validate", str(path)], tmp_path, capsys, "task_kinds: Tuple should have at least 1 item")
    assert len(err.strip().splitlines()) == 1, err


# -- compare and store on a damaged result folder ------------------------------------------------

def swept(tmp: Path, folder: str, **fields) -> Path:
    """A finished sweep of the tiny scenario in tmp/<folder> (2 arms x 2 replications unless told)."""
    fields = {"sub_experiments": {"a": {}, "b": {"set": {"levers.street_gate.enabled": True}}},
              "replications": 2, "timeseries": True, **fields}
    spec = experiment(tmp, **fields)
    out = tmp / folder
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return out


@pytest.mark.parametrize("argv", [["compare"], ["compare", "--no-plots"], ["store", "check"],
                                  ["store", "check", "--dry-run"]])
@pytest.mark.parametrize("other", [{"name": "other", "sub_experiments": {}, "master_seed": 7},
                                   {"name": "other", "replications": 1}])
def test_a_manifest_from_another_experiment_is_refused_not_drawn_from(argv, other, tmp_path, capsys):
    # compare: a ZeroDivisionError traceback drawing the legend of no arms, or (--no-plots, and
    # with the same arms) tables of rows the manifest does not describe; store check: "ok, 4 of
    # 2 runs stored, nothing damaged"
    folder = swept(tmp_path, "mine")
    (folder / "manifest.json").write_text((swept(tmp_path, "theirs", **other) / "manifest.json").read_text())
    err = refused([*argv, str(folder)], tmp_path, capsys, f"{folder / 'manifest.json'}: describes experiment "
                  "'other'", "the manifest belongs to another experiment")
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("argv", [["compare"], ["compare", "--no-plots", "--csv"]])
def test_compare_refuses_a_truncated_time_series_part_before_writing_a_table(argv, tmp_path, capsys):
    # printed and wrote summary.csv, summary.md and two figures, then said the part was damaged
    folder = swept(tmp_path, "mine")
    part = next((folder / "timeseries").glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    err = refused([*argv, str(folder)], tmp_path, capsys, f"{part}: damaged part (not readable Parquet")
    assert len(err.strip().splitlines()) == 1, err


def test_compare_without_time_series_output_reads_past_a_damaged_time_series_part(tmp_path, capsys):
    folder = swept(tmp_path, "mine")
    part = next((folder / "timeseries").glob("part-*.parquet"))
    part.write_bytes(b"")
    assert main(["compare", "--no-plots", str(folder)]) == 0
    assert (folder / "figures" / "summary.csv").is_file()


@pytest.mark.parametrize("argv", [["compare", "--no-plots"], ["store", "check", "--dry-run"]])
@pytest.mark.parametrize("key, value, rule", [
    ("sub_experiments", 5, "should be a list of names"),
    ("outcomes", None, "should be a list of names"),
    ("total_runs", "x", "should be a whole number"),
    ("varied", 5, "should be a list of names"),
])
def test_a_hand_damaged_manifest_is_named_not_a_traceback(argv, key, value, rule, tmp_path, capsys):
    # compare: "TypeError: 'int' object is not iterable"; store check: "4 of x runs stored"
    folder = swept(tmp_path, "mine")
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, key: value}))
    err = refused([*argv, str(folder)], tmp_path, capsys, f"manifest.json: {key}: damaged manifest, {rule}")
    assert len(err.strip().splitlines()) == 1, err


def test_compare_refuses_runs_without_their_sub_experiment_and_store_check_moves_them_aside(tmp_path, capsys):
    # compare: "KeyError: 'sub_experiment'" traceback; store check: "ok, nothing damaged"
    import pandas as pd

    folder = swept(tmp_path, "mine")
    part = next((folder / "runs").glob("part-*.parquet"))
    pd.read_parquet(part).drop(columns=["sub_experiment"]).to_parquet(part)
    for argv in (["compare"], ["compare", "--no-plots"]):
        err = refused([*argv, str(folder)], tmp_path, capsys, f"{folder / 'runs'}: stored runs lack the column(s) "
                      "sub_experiment every sweep writes", f"tiaokuai store check {folder}")
        assert len(err.strip().splitlines()) == 1, err
    assert main(["store", "check", str(folder)]) == 0
    assert f"damaged: {part}: no sub_experiment column" in capsys.readouterr().out
    assert not part.exists()


def test_compare_names_a_file_where_its_figures_folder_goes(tmp_path, capsys):
    # "figures: File exists; results finished before this are kept (a sweep resumes ...)"
    folder = swept(tmp_path, "mine")
    (folder / "figures").write_text("mine")
    err = refused(["compare", str(folder)], tmp_path, capsys,
                  f"{folder / 'figures'}: is a file, not a folder: compare writes its tables and figures there")
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("argv", [["compare"], ["compare", "--no-plots"]])
def test_compare_refuses_a_manifest_of_the_same_arms_with_another_master_seed(argv, tmp_path, capsys):
    # drew tables and figures of runs the manifest does not describe, under its name
    folder = swept(tmp_path, "mine")
    (folder / "manifest.json").write_text((swept(tmp_path, "theirs", name="other", master_seed=7)
                                           / "manifest.json").read_text())
    err = refused([*argv, str(folder)], tmp_path, capsys, f"{folder / 'manifest.json'}: describes experiment "
                  "'other' with master_seed 7, but a stored run of replication 0 has seed",
                  "the manifest belongs to another experiment")
    assert len(err.strip().splitlines()) == 1, err
