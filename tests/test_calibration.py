"""Calibration against the sources' patterns (issue 17): the pattern file, the misfit and
distance on hand-made summaries, ABC-SMC recovering a toy model's parameters (and
resuming), the inherited-value rule, the calibrated scenario, bad input, and a tiny
end-to-end `tiaokuai calibrate`."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario
from sim.calibration.abc import finished_generations, posterior_frame, run_abc
from sim.calibration.distance import PatternDistance
from sim.calibration.patterns import (
    MISFIT_CAP,
    Pattern,
    load_patterns,
    misfit,
    statistic,
)
from sim.calibration.report import calibrated_scenario_text
from sim.calibration.simulator import PatternSimulator
from sim.calibration.spec import Parameter, load_scenarios, load_spec
from sim.cli import main
from sim.sweep.executors import SerialExecutor

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "calibration.yaml"


def pattern(id, target, scenarios=("a",), outcome="x", weight=1.0, held_out=False, **extra):
    return Pattern.model_validate({
        "id": id, "title": id, "source": {"ref": "test"}, "evidence": "qualitative",
        "scenarios": list(scenarios), "outcome": outcome, "target": target,
        "weight": weight, "held_out": held_out, **extra,
    })


def run(**summary):
    return types.SimpleNamespace(summary=summary, timeseries=None)


# --- misfit and distance on hand-made summaries ------------------------------------------

def test_each_target_type_scores_zero_inside_and_tolerance_units_outside():
    value = pattern("v", {"type": "value", "value": 1.0, "tolerance": 0.1})
    assert misfit(value, 1.05) == 0.0
    assert misfit(value, 1.3) == pytest.approx(2.0)       # 0.2 beyond the tolerance = 2 units
    interval = pattern("i", {"type": "interval", "high": 0.5, "scale": 0.1})
    assert misfit(interval, 0.2) == 0.0
    assert misfit(interval, 0.65) == pytest.approx(1.5)
    assert misfit(interval, float("nan")) == MISFIT_CAP
    assert misfit(interval, 100.0) == MISFIT_CAP           # capped

    runs = {"a": [run(x=1.0), run(x=3.0)], "b": [run(x=1.5), run(x=1.5)], "c": [run(x=1.0), run(x=1.0)]}
    up = pattern("d", {"type": "direction", "change": "up", "at_least": 0.0, "scale": 0.5}, scenarios=("c", "b"))
    assert statistic(up, runs) == pytest.approx(0.5)       # means 1.0 -> 1.5
    assert misfit(up, statistic(up, runs)) == 0.0
    order = pattern("o", {"type": "ordering", "direction": "increasing", "scale": 0.25}, scenarios=("a", "b", "c"))
    # means 2.0, 1.5, 1.0: the smallest step in the claimed direction is -0.5
    assert statistic(order, runs) == pytest.approx(-0.5)
    assert misfit(order, -0.5) == pytest.approx(2.0)
    rel = pattern("r", {"type": "direction", "change": "down", "at_least": 0.5, "relative": True, "scale": 0.1},
                  scenarios=("a", "c"))
    assert statistic(rel, runs) == pytest.approx(0.5)      # 2.0 -> 1.0 is a fall of half
    within = pattern("w", {"type": "ordering", "direction": "increasing", "scale": 0.1}, outcome="",
                     outcomes=["lo", "hi"])
    assert statistic(within, {"a": [run(lo=0.2, hi=0.9)]}) == pytest.approx(0.7)


def test_shape_compares_the_last_third_with_the_first_after_warmup():
    days = np.arange(40)
    ts = pd.DataFrame({"day": np.concatenate([days, days]),
                       "level": ["committee"] * 40 + ["street"] * 40,
                       "load": np.concatenate([np.where(days < 10, 99.0, 1.0 + 0.05 * (days - 10)), np.zeros(40)])})
    r = types.SimpleNamespace(summary={"warmup_days": 10}, timeseries=ts)
    rising = pattern("s", {"type": "shape", "level": "committee", "column": "load", "shape": "rising",
                           "at_least": 0.5, "scale": 0.1}, outcome="")
    stat = statistic(rising, {"a": [r]})
    # after warm-up: 30 days 1.0 .. 2.45; first ten mean 1.225, last ten mean 2.225
    assert stat == pytest.approx(1.0 / 1.225)
    assert misfit(rising, stat) == 0.0
    flat = pattern("f", {"type": "shape", "level": "committee", "column": "load", "shape": "flat",
                         "tolerance": 0.1, "scale": 0.1}, outcome="")
    assert misfit(flat, stat) > 1.0


def test_distance_is_the_weighted_mean_misfit_of_the_calibration_patterns_only():
    a = pattern("a", {"type": "interval", "low": 0.0, "high": 1.0}, weight=3.0)
    b = pattern("b", {"type": "value", "value": 0.0, "tolerance": 0.1}, weight=1.0)
    held = pattern("h", {"type": "value", "value": 0.0, "tolerance": 0.1}, held_out=True)
    d = PatternDistance([a, b, held])
    assert d({"a": 0.5, "b": 0.0, "h": 99.0}) == 0.0                       # held-out misfit ignored
    assert d({"a": 2.0, "b": 0.3, "h": 0.0}) == pytest.approx((3 * 1.0 + 1 * 2.0) / 4)
    with pytest.raises(ValueError):
        PatternDistance([held])


# --- ABC on a tiny synthetic model --------------------------------------------------------

TRUE = {"a": 0.7, "b": 0.3}
TOY = [
    pattern("sum", {"type": "value", "value": 1.0, "tolerance": 0.05}),
    pattern("diff", {"type": "value", "value": 0.4, "tolerance": 0.05}),
    pattern("prod", {"type": "value", "value": 0.21, "tolerance": 0.01}, held_out=True),
]
TOY_PARAMS = {k: Parameter.model_validate({"prior": {"low": 0.0, "high": 1.0}, "why": "toy"}) for k in TRUE}


def toy(values, seed):
    rng = np.random.default_rng(seed)
    a, b = values["a"], values["b"]
    return {"sum": a + b + rng.normal(0, 0.01), "diff": a - b + rng.normal(0, 0.01), "prod": a * b}


@pytest.mark.slow  # ABC runs: ~10-30 s on the shared machine
def test_abc_recovers_the_parameters_of_a_tiny_synthetic_model_and_resumes(tmp_path):
    db = tmp_path / "abc.db"
    h = run_abc(toy, TOY_PARAMS, PatternDistance(TOY), db, population=40, generations=3, seed=3)
    assert finished_generations(db) == 3
    before = posterior_frame(h, t=2)
    h = run_abc(toy, TOY_PARAMS, PatternDistance(TOY), db, population=40, generations=5, seed=3)
    assert finished_generations(db) == 5
    pd.testing.assert_frame_equal(posterior_frame(h, t=2), before)   # resumed, not redone
    post = posterior_frame(h)
    for name, truth in TRUE.items():
        median = float(np.average(post[name], weights=post["weight"]))
        assert abs(median - truth) < 0.06, (name, median)
    prior_width = 1.0
    assert post["a"].max() - post["a"].min() < 0.5 * prior_width      # the data narrowed it


# --- the experiment file, the inherited-value rule, the calibrated scenario -----------------

def test_shipped_pattern_file_has_enough_patterns_sources_and_held_out_ones():
    spec = load_spec(EXPERIMENT)
    patterns = load_patterns(EXPERIMENT.parent / spec.patterns, scenarios=list(spec.scenarios))
    assert len(patterns) >= 12
    held = [p for p in patterns if p.held_out]
    assert len(held) >= 3
    refs = " ".join(p.source.ref for p in patterns)
    for seed in ("000_", "001_", "002_", "003_", "004_"):
        assert seed in refs, seed
    assert all(p.source.ref for p in patterns)


def test_a_calibrated_value_reaches_only_scenarios_that_inherit_it():
    spec = load_spec(EXPERIMENT)
    base, scenarios = load_scenarios(spec, EXPERIMENT, days=20, warmup=5)
    pair = ("unlimited-responsibility", "guiyang-2012")
    chosen = [pattern("p", {"type": "direction", "change": "up"}, scenarios=pair)]
    sim = PatternSimulator(spec, base, scenarios, chosen, SerialExecutor())
    values = {"levers.assessment_intensity": 1.3, "levers.push_down_propensity": 0.6}
    u = sim.scenario_for("unlimited-responsibility", values)
    g = sim.scenario_for("guiyang-2012", values)
    assert u.levers.assessment_intensity == 1.3 and u.levers.push_down_propensity == 0.6
    assert g.levers.assessment_intensity == 1.0    # Guiyang 2012 sets its own (000): kept
    assert g.levers.push_down_propensity == 0.9


def test_the_calibrated_scenario_extends_the_base_and_loads(tmp_path):
    spec = load_spec(EXPERIMENT)
    rows = [{"parameter": p, "prior": "uniform", "default": 0.5, "median": (v.prior.low + v.prior.high) / 2,
             "q05": v.prior.low, "q95": v.prior.high} for p, v in spec.parameters.items()]
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    text = calibrated_scenario_text(spec, str(EXPERIMENT), out, pd.DataFrame(rows), "small")
    (out / "calibrated-scenario.yaml").write_text(text)
    scenario = load_scenario(out / "calibrated-scenario.yaml")
    assert scenario.levers.push_down_propensity == pytest.approx(0.75)
    assert "90% interval" in text


# --- bad input and a tiny end-to-end run ---------------------------------------------------

TINY_PATTERNS = """
patterns:
  - id: busy
    title: committees work
    source: {ref: test}
    evidence: qualitative
    scenarios: [u]
    outcome: committee_utilisation_mean
    target: {type: interval, low: 0.2, scale: 0.1}
    weight: 1
    held_out: false
  - id: gate
    title: a gate loads departments
    source: {ref: test}
    evidence: qualitative
    scenarios: [u, g]
    outcome: department_utilisation_mean
    target: {type: direction, change: up, scale: 0.05}
    weight: 1
    held_out: true
"""


def tiny_experiment(tmp_path: Path, patterns: str = TINY_PATTERNS) -> Path:
    (tmp_path / "patterns.yaml").write_text(patterns)
    scen = ROOT / "scenarios"
    small = ("structure: {streets_per_district: 2, committees_per_street: 4, departments_per_district: 2}\n")
    (tmp_path / "u.yaml").write_text(f"extends: {scen / 'unlimited-responsibility.yaml'}\nname: u\n{small}")
    (tmp_path / "g.yaml").write_text(f"extends: {scen / 'admission-list.yaml'}\nname: g\n{small}")
    (tmp_path / "cal.yaml").write_text("""
name: tiny
patterns: patterns.yaml
base: u.yaml
scenarios: {u: u.yaml, g: g.yaml}
days: 12
warmup_days: 2
master_seed: 5
parameters:
  levers.push_down_propensity: {prior: {low: 0.5, high: 1.0}, why: test}
budgets:
  small: {population: 4, generations: 2, predictive_draws: 2, propagation_draws: 1, propagation_replications: 1}
""")
    return tmp_path / "cal.yaml"


BAD_PATTERNS = {
    "ordering on one scenario": (TINY_PATTERNS.replace("target: {type: interval, low: 0.2, scale: 0.1}",
                                                       "target: {type: ordering, direction: increasing}"),
                                 "patterns.0"),
    "unknown scenario": (TINY_PATTERNS.replace("scenarios: [u, g]", "scenarios: [u, shanghai]"),
                         "patterns.1.scenarios.1"),
    "unknown target type": (TINY_PATTERNS.replace("type: interval", "type: wobble"), "patterns.0.target"),
    "missing weight": (TINY_PATTERNS.replace("    weight: 1\n    held_out: false", "    held_out: false"),
                       "patterns.0.weight"),
}


@pytest.mark.parametrize("case", list(BAD_PATTERNS))
def test_a_bad_pattern_file_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, case):
    text, where = BAD_PATTERNS[case]
    exp = tiny_experiment(tmp_path, text)
    out = tmp_path / "out"
    assert main(["calibrate", str(exp), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and where in err[0], err
    assert not out.exists()


def test_an_outcome_that_is_not_a_summary_key_is_refused_before_anything_is_written(tmp_path, capsys):
    exp = tiny_experiment(tmp_path, TINY_PATTERNS.replace("outcome: committee_utilisation_mean",
                                                          "outcome: committee_happiness"))
    out = tmp_path / "out"
    assert main(["calibrate", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "committee_happiness" in err[0]
    assert not out.exists()


@pytest.mark.slow  # ABC runs: ~10-30 s on the shared machine
def test_calibrate_end_to_end_on_a_tiny_experiment(tmp_path):
    exp = tiny_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["calibrate", str(exp), "--out", str(out), "--budget", "small", "--workers", "1", "--quiet"]) == 0
    for name in ("posterior.parquet", "marginals.png", "pairwise.png", "predictive.md", "predictive.parquet",
                 "calibrated-scenario.yaml", "calibration.md", "abc.db"):
        assert (out / name).exists(), name
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 4 and post["weight"].sum() == pytest.approx(1.0)
    md = (out / "predictive.md").read_text()
    assert "Calibration patterns" in md and "Held-out patterns" in md
    assert load_scenario(out / "calibrated-scenario.yaml").name == "u-calibrated"
    # the same command again resumes: nothing left to run, outputs rewritten
    assert main(["calibrate", str(exp), "--out", str(out), "--budget", "small", "--workers", "1", "--quiet"]) == 0


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")  # pyabc's imports start threads
@pytest.mark.slow  # ABC runs: ~10-30 s on the shared machine
def test_the_posterior_does_not_depend_on_the_executor(tmp_path):
    """Particles draw their seeds in this process and runs are pure, so a calibration on
    local worker processes gives the same posterior as one run serially."""
    from sim.calibration.run import Calibration
    from sim.sweep.executors import LocalExecutor

    exp = tiny_experiment(tmp_path)
    frames = []
    for name, make in (("local", lambda: LocalExecutor(2)), ("serial", SerialExecutor)):
        executor = make()
        cal = Calibration.prepare(str(exp), "small", str(tmp_path / name))
        with executor:
            sim = cal.simulator(executor, [p for p in cal.patterns if not p.held_out], 1)
            h = run_abc(sim, cal.spec.parameters, PatternDistance(cal.patterns), tmp_path / f"{name}.db",
                        population=4, generations=2, seed=cal.spec.master_seed)
        frames.append(posterior_frame(h))
    pd.testing.assert_frame_equal(frames[0], frames[1])
