"""`tiaokuai sensitivity --difference ARM:BASELINE`: the paired difference is taken at the
same point and replication (the same seed), and bad pairs are refused."""

import pandas as pd
import pytest

from sim.errors import InputError
from sim.sensitivity.differences import paired_difference, parse_pairs


def test_difference_pairs_rows_by_point_and_replication():
    runs = pd.DataFrame({
        "sub_experiment": ["a", "a", "b", "b"],
        "point": [0, 1, 1, 0],  # b's rows stored in another order
        "replication": [0, 0, 0, 0],
        "y": [10.0, 20.0, 5.0, 1.0],
    })
    d = paired_difference(runs, "a", "b", ["y"]).set_index("point")
    assert d.loc[0, "y"] == 9.0 and d.loc[1, "y"] == 15.0
    assert set(d.sub_experiment) == {"a-minus-b"}


def test_difference_refuses_arms_not_run_alike():
    runs = pd.DataFrame({"sub_experiment": ["a", "b"], "point": [0, 1], "replication": [0, 0], "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="same points"):
        paired_difference(runs, "a", "b", ["y"])


def test_bad_pairs_are_refused_with_the_arms_named():
    assert parse_pairs(["gated:unlimited"], ["unlimited", "gated"]) == [("gated", "unlimited")]
    for bad in ("gated", "gated:gated", "x:unlimited"):
        with pytest.raises(InputError, match="ARM:BASELINE"):
            parse_pairs([bad], ["unlimited", "gated"])


def test_each_morris_report_line_names_its_own_arm():
    from sim.sensitivity.report import morris_top_lines

    morris = pd.DataFrame({
        "sub_experiment": ["gated", "gated", "unlimited", "unlimited"],
        "outcome": ["y"] * 4,
        "parameter": ["a", "b", "a", "b"],
        "mu_star": [1.0, 2.0, 3.0, 0.5],
    })
    assert morris_top_lines(morris) == ["- gated / y: b (2), a (1)", "- unlimited / y: a (3), b (0.5)"]
