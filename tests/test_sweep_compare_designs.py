"""`compare` on factorial and sampling designs, and effects per 10,000 yuan a day.

Every test builds a tiny synthetic result store (rows written straight into the store, no
model runs), so the numbers the tables and figures must show are known exactly.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.sweep.compare import backlog_bands, compare, replication_marginals
from sim.sweep.stats import paired_differences, per_cost
from sim.sweep.store import FORMAT, ResultStore

QUIET = io.StringIO


def is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def synthetic_store(directory: Path, *, arms, points, replications, value, design=None, varied=(),
                    timeseries=None, extra=None) -> Path:
    """A result store holding one row per (arm, point, replication).

    `points` is a list of dicts (input column -> value); `value(arm, point_dict, rep)` gives
    the outcome `y`; `extra(arm, point_dict, rep)` may add columns (e.g. the regime's cost);
    `timeseries(arm, p, rep)` may return per-day rows."""
    store = ResultStore(directory)
    rows, series = [], []
    for arm in arms:
        for p, point in enumerate(points):
            for r in range(replications):
                run_id = f"{arm}/p{p:03d}/r{r:03d}"
                row = {"run_id": run_id, "sub_experiment": arm, "point": p, "replication": r, "seed": 100 + r,
                       **point, "y": value(arm, point, r)}
                if extra:
                    row.update(extra(arm, point, r))
                rows.append(row)
                if timeseries:
                    series.append(timeseries(arm, p, r).assign(run_id=run_id, sub_experiment=arm, point=p,
                                                                replication=r))
    manifest = {"format": FORMAT, "name": "synthetic", "description": "", "total_runs": len(rows),
                "sub_experiments": list(arms), "baseline": arms[0] if len(arms) > 1 else None,
                "outcomes": ["y"], "varied": list(varied), "design": design, "replications": replications,
                "timeseries": bool(timeseries)}
    store.start(manifest)
    store.append(rows, series or None)
    return directory


NOISE = [0.3, -0.1, 0.4, -0.5, 0.2, -0.3]


def test_arms_by_one_numeric_factor_get_response_curves_and_no_bar_charts(tmp_path):
    # y = level * (1 for the baseline, 2 for the other arm) + the replication's shared noise
    out = synthetic_store(
        tmp_path, arms=["base", "other"], points=[{"levers.demand_multiplier": m} for m in (0.7, 1.0, 1.3)],
        replications=4, design="factorial", varied=["levers.demand_multiplier"],
        value=lambda arm, pt, r: pt["levers.demand_multiplier"] * (1 if arm == "base" else 2) + NOISE[r])
    result = compare(out, stream=QUIET())
    figures = out / "figures"
    assert is_png(figures / "response-y.png")
    assert not list(figures.glob("bar-*.png")) and not list(figures.glob("factor-*.png"))
    # one interval per arm and level, over that level's replications only
    s = result.summary.set_index(["sub_experiment", "levers.demand_multiplier"])
    assert s.loc[("other", 1.3), "mean"] == pytest.approx(2.6 + np.mean(NOISE[:4]))
    assert s.loc[("other", 1.3), "n"] == 4
    # paired on the seed, the shared noise cancels: the difference is exactly the level
    d = result.differences.set_index("levers.demand_multiplier")
    for level in (0.7, 1.0, 1.3):
        assert d.loc[level, "mean_difference"] == pytest.approx(level)
        assert d.loc[level, "half_width"] == pytest.approx(0.0, abs=1e-12)


def test_non_numeric_factor_levels_keep_the_factor_lines(tmp_path):
    out = synthetic_store(
        tmp_path, arms=["base", "other"], points=[{"levers.kind": k} for k in ("a", "b")], replications=3,
        design="factorial", varied=["levers.kind"], value=lambda arm, pt, r: float(r))
    compare(out, stream=QUIET())
    assert is_png(out / "figures" / "factor-y.png")
    assert not (out / "figures" / "response-y.png").exists()


def cost_store(tmp_path, cost_of):
    # outcome falls by 0.5 per 10,000 yuan/day of extra cost, plus shared noise
    def extra(arm, pt, r):
        return {"regime_cost_yuan_per_day": cost_of(arm, r)}

    def value(arm, pt, r):  # plus a little noise of the arm's own
        return 3.0 - 0.5 * cost_of(arm, r) / 10_000 + NOISE[r] + (0.05 * NOISE[r + 1] if arm == "stations" else 0)

    return synthetic_store(tmp_path, arms=["base", "stations", "gate"], points=[{}], replications=5,
                           value=value, extra=extra)


def test_effects_per_10k_yuan_a_day_sit_next_to_the_raw_effects(tmp_path):
    costs = {"base": lambda r: 0.0, "stations": lambda r: 40_000.0 + 1_000 * r, "gate": lambda r: 0.0}
    out = cost_store(tmp_path, lambda arm, r: costs[arm](r))
    printed = QUIET()
    result = compare(out, stream=printed, plots=False)  # the tables and the printout, not figures
    d = result.differences.set_index("sub_experiment")
    spent = np.array([40_000.0 + 1_000 * r for r in range(5)])
    effect = -0.5 * spent / 10_000 + 0.05 * np.array(NOISE[1:6])
    assert d.loc["stations", "cost_difference"] == pytest.approx(42_000.0)
    assert d.loc["stations", "per_10k_yuan"] == pytest.approx(effect.mean() / spent.mean() * 10_000)
    assert 0 < d.loc["stations", "per_10k_half_width"] < 0.05
    assert math.isnan(d.loc["gate", "per_10k_yuan"])  # costs nothing extra: no effect per yuan
    table = (out / "figures" / "differences.md").read_text()
    stations_cell = [line for line in table.splitlines() if line.startswith("| y |")][0].split("|")[2]
    assert stations_cell.strip().endswith("per 10k ¥/day") and "; -0.5" in stations_cell
    gate_cell = [line for line in table.splitlines() if line.startswith("| y |")][0].split("|")[3]
    assert "per 10k" not in gate_cell
    assert "effect per 10,000 yuan a day" in printed.getvalue()


def test_without_a_cost_column_the_comparison_has_no_per_yuan_columns(tmp_path):
    out = synthetic_store(tmp_path, arms=["base", "other"], points=[{}], replications=3,
                          value=lambda arm, pt, r: float(r) + (arm == "other"))
    result = compare(out, stream=QUIET(), plots=False)
    assert "per_10k_yuan" not in result.differences.columns
    assert "per 10k" not in (out / "figures" / "differences.md").read_text()


def test_the_per_cost_interval_covers_the_true_ratio_about_95_percent_of_the_time():
    rng = np.random.default_rng(5)
    true_ratio, covered, trials = -0.3, 0, 2000
    for _ in range(trials):
        c = rng.normal(20_000, 3_000, 20)
        d = true_ratio * c / 10_000 + rng.normal(0, 0.4, 20)
        est = per_cost(d, c)
        covered += abs(est["per_10k_yuan"] - true_ratio) <= est["per_10k_half_width"]
    assert 0.93 <= covered / trials <= 0.97


def test_a_cost_difference_indistinguishable_from_zero_gives_no_ratio():
    c = np.array([500.0, -400.0, 300.0, -350.0])
    assert math.isnan(per_cost(np.ones(4), c)["per_10k_yuan"])


def test_paired_differences_skip_the_ratio_for_the_cost_itself():
    runs = pd.DataFrame({"sub_experiment": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
                         "regime_cost_yuan_per_day": [0.0, 0.0, 10_000.0, 12_000.0]})
    d = paired_differences(runs, "a", ["regime_cost_yuan_per_day"], by=[], pair_on=["replication"])
    assert d.loc[0, "mean_difference"] == 11_000.0 and math.isnan(d.loc[0, "per_10k_yuan"])


def test_two_factor_heatmaps_show_means_and_interval_widths(tmp_path):
    points = [{"f.a": a, "f.b": b} for a in (1, 2) for b in (10, 20)]
    out = synthetic_store(tmp_path, arms=["only"], points=points, replications=3, design="factorial",
                          varied=["f.a", "f.b"], value=lambda arm, pt, r: pt["f.a"] * pt["f.b"] + NOISE[r] * pt["f.a"])
    result = compare(out, stream=QUIET())
    assert is_png(out / "figures" / "heatmap-y.png")
    s = result.summary.set_index(["f.a", "f.b"])
    # the noisier cells (f.a = 2) have twice the interval: each cell keeps its own width
    assert s.loc[(2, 10), "half_width"] == pytest.approx(2 * s.loc[(1, 10), "half_width"])


def test_more_than_two_factors_average_each_replication_over_the_others_first():
    rows = []
    for a in (1, 2):
        for b in (1, 2):
            for c in (0, 10):
                for r in range(3):
                    rows.append({"sub_experiment": "x", "f.a": a, "f.b": b, "f.c": c, "replication": r,
                                 "y": a + b + c + NOISE[r]})
    marg = replication_marginals(pd.DataFrame(rows), ["f.a", "f.b"], ["f.c"], "y").set_index(["f.a", "f.b"])
    expected = [1 + 2 + 5 + NOISE[r] for r in range(3)]  # a=1, b=2, mean over c of c = 5
    assert marg.loc[(1, 2), "mean"] == pytest.approx(np.mean(expected))
    assert marg.loc[(1, 2), "n"] == 3
    assert marg.loc[(1, 2), "sd"] == pytest.approx(np.std(expected, ddof=1))


def test_a_one_arm_sampling_design_gets_no_bar_chart_of_its_mean_over_points(tmp_path):
    points = [{"levers.x": x} for x in (0.1, 0.4, 0.7, 0.9)]
    out = synthetic_store(tmp_path, arms=["only"], points=points, replications=2, design="latin_hypercube",
                          varied=["levers.x"], value=lambda arm, pt, r: pt["levers.x"] + NOISE[r])
    compare(out, stream=QUIET())
    figures = out / "figures"
    assert not (figures / "outcomes.png").exists() and not list(figures.glob("bar-*.png"))
    assert is_png(figures / "scatter-y.png")


def backlog_by_point(arm, p, r):
    # point 0 holds 10 h per office, point 1 holds 100 h; replications differ by +-1
    level = 10.0 if p == 0 else 100.0
    return pd.DataFrame({"day": np.arange(1, 6), "level": "committee",
                         "backlog_hours": 4 * (level + (r - 1)), "offices": 4})


def test_time_series_bands_are_per_design_point_never_pooled(tmp_path):
    out = synthetic_store(tmp_path, arms=["base", "other"], points=[{"levers.m": 0.7}, {"levers.m": 1.3}],
                          replications=3, design="factorial", varied=["levers.m"],
                          value=lambda arm, pt, r: float(r), timeseries=backlog_by_point)
    bands = backlog_bands(ResultStore(out))
    day3 = bands[(bands["day"] == 3) & (bands["sub_experiment"] == "base")].set_index("point")
    assert day3.loc[0, "mean"] == pytest.approx(10.0) and day3.loc[1, "mean"] == pytest.approx(100.0)
    assert day3.loc[0, "n"] == 3  # the point's own replications, not 6 runs pooled over points
    assert day3.loc[0, "ci_high"] - day3.loc[0, "ci_low"] == pytest.approx(2 * 4.302653 * 1 / math.sqrt(3), rel=1e-5)
    compare(out, stream=QUIET())
    assert is_png(out / "figures" / "timeseries-backlog.png")


def test_compare_csv_exports_the_stored_rows_and_time_series(tmp_path, capsys):
    out = synthetic_store(tmp_path, arms=["base", "other"], points=[{}], replications=2,
                          value=lambda arm, pt, r: float(r), timeseries=backlog_by_point)
    assert main(["compare", str(out), "--csv", "--no-plots"]) == 0
    runs = pd.read_csv(out / "figures" / "runs.csv")
    stored = ResultStore(out).read_runs()
    assert list(runs["run_id"]) == list(stored["run_id"]) and list(runs["y"]) == list(stored["y"])
    series = pd.read_csv(out / "figures" / "timeseries.csv")
    assert len(series) == 2 * 2 * 5 and {"run_id", "day", "level", "backlog_hours"} <= set(series.columns)


def test_without_csv_nothing_is_exported(tmp_path):
    out = synthetic_store(tmp_path, arms=["base", "other"], points=[{}], replications=2,
                          value=lambda arm, pt, r: float(r))
    compare(out, stream=QUIET(), plots=False)
    assert not (out / "figures" / "runs.csv").exists()


def test_cells_whose_runs_did_not_settle_are_marked(tmp_path):
    # at demand 1.3 the "other" arm's replications 0 and 1 are still growing at the end
    out = synthetic_store(
        tmp_path, arms=["base", "other"], points=[{"levers.demand_multiplier": m} for m in (1.0, 1.3)],
        replications=4, design="factorial", varied=["levers.demand_multiplier"],
        value=lambda arm, pt, r: float(r),
        extra=lambda arm, pt, r: {"stable": not (arm == "other" and pt["levers.demand_multiplier"] == 1.3 and r < 2)})
    result = compare(out, stream=QUIET(), plots=False)
    s = result.summary.set_index(["sub_experiment", "levers.demand_multiplier"])
    assert s.loc[("other", 1.3), "unstable_runs"] == 2 and s.loc[("other", 1.0), "unstable_runs"] == 0
    table = (out / "figures" / "summary.md").read_text()
    assert "| other †2/4 | 1.3 |" in table and "| other | 1.0 |" in table and "did not reach a steady state" in table


def test_figures_of_an_earlier_comparison_do_not_linger(tmp_path):
    out = synthetic_store(tmp_path, arms=["base", "other"], points=[{}], replications=2,
                          value=lambda arm, pt, r: float(r))
    stale = out / "figures" / "bar-an_outcome_no_longer_compared.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    mine = out / "figures" / "notes.txt"
    mine.write_text("a user's own file")
    compare(out, stream=QUIET())
    assert not stale.exists() and mine.exists() and is_png(out / "figures" / "bar-y.png")
