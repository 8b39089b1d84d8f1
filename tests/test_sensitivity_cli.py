"""The `tiaokuai sensitivity` command and the analysis behind it (issue #7, part 3)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.sensitivity import SampleWarning, point_means, sobol_indices, top_levers
from tests.support.cities import TINY

ROOT = Path(__file__).resolve().parents[1]

SPEC = """
name: tiny-sensitivity
base: {base}
sub_experiments:
  small:
    set: {tiny}
replications: 2
master_seed: 1
days: 15
warmup_days: 5
outcomes: [committee_self_governance_share, tasks_done_on_time_share]
design:
  method: morris
  samples: 2
  ranges:
    levers.push_down_propensity: [0.3, 1.0]
    levers.resources_follow_tasks: [0.0, 1.0]
    levers.data_sharing: {{low: 0, high: 1, integer: true}}
"""


def spec_text() -> str:
    """The Morris experiment above, on the unlimited preset shrunk to `TINY`."""
    return SPEC.format(base=ROOT / "scenarios" / "unlimited-responsibility.yaml", tiny=json.dumps(TINY))


def test_sobol_analysis_recovers_the_published_ishigami_indices():
    """Ishigami (a = 7, b = 0.1) has analytic S1 = (0.314, 0.442, 0) and ST = (0.558,
    0.442, 0.244) (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.6).
    Replications are averaged per point, in the sampler's order, before SALib sees them."""
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    x = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=3)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    noise = np.array([-0.01, 0.01])  # two replications whose mean is the model's value
    runs = pd.DataFrame({"point": np.repeat(np.arange(len(y)), 2), "ishigami": np.repeat(y, 2) + np.tile(noise, len(y))})
    runs = runs.sample(frac=1.0, random_state=0)  # stored order is not the sampler's
    table = sobol_indices(problem, point_means(runs, ["ishigami"], len(y)), bootstrap=100, seed=1)
    np.testing.assert_allclose(table.S1, [0.314, 0.442, 0.0], atol=0.05)
    np.testing.assert_allclose(table.ST, [0.558, 0.442, 0.244], atol=0.05)
    assert list(top_levers(table, k=2).parameter) == ["x1", "x2"]


def test_a_small_sobol_sample_is_warned_about():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    y = pd.DataFrame({"out": np.random.default_rng(0).random(8 * 4)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sobol_indices(problem, y, bootstrap=20, seed=0)
    messages = [str(w.message) for w in caught if issubclass(w.category, SampleWarning)]
    assert any("base sample N = 8" in m for m in messages), messages


def test_missing_design_points_are_refused():
    runs = pd.DataFrame({"point": [0, 2], "out": [1.0, 2.0]})
    with pytest.raises(ValueError, match="no stored run"):
        point_means(runs, ["out"], 3)


@pytest.mark.slow  # a whole Morris sweep and its figures
def test_sensitivity_command_writes_indices_figures_and_warns(tmp_path, capsys):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(spec_text())
    out = tmp_path / "out"
    argv = ["sensitivity", str(spec), "--out", str(out), "--sobol-samples", "4", "--workers", "1", "--bootstrap", "20"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "warning: Morris with 2 trajectories" in err and "warning: Sobol with base sample N = 4" in err
    morris = pd.read_csv(out / "morris_indices.csv")
    sobol = pd.read_csv(out / "sobol_indices.csv")
    assert set(morris.parameter) == set(sobol.parameter) == {
        "levers.push_down_propensity", "levers.resources_follow_tasks", "levers.data_sharing"}
    assert {"mu_star", "sigma", "mu_star_conf"} <= set(morris.columns)
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(sobol.columns)
    assert list((out / "figures").glob("morris_*.png")) and list((out / "figures").glob("sobol_*.png"))
    assert (out / "report.md").read_text().startswith("# Sensitivity analysis")
    # resumable: the same command again runs nothing new
    assert main(argv + ["--quiet"]) == 0
    assert len(pd.read_parquet(out / "sobol" / "runs" / "runs")) == 4 * 5 * 2


def test_an_experiment_without_a_sampling_design_is_refused(tmp_path, capsys):
    spec = tmp_path / "plain.yaml"
    spec.write_text(spec_text().split("design:")[0])
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "design" in capsys.readouterr().err


@pytest.mark.slow  # samples the shipped Sobol design in full (16 s of CPU measured under load)
def test_the_shipped_sensitivity_experiment_is_a_valid_sobol_design():
    from sim.sensitivity.stages import stage_plan
    from sim.sweep.plan import build_plan

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan = stage_plan(build_plan(ROOT / "experiments" / "sensitivity.yaml"), "sobol", 256)
    staged = plan.experiment
    assert plan.design_matrix.shape == (staged.point_count, len(staged.design.ranges))
    assert staged.design.method == "sobol" and staged.point_count == 256 * (len(staged.design.ranges) + 2)
    assert {"committee_self_governance_share", "committee_utilisation_mean",
            "department_load_mean"} <= set(staged.outcomes)
    # arrival rates, efforts and committees per street are among the factors (issue 16),
    # and two arms run on the same seeds so their difference can be analysed
    ranges = set(staged.design.ranges)
    assert {"task_kinds.0.rate_per_day", "task_kinds.0.effort_mean_hours",
            "structure.committees_per_street"} <= ranges
    assert set(staged.arm_names) == {"unlimited", "gated"}


def test_morris_screening_keeps_the_parameters_that_matter_for_any_outcome():
    from sim.sensitivity import screen

    morris = pd.DataFrame({
        "outcome": ["a", "a", "a", "b", "b", "b"],
        "parameter": ["x", "y", "z"] * 2,
        "mu_star": [10.0, 1.0, 0.0, 0.001, 0.0, 0.01],  # b is in other units: z leads it
    })
    assert screen(morris, 2) == ["x", "z"]


@pytest.mark.slow  # a whole Sobol sweep
def test_sobol_can_run_over_only_the_screened_parameters(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(spec_text().replace("replications: 2", "replications: 1"))
    out = tmp_path / "out"
    argv = ["sensitivity", str(spec), "--out", str(out), "--sobol-samples", "4", "--sobol-top", "2",
            "--workers", "1", "--bootstrap", "20", "--quiet"]
    assert main(argv) == 0
    sobol = pd.read_csv(out / "sobol_indices.csv")
    assert sobol.parameter.nunique() == 2
    assert len(pd.read_parquet(out / "sobol" / "runs" / "runs")) == 4 * (2 + 2)
