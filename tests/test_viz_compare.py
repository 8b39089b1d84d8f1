"""Two regimes side by side: `tiaokuai viz A --compare B`, the "Compare with" chooser, one
Step for both sides, the difference strip, and Reset rebuilding both from day 0.

In-process (Solara's test renderer) and at the level of `Comparison`; the real-browser
test is in test_viz_browser.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.cli import main
from sim.viz.comparison import DIFFERENCE_SERIES, Comparison
from sim.viz.settings import ENV_COMPARE
from tests.support.viz import BASELINE, LISTS, button, html_table, pictures, rendered_page, text_of, v


def test_a_comparison_steps_both_sides_together_on_one_seed():
    comparison = Comparison.start(BASELINE, LISTS, seed=7)
    assert comparison.left.seed == comparison.right.seed == 7
    assert comparison.left.model is not comparison.right.model
    comparison.step(3)
    assert comparison.day == comparison.left.day == comparison.right.day == 3
    assert len(comparison.drawn[0]) == len(comparison.drawn[1]) == 3
    assert [d.day for d in comparison.drawn[1]] == [1, 2, 3]
    # right - left, day by day, straight from the two histories
    key = "committee_backlog_hours"
    expected = [r[key] - l_[key] for l_, r in zip(comparison.left.model.history, comparison.right.model.history)]
    assert comparison.differences(key).tolist() == pytest.approx(expected)


def test_a_comparison_stops_at_the_shorter_horizon(tmp_path):
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {LISTS}\nname: short\ndays: 20\nwarmup_days: 5\n")
    comparison = Comparison.start(BASELINE, short, seed=1)
    assert comparison.horizon == 20
    comparison.step(20)
    assert comparison.finished


def test_the_same_scenario_on_both_sides_faces_the_same_world_and_differs_by_nothing():
    comparison = Comparison.start(BASELINE, BASELINE, seed=3)
    comparison.step(5)
    check = comparison.world_check()
    assert check.same and check.first_difference is None and check.days == 5
    assert "equal on each of the 5 days" in check.sentence()
    for key, _, _ in comparison.difference_series():
        assert np.all(comparison.differences(key) == 0), key


def test_the_world_check_names_the_first_day_the_sides_part():
    from sim.viz.comparison import Drawn

    comparison = Comparison.start(BASELINE, BASELINE, seed=3)
    comparison.drawn[0].extend([Drawn(1, 10, 10, None), Drawn(2, 12, 22, None)])
    comparison.drawn[1].extend([Drawn(1, 10, 10, None), Drawn(2, 13, 23, None)])
    check = comparison.world_check()
    assert not check.same and check.first_difference == 2
    assert "day 2" in check.sentence()


def test_the_running_mean_is_the_mean_of_the_days_so_far():
    from sim.viz.difference_strip import running_mean

    values = np.array([2.0, 4.0, np.nan, 6.0])
    assert running_mean(values).tolist() == [2.0, 3.0, 3.0, 4.0]


def test_the_difference_strip_draws_every_headline_outcome_and_changes_as_days_pass():
    from sim.viz.difference_strip import DifferenceCanvas

    comparison = Comparison.start(BASELINE, LISTS, seed=7)
    comparison.step(1)
    series = comparison.difference_series()
    assert [key for key, _, _ in series] == [key for key, _, _ in DIFFERENCE_SERIES]
    strip = DifferenceCanvas(series, comparison.horizon, (comparison.left.name, comparison.right.name))
    first = strip.render(comparison)
    comparison.step(5)
    later = strip.render(comparison)
    assert first[:3] == b"\xff\xd8\xff" and later != first  # JPEG
    assert strip.values[0].get_text().startswith("day 6: ")


# ---- the page, rendered in-process ------------------------------------------------------


@pytest.fixture
def compare_page(monkeypatch):
    """The page as `tiaokuai viz unlimited-responsibility.yaml --compare admission-list.yaml --seed 7` opens it."""
    with rendered_page(monkeypatch, compare=LISTS) as rc:
        yield rc


def test_the_comparison_opens_on_day_zero_and_one_step_advances_both_sides(compare_page):
    rc = compare_page
    assert text_of(rc, "tk-day") == "Day 0 of 250"
    assert text_of(rc, "tk-running-left") == "left: unlimited-responsibility, seed 7"
    assert text_of(rc, "tk-running-right") == "right: admission-list, seed 7"
    assert "rebuilds both sides from day 0 on the same seed" in text_of(rc, "tk-rebuild-note")
    assert rc.find(v.Select, label="Compare with").widget.v_model == "admission-list"
    before = pictures(rc)
    for name in ("tk-network-left", "tk-network-right", "tk-plots-left", "tk-plots-right", "tk-difference"):
        assert before[name][:3] == b"\xff\xd8\xff", name  # JPEG: five pictures a frame
    button(rc, "Step").click()  # one Step: five pictures redrawn (the fast tier's largest test)
    assert text_of(rc, "tk-day") == "Day 1 of 250"
    assert text_of(rc, "tk-plotted-days-left") == text_of(rc, "tk-plotted-days-right") == "1"
    after = pictures(rc)
    for name in ("tk-network-left", "tk-network-right", "tk-plots-left", "tk-plots-right", "tk-difference"):
        assert after[name] != before[name], name
    assert int(text_of(rc, "tk-tasks-today-left")) > 0 and int(text_of(rc, "tk-tasks-today-right")) > 0
    assert "on day 1" in html_table(rc, "tk-differences")
    assert rc.find(v.Alert, type="error").widgets == []


@pytest.mark.slow  # a second page with two cities
def test_a_lever_on_either_side_applies_at_reset_then_none_and_a_preset_chosen_in_the_page(compare_page):
    """One page through the comparison's choices (each step used to render a page of its
    own): a lever on the right side applies at Reset, which rebuilds both sides from day 0;
    "Compare with: (none)" returns to the single view; a preset chosen there becomes the
    right side at the next Reset."""
    rc = compare_page
    button(rc, "Step").click()
    button(rc, "Step").click()
    rc.find(v.BtnToggle, class_="tk-side").widget.v_model = 1  # the right side's levers
    assert text_of(rc, "tk-side-name") == "the right side: admission-list"
    rc.find(v.Switch, label="Committee admission list (gate)").widget.v_model = False
    rc.find(v.Alert, children=["The panel differs from the running model: press Reset to apply."]).assert_single()
    assert text_of(rc, "tk-day") == "Day 2 of 250"  # the running pair is untouched until Reset
    button(rc, "Reset").click()
    assert text_of(rc, "tk-day") == "Day 0 of 250"
    assert text_of(rc, "tk-plotted-days-left") == text_of(rc, "tk-plotted-days-right") == "0"
    assert text_of(rc, "tk-changes-right") == "Changed from the file: Committee admission list (gate) = off"
    assert rc.find(v.Html, class_="tk-changes-left").widgets == []
    button(rc, "Step").click()
    assert text_of(rc, "tk-day") == "Day 1 of 250"

    # back to the single view
    rc.find(v.Select, label="Compare with").widget.v_model = "(none)"
    button(rc, "Reset").click()
    assert text_of(rc, "tk-running") == "unlimited-responsibility, seed 7"
    assert rc.find(v.Html, class_="tk-running-left").widgets == []
    assert rc.find(v.Select, label="Compare with").widget.v_model == "(none)"

    # a preset chosen in the page as the other side
    rc.find(v.Select, label="Compare with").widget.v_model = "service-stations"
    button(rc, "Reset").click()
    assert text_of(rc, "tk-running-right") == "right: service-stations, seed 7"
    button(rc, "Step").click()
    assert text_of(rc, "tk-plotted-days-right") == "1"
    assert rc.find(v.Alert, type="error").widgets == []


# ---- the command line -------------------------------------------------------------------


def test_compare_names_a_second_scenario_for_the_app():
    from sim.cli import build_parser
    from sim.viz.cli import server_command
    from sim.viz.settings import launch_settings

    args = build_parser().parse_args(["viz", str(BASELINE), "--compare", str(LISTS), "--port", "8798"])
    _, env = server_command(args)
    assert env[ENV_COMPARE] == str(LISTS.resolve())
    assert launch_settings(env).compare == LISTS.resolve()
    _, env = server_command(build_parser().parse_args(["viz", str(BASELINE), "--port", "8798"]))
    assert ENV_COMPARE not in env


def test_a_missing_compare_scenario_is_refused_with_status_2(capsys):
    assert main(["viz", str(BASELINE), "--compare", "no/such/other.yaml", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "no/such/other.yaml: file not found" in err and "Traceback" not in err


def test_the_views_series_come_from_the_outcome_registry():
    from sim.outcomes import DAILY, DAILY_KEYS, OUTCOMES
    from sim.viz.behaviour import MEASURES
    from sim.viz.plots import BEHAVIOUR_PANELS, PANELS

    labels = {**{o.name: o.label for o in OUTCOMES.values()}, **{o.name: o.label for o in DAILY}}
    for key, label, _ in DIFFERENCE_SERIES:
        assert label == labels[key], key
    assert len(DIFFERENCE_SERIES) >= 5
    for panel in PANELS[:3]:  # the flow of work: the model's own daily series
        for key, *_ in panel.series:
            assert key in DAILY_KEYS, key
    for measure in MEASURES:
        assert measure.outcome in OUTCOMES and (measure.pooled is None or measure.pooled in OUTCOMES)
    assert sum(len(panel.series) for panel in BEHAVIOUR_PANELS) >= 10


@pytest.mark.slow  # three plot canvases drawn (~4 s of CPU)
def test_both_sides_plots_share_their_y_scales():
    from sim.viz.plots import PlotsCanvas

    comparison = Comparison.start(BASELINE, LISTS, seed=7)
    comparison.step(20)
    left, right = (PlotsCanvas(comparison.horizon, False, width=8.0) for _ in range(2))
    left.render(comparison.left.history, scale_with=(comparison.right.history,))
    right.render(comparison.right.history, scale_with=(comparison.left.history,))
    assert [ax.get_ylim() for ax in left.axes] == [ax.get_ylim() for ax in right.axes]
    alone = PlotsCanvas(comparison.horizon, False, width=8.0)
    alone.render(comparison.right.history)
    assert alone.axes[0].get_ylim() != right.axes[0].get_ylim()  # the lists' backlog alone is lower
