"""Factor levels that are lists (admission lists) are labelled by their length on plots."""

import pytest


@pytest.fixture(scope="module")
def level_label():
    # imported here: sim.sweep.figures brings in Matplotlib, seconds of CPU for every
    # pytest-xdist worker if imported when the file is collected
    from sim.sweep.figures import level_label

    return level_label


def test_a_list_level_is_labelled_by_its_length(level_label):
    assert level_label('["resident_request", "self_governance", "elderly_services"]') == "3 items"
    assert level_label(["a", "b"]) == "2 items"
    assert level_label("[]") == "0 items"


def test_short_levels_stay_as_they_are_and_long_ones_are_cut(level_label):
    assert level_label(0.25) == "0.25"
    assert level_label("unlimited-responsibility-with-a-long-name").endswith("…")
    assert len(level_label("unlimited-responsibility-with-a-long-name")) == 18
