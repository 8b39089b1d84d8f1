"""Robustness under deep uncertainty: the arithmetic of winning and regret, PRIM on a
planted box, the assumption-tagged uncertainties, and a killed study that resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.robustness.design import assumption_values, sweep_experiment
from sim.robustness.discover import choose_step, feature_scores, prim_box
from sim.robustness.rank import best_shares, ranking, regret, win_matrix, world_means
from sim.robustness.spec import load_robustness
from sim.sweep.store import ResultStore

REPO = Path(__file__).resolve().parents[1]

# Three worlds, three policies, one outcome where more is better:
#   world 0: A=3, B=1, C=2  -> A best
#   world 1: A=1, B=5, C=2  -> B best
#   world 2: A=4, B=4, C=0  -> A and B tied best
TINY = pd.DataFrame({
    "world": [0, 0, 0, 1, 1, 1, 2, 2, 2],
    "policy": ["A", "B", "C"] * 3,
    "y": [3.0, 1.0, 2.0, 1.0, 5.0, 2.0, 4.0, 4.0, 0.0],
})


def test_p_best_splits_ties_and_sums_to_one():
    shares = best_shares(TINY, "y", +1)
    assert shares["A"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert shares["B"] == pytest.approx((0 + 1 + 0.5) / 3)
    assert shares["C"] == pytest.approx(0.0)
    assert shares.sum() == pytest.approx(1.0)


def test_regret_is_distance_to_the_best_in_the_same_world():
    r = regret(TINY, "y", +1)
    assert r.loc[0].tolist() == [0.0, 2.0, 1.0]
    assert r.loc[1].tolist() == [4.0, 0.0, 3.0]
    assert r.loc[2].tolist() == [0.0, 0.0, 4.0]


def test_regret_sign_follows_the_desired_direction():
    # the same numbers where less is better: world 0's best is B (1), world 2's is C (0)
    r = regret(TINY, "y", -1)
    assert r.loc[0].tolist() == [2.0, 0.0, 1.0]
    assert r.loc[2].tolist() == [4.0, 4.0, 0.0]
    assert (r >= 0).all().all()


def test_ranking_table_has_known_answers():
    t = ranking(TINY, ["y"], {"y": +1}, baseline="C").set_index("regime")
    assert list(ranking(TINY, ["y"], {"y": 1}, "C").columns) == [
        "regime", "outcome", "p_best", "p_beats_baseline", "regret_mean", "regret_p90", "regret_max"]
    assert t.loc["A", "p_beats_baseline"] == pytest.approx(2 / 3)  # beats C in worlds 0 and 2, ties never
    assert t.loc["B", "p_beats_baseline"] == pytest.approx(2 / 3)  # loses in world 0
    assert np.isnan(t.loc["C", "p_beats_baseline"])
    assert t.loc["A", "regret_mean"] == pytest.approx(4 / 3)
    assert t.loc["A", "regret_max"] == 4.0
    assert t.loc["B", "regret_p90"] == pytest.approx(np.quantile([2.0, 0.0, 0.0], 0.9))
    assert t.loc["C", "regret_mean"] == pytest.approx(8 / 3)
    assert t["p_best"].sum() == pytest.approx(1.0)


def test_win_matrix_counts_ties_as_halves_and_is_complementary():
    m = win_matrix(TINY, "y", +1)
    assert m.loc["A", "B"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert m.loc["A", "B"] + m.loc["B", "A"] == pytest.approx(1.0)
    assert np.isnan(m.loc["A", "A"])


def test_an_outcome_without_a_better_direction_cannot_rank_regimes():
    from sim.errors import InputError
    from sim.robustness.directions import directions

    assert directions(["resident_lead_time_days_mean", "tasks_done_on_time_share"]) == {
        "resident_lead_time_days_mean": -1, "tasks_done_on_time_share": 1}
    with pytest.raises(InputError, match="no desired direction"):
        directions(["committee_utilisation_mean"])  # overtime is not better or worse in itself


def test_world_means_average_replications():
    runs = pd.DataFrame({"point": [0, 0, 0, 0], "sub_experiment": ["A", "A", "B", "B"],
                         "replication": [0, 1, 0, 1], "y": [1.0, 3.0, 5.0, 7.0]})
    t = world_means(runs, ["y"]).set_index("policy")
    assert t.loc["A", "y"] == 2.0 and t.loc["B", "y"] == 6.0


@pytest.mark.slow  # PRIM on a planted box: 13 s of CPU measured under load
def test_prim_recovers_a_planted_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(500, 4)), columns=["a", "b", "c", "d"])
    cases = ((x.a > 0.6) & (x.b < 0.3)).to_numpy()
    box = prim_box(x, cases, "planted")
    assert box is not None
    assert box.coverage >= 0.8 and box.density >= 0.8
    lims = box.limits.set_index("uncertainty")
    assert set(lims.index) <= {"a", "b"} and {"a", "b"} <= set(lims.index)
    assert lims.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert lims.loc["b", "high"] == pytest.approx(0.3, abs=0.05)


def test_prim_gives_no_box_for_too_few_or_all_cases():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    assert prim_box(x, np.zeros(50, bool), "never") is None
    assert prim_box(x, np.ones(50, bool), "always") is None


def test_choose_step_prefers_coverage_among_dense_steps():
    t = pd.DataFrame({"coverage": [1.0, 0.9, 0.7, 0.5], "density": [0.3, 0.6, 0.85, 1.0],
                      "mass": [1, 0.5, 0.3, 0.2], "res_dim": [0, 1, 2, 2]})
    assert choose_step(t, 0.8) == 2
    assert choose_step(t, 1.1) == 3  # none dense enough: the densest


@pytest.mark.slow  # imports the EMA workbench and scikit-learn and fits extra trees: ~8 s of CPU
def test_feature_scores_rank_the_driving_uncertainty_first():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(200, 3)), columns=["driver", "noise1", "noise2"])
    y = pd.DataFrame({"adv": 5 * x.driver + 0.1 * rng.normal(size=200), "flat": np.ones(200)})
    s = feature_scores(x, y, seed=1)
    assert s["adv"].idxmax() == "driver"
    assert s["adv"].sum() == pytest.approx(1.0)
    assert s["flat"].isna().all()


def test_assumption_tags_become_uncertainties(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "name: s\nstaff:\n  overtime_ceiling: 0.25   # assumption\n  hours_per_day: 8  # statutory\n"
        "task_kinds:\n  - name: k\n    rate_per_day: 4   # per committee; assumption\n")
    assert assumption_values(tmp_path / "s.yaml") == {"staff.overtime_ceiling": 0.25,
                                                      "task_kinds.0.rate_per_day": 4}


def test_default_uncertainties_leave_regime_levers_to_the_regimes():
    exp = load_robustness(str(REPO / "experiments/robustness.yaml"), {"points": 4})
    compiled, found = sweep_experiment(exp, str(REPO / "experiments/robustness.yaml"))
    paths = {u.path for u in found}
    assert "task_kinds.0.rate_per_day" in paths and "committee.staff" in paths
    assert "structure.committees_per_street" in paths
    assert "days" not in paths
    # a lever some regime sets is not an uncertainty: the design would overwrite the regime
    assert "levers.social_organisation_entry_threshold" not in paths
    assert compiled.design.method == "latin_hypercube" and compiled.design.samples == 4
    lo = next(u for u in found if u.path == "levers.push_down_propensity")
    assert lo.high <= 1.0  # clipped to the schema's bound


# -- a killed study resumes ---------------------------------------------------------------

SMALL = {"structure.departments_per_district": 2, "structure.streets_per_district": 2,
         "structure.committees_per_street": 3}


@pytest.fixture
def tiny_study(tmp_path):
    path = tmp_path / "robust.yaml"
    path.write_text(yaml.safe_dump({
        "name": "tiny-robustness",
        "base": str(REPO / "scenarios/unlimited-responsibility.yaml"),
        "policies": {"unlimited": {"set": SMALL},
                     "gated": {"scenario": str(REPO / "scenarios/gate-and-resources.yaml"), "set": SMALL}},
        "baseline": "unlimited",
        "uncertainties": {"assumptions": False, "ranges": {
            "levers.push_down_propensity": [0.5, 1.0], "task_kinds.0.rate_per_day": [2.0, 6.0]}},
        "worlds": {"points": 12, "seed": 1},
        "replications": 2, "master_seed": 5, "days": 30, "warmup_days": 5,
        "outcomes": ["resident_lead_time_days_mean", "tasks_done_on_time_share"],
        "crisis": {"outcome": "committee_utilisation_mean", "at_least": 1.0},
    }, sort_keys=False))
    return path


def command(study: Path, out: Path) -> list[str]:
    return ["robustness", str(study), "--out", str(out), "--workers", "2", "--flush-seconds", "0",
            "--no-plots", "--quiet"]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_killed_study_resumes_and_matches_an_uninterrupted_one(tiny_study, tmp_path):
    out, gate = tmp_path / "killed", tmp_path / "gate"
    # Runs from the 30th ticket on wait at the gate, so the study cannot finish before the
    # kill. Not fewer: the first four batches carry 28 of the 48 runs, 12, 8, 4 and 4 (whole
    # stacks of four, a world's two policies and two replications, as many as a fair share
    # allows: sim.sweep.executors.Batcher.take), and a batch comes back only whole; with
    # the gate at 20 both workers' first batches (20 tickets and the probe's)
    # could each hold a stack past it when the two workers ran side by side on free cores,
    # and the study then waited for ever with nothing stored (seen on a quiet machine).
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.gated_sweep", str(gate), "30",
                             *command(tiny_study, out)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "store" / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, f"nothing stored in 120 s: {sorted(p.name for p in gate.iterdir())}"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # no chance to tidy up (nor to outlive a failed test)
    proc.wait(timeout=30)
    stored = len(ResultStore(out / "store").stored_run_ids())
    assert 0 < stored < 48, "the study finished before it could be killed"
    assert not (out / "ranking.csv").exists()

    # the rerun and the reference run in this process (the kill needed a process of its
    # own; these do not): each `python -m sim robustness` would import the EMA Workbench
    # again, ~11 s of CPU
    from sim.cli import main

    assert main(command(tiny_study, out)) == 0
    manifest = ResultStore(out / "store").manifest()
    assert manifest["last_session"]["skipped"] == stored
    assert manifest["last_session"]["ran"] == 48 - stored
    runs = ResultStore(out / "store").read_runs()
    assert len(runs) == 48 and runs.run_id.is_unique

    whole = tmp_path / "whole"
    assert main(command(tiny_study, whole)) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "ranking.csv"), pd.read_csv(whole / "ranking.csv"))
    assert (out / "boxes.md").exists() and (out / "summary.md").exists()
