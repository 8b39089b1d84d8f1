"""Factor levels that are lists (admission lists) are labelled by their length on plots."""

from sim.sweep.figures import level_label


def test_a_list_level_is_labelled_by_its_length():
    assert level_label('["resident_request", "self_governance", "elderly_services"]') == "3 items"
    assert level_label(["a", "b"]) == "2 items"
    assert level_label("[]") == "0 items"


def test_short_levels_stay_as_they_are_and_long_ones_are_cut():
    assert level_label(0.25) == "0.25"
    assert level_label("unlimited-responsibility-with-a-long-name").endswith("…")
    assert len(level_label("unlimited-responsibility-with-a-long-name")) == 18
