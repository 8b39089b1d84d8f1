"""`tiaokuai compare DIR`: the tables say what an independent calculation says, and the
figures the design calls for are written."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim.cli import main
from sim.sweep.compare import cell, compare
from sim.sweep.plan import build_plan
from sim.sweep.driver import sweep
from sim.sweep.executors import SerialExecutor
from sim.sweep.store import ResultStore
from tests.support.cities import TINY

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = ["committee_backlog_hours_mean", "committee_self_governance_share"]


def run_experiment(directory: Path, **fields) -> Path:
    spec = {
        "name": "compare-test", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "days": 20, "warmup_days": 5, "replications": 4, "master_seed": 8, "outcomes": OUTCOMES,
        "sub_experiments": {
            "unlimited": {"set": TINY},
            "gated": {"scenario": str(REPO / "scenarios/admission-list.yaml"), "set": TINY},
        },
        "baseline": "unlimited",
    }
    spec.update(fields)
    experiment = directory / "exp.yaml"
    experiment.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = directory / "results"
    sweep(build_plan(experiment), out, SerialExecutor, quiet=True)
    return out


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


@pytest.fixture(scope="module")
def regimes(tmp_path_factory):
    out = run_experiment(tmp_path_factory.mktemp("regimes"), timeseries=True)
    return out, compare(out, stream=open("/dev/null", "w"))


def test_the_table_is_the_t_interval_over_replications_of_the_stored_rows(regimes):
    out, result = regimes
    runs = ResultStore(out).read_runs()
    table = pd.read_csv(out / "figures" / "summary.csv").set_index(["sub_experiment", "outcome"])
    for arm in ("unlimited", "gated"):
        for outcome in OUTCOMES:
            x = runs.loc[runs["sub_experiment"] == arm, outcome].to_numpy(float)
            if x.std() == 0:  # scipy says NaN; no spread over replications is a zero-width interval
                low = high = x.mean()
            else:
                low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
            row = table.loc[(arm, outcome)]
            assert row["n"] == 4
            assert row["mean"] == pytest.approx(x.mean(), rel=1e-12)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9, abs=1e-12)


def test_paired_differences_pair_each_replication_with_the_baselines(regimes):
    out, _ = regimes
    runs = ResultStore(out).read_runs().sort_values("replication")
    diffs = pd.read_csv(out / "figures" / "differences.csv").set_index("outcome")
    for outcome in OUTCOMES:
        arm = runs.loc[runs["sub_experiment"] == "gated", outcome].to_numpy(float)
        base = runs.loc[runs["sub_experiment"] == "unlimited", outcome].to_numpy(float)
        ref = stats.ttest_rel(arm, base)
        low, high = ref.confidence_interval(0.95)
        assert diffs.loc[outcome, "sub_experiment"] == "gated"
        assert diffs.loc[outcome, "mean_difference"] == pytest.approx(np.mean(arm - base))
        assert (diffs.loc[outcome, "ci_low"], diffs.loc[outcome, "ci_high"]) == pytest.approx((low, high), rel=1e-9)


def test_the_admission_list_lowers_committee_backlog_in_the_table(regimes):
    # A domain sign the comparison must show: gating protects committees.
    _, result = regimes
    d = result.differences.set_index("outcome").loc["committee_backlog_hours_mean"]
    assert d["ci_high"] < 0


def test_compare_writes_tables_bar_charts_differences_and_time_series_bands(regimes):
    out, result = regimes
    figures = out / "figures"
    for name in ("summary.csv", "summary.md", "differences.csv", "differences.md", "report.md"):
        assert (figures / name).stat().st_size > 0
    for name in ["outcomes.png", "differences.png", "timeseries-backlog.png"] + [f"bar-{o}.png" for o in OUTCOMES]:
        assert is_png(figures / name), name
    report = (figures / "report.md").read_text()
    assert "![timeseries-backlog](timeseries-backlog.png)" in report
    assert "| committee_backlog_hours_mean (staff-hours) |" in (figures / "summary.md").read_text()


@pytest.mark.slow  # a factorial sweep and a figure per outcome
def test_a_two_factor_design_gets_a_heatmap_per_outcome(tmp_path):
    out = run_experiment(tmp_path, replications=2, sub_experiments={"unlimited": {"set": TINY}}, baseline=None,
                         factors={"levers.push_down_propensity": [0.2, 0.9], "levers.resources_follow_tasks": [0.0, 0.5]})
    result = compare(out, stream=open("/dev/null", "w"))
    assert len(result.summary) == 4 * len(OUTCOMES)  # one row per combination and outcome
    assert set(result.summary["n"]) == {2}
    for outcome in OUTCOMES:
        assert is_png(out / "figures" / f"heatmap-{outcome}.png")


@pytest.mark.slow  # a sampling-design sweep and its figures
def test_a_sampling_design_treats_each_point_as_one_unit(tmp_path):
    out = run_experiment(tmp_path, replications=2, outcomes=OUTCOMES[:1],
                         design={"method": "latin_hypercube", "samples": 5,
                                 "ranges": {"levers.push_down_propensity": [0.2, 0.9]}})
    result = compare(out, stream=open("/dev/null", "w"))
    assert set(result.summary["n"]) == {5}
    assert set(result.differences["n_pairs"]) == {5}
    assert is_png(out / "figures" / f"scatter-{OUTCOMES[0]}.png")


def test_comparing_a_folder_without_results_exits_2(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) == 2
    assert "manifest.json missing" in capsys.readouterr().err


def test_unknown_outcome_or_baseline_exits_2(regimes, capsys):
    out, _ = regimes
    assert main(["compare", str(out), "--outcomes", "nonsense", "--no-plots"]) == 2
    assert main(["compare", str(out), "--baseline", "nowhere", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert "nonsense" in err and "nowhere" in err


def test_a_cell_shows_the_mean_to_the_precision_of_its_interval():
    assert cell(0.99718, 0.00425) == "0.9972 ± 0.0043"
    assert cell(459431.2, 654.3) == "459,431 ± 654"
    assert cell(-35.12, 2.61, signed=True) == "-35.1 ± 2.6"
    assert cell(1.0, 0.0) == "1 ± 0"


def test_a_partial_sweep_is_compared_as_it_is_and_says_so(tmp_path):
    import dataclasses
    import io

    from sim.sweep.driver import manifest_for, run_sweep
    from sim.sweep.plan import build_plan

    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump({
        "name": "partial", "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "days": 12, "warmup_days": 2, "replications": 2, "master_seed": 1, "outcomes": OUTCOMES,
        "sub_experiments": {"unlimited": {"set": TINY},
                            "gated": {"scenario": str(REPO / "scenarios/admission-list.yaml"), "set": TINY}},
        "baseline": "unlimited",
    }, sort_keys=False))
    plan = build_plan(experiment)
    store = ResultStore(tmp_path / "r")
    store.start(manifest_for(plan, str(experiment)))
    only_gated = dataclasses.replace(plan, runs=tuple(r for r in plan.runs if r.sub_experiment == "gated"))
    run_sweep(only_gated, store, SerialExecutor())  # the baseline has not run yet
    printed = io.StringIO()
    result = compare(tmp_path / "r", stream=printed)
    assert "2 of 4 runs (PARTIAL" in printed.getvalue()
    assert set(result.summary["sub_experiment"]) == {"gated"}
    assert result.differences is None
