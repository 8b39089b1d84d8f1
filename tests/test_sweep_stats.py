"""Confidence intervals and paired differences agree with scipy on known data."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats

from sim.sweep.stats import band, paired_differences, summarise, t_interval


def test_t_interval_of_one_to_five_is_the_textbook_value():
    # mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445; half-width 2.776445 * sqrt(2.5) / sqrt(5)
    ci = t_interval([1, 2, 3, 4, 5])
    assert ci["n"] == 5 and ci["mean"] == 3.0
    assert ci["half_width"] == pytest.approx(2.776445 * math.sqrt(0.5), rel=1e-6)
    assert (ci["ci_low"], ci["ci_high"]) == pytest.approx((1.036757, 4.963243), rel=1e-6)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_interval_agrees_with_scipy(confidence):
    x = np.random.default_rng(1).gamma(2.0, 3.0, size=23)
    low, high = stats.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    ci = t_interval(x, confidence)
    assert (ci["ci_low"], ci["ci_high"]) == pytest.approx((low, high), rel=1e-12)
    assert ci["sd"] == pytest.approx(x.std(ddof=1))


def test_missing_values_are_left_out_and_one_value_has_no_interval():
    assert t_interval([1.0, np.nan, 3.0])["n"] == 2
    one = t_interval([4.0])
    assert one["mean"] == 4.0 and math.isnan(one["half_width"])
    assert t_interval([])["n"] == 0
    assert t_interval([2.0, 2.0, 2.0])["half_width"] == 0.0


def runs_for_pairs(base, arm):
    n = len(base)
    return pd.DataFrame({
        "sub_experiment": ["base"] * n + ["arm"] * n,
        "replication": list(range(n)) * 2,
        "y": np.concatenate([base, arm]),
    })


def test_paired_differences_agree_with_scipys_paired_t_test():
    rng = np.random.default_rng(7)
    common = rng.normal(100, 20, size=30)  # the noise both arms share on the same seed
    base = common + rng.normal(0, 1, 30)
    arm = common - 3 + rng.normal(0, 1, 30)
    d = paired_differences(runs_for_pairs(base, arm), "base", ["y"], by=[], pair_on=["replication"]).iloc[0]
    ref = stats.ttest_rel(arm, base)
    low, high = ref.confidence_interval(0.95)
    assert d["n_pairs"] == 30
    assert d["mean_difference"] == pytest.approx(np.mean(arm - base))
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((low, high), rel=1e-10)
    assert d["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert d["relative_change"] == pytest.approx(np.mean(arm - base) / np.mean(base))
    unpaired = t_interval(arm)["half_width"] + t_interval(base)["half_width"]
    assert d["half_width"] < unpaired / 5  # common random numbers make the comparison tight


def test_pairs_are_matched_by_replication_not_by_row_order():
    runs = runs_for_pairs(np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0]))
    shuffled = runs.sample(frac=1.0, random_state=3)
    d = paired_differences(shuffled, "base", ["y"], by=[], pair_on=["replication"]).iloc[0]
    assert d["mean_difference"] == 10.0 and d["half_width"] == 0.0


def test_summarise_groups_and_reports_each_outcome():
    runs = pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 3.0, 5.0, 9.0], "z": [0.0, 0.0, 1.0, 1.0]})
    table = summarise(runs, ["g"], ["y", "z"]).set_index(["g", "outcome"])
    assert table.loc[("b", "y"), "mean"] == 7.0
    assert table.loc[("a", "z"), "half_width"] == 0.0
    assert table.loc[("a", "y"), "ci_high"] == pytest.approx(t_interval([1.0, 3.0])["ci_high"])


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.lists(hs.floats(-1e6, 1e6), min_size=2, max_size=8), min_size=1, max_size=5))
def test_vectorised_bands_equal_the_per_group_interval(groups):
    frame = pd.DataFrame([{"day": i, "v": v} for i, g in enumerate(groups) for v in g])
    out = band(frame, ["day"], "v").set_index("day")
    for i, g in enumerate(groups):
        ci = t_interval(g)
        assert out.loc[i, "mean"] == pytest.approx(ci["mean"], rel=1e-9, abs=1e-6)
        assert out.loc[i, "ci_high"] == pytest.approx(ci["ci_high"], rel=1e-9, abs=1e-6)


def test_an_interval_from_five_values_covers_the_true_mean_95_times_in_100():
    """The interval's width is what matters: with n = 5, a normal quantile (1.96) instead of
    t(0.975, 4) = 2.78 would cover the mean only 88% of the time, and a missing sqrt(n) 99.9%.
    4,000 normal samples: the coverage's standard error is sqrt(0.95 x 0.05 / 4000) = 0.0034,
    so the band of +-0.015 (4.4 standard errors) rejects both mistakes and almost never the
    right formula."""
    rng = np.random.default_rng(2024)
    samples = rng.normal(10.0, 3.0, size=(4000, 5))
    covered = [(ci["ci_low"] <= 10.0 <= ci["ci_high"]) for ci in map(t_interval, samples)]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.015)
