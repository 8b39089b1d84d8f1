"""The app rendered in-process, without a browser: Solara's test renderer drives the widgets.

Fast feedback for the page's rules: Step advances the day counter and redraws the views,
the seed box refuses anything but a whole number, a preset loads its levers into the
panel, and Reset rebuilds the model from what the panel shows.
"""

from __future__ import annotations

import pytest

from tests.support.viz import (
    BASELINE,
    GATED,
    PENDING,
    SCENARIOS,
    button,
    errors_shown,
    pictures,
    rendered_page,
    text_of,
    v,
)


@pytest.fixture
def page(monkeypatch):
    """The page as `tiaokuai viz scenarios/unlimited-responsibility.yaml --seed 7` opens it."""
    with rendered_page(monkeypatch) as rc:
        yield rc


def seed_box(rc):
    return rc.find(v.TextField, label="Seed (whole number)").widget


def test_page_opens_on_day_zero_with_both_views_drawn(page):
    assert text_of(page, "tk-day") == "Day 0 of 250"
    assert text_of(page, "tk-running") == "unlimited-responsibility, seed 7"
    assert page.find(v.Select, label="Compare with").widget.v_model == "(none)"  # opened without --compare
    drawn = pictures(page)
    assert drawn["tk-network"][:4] == b"\x89PNG" and len(drawn["tk-network"]) > 10_000
    assert drawn["tk-plots"][:4] == b"\x89PNG"
    assert errors_shown(page) == []
    # the preset chooser lists every scenario file (read from this render: no page of its own)
    assert page.find(v.Select, label="Preset").widget.items == sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


@pytest.mark.slow  # renders the page (seconds); the page's first render stays in the fast tier
def test_step_advances_the_day_and_redraws_network_and_plots_and_colouring_needs_no_reset(page):
    before = pictures(page)
    for _ in range(3):
        button(page, "Step").click()
    assert text_of(page, "tk-day") == "Day 3 of 250"
    assert text_of(page, "tk-plotted-days") == "3"
    after = pictures(page)
    assert after["tk-network"] != before["tk-network"]
    assert after["tk-plots"] != before["tk-plots"]
    assert errors_shown(page) == []

    # the hierarchy coloured by a behaviour's state is a view choice, without a Reset: the
    # picture changes, the run goes on (on the same page: no render of its own)
    by_load = after["tk-network"]
    chooser = page.find(v.Select, label="Colour the hierarchy by").widget
    assert chooser.items[0] == "load" and {"blame", "strain (burnout)", "participation"} <= set(chooser.items)
    chooser.v_model = "participation"
    assert pictures(page)["tk-network"] != by_load
    assert text_of(page, "tk-day") == "Day 3 of 250"
    page.find(v.Alert, children=[PENDING]).assert_empty()
    button(page, "Step").click()
    assert text_of(page, "tk-day") == "Day 4 of 250" and errors_shown(page) == []


@pytest.mark.slow  # renders the page (seconds); the page's first render stays in the fast tier
def test_seed_box_refuses_what_is_not_a_whole_number_and_reset_uses_a_whole_one(page):
    for typed in ("abc", "7.5", "-3", "", "1e3", "０７"):
        seed_box(page).v_model = typed
        box = seed_box(page)
        assert box.error and "seed" in box.messages[0], f"no visible refusal for {typed!r}"
        assert button(page, "Reset").disabled, typed
    # then a whole number is accepted and used by Reset (on the same page)
    seed_box(page).v_model = "oops"
    seed_box(page).v_model = " 11 "
    assert not seed_box(page).error
    assert not button(page, "Reset").disabled
    button(page, "Reset").click()
    assert text_of(page, "tk-running") == "unlimited-responsibility, seed 11"


@pytest.mark.slow  # renders the page (seconds); the page's first render stays in the fast tier
def test_reset_rebuilds_the_model_from_the_panel(page):
    button(page, "Step").click()
    page.find(v.Switch, label="Street admission list (gate)").widget.v_model = True
    page.find(v.Alert, children=[PENDING]).assert_single()
    button(page, "Reset").click()
    assert text_of(page, "tk-day") == "Day 0 of 250"
    assert text_of(page, "tk-changes") == "Changed from the file: Street admission list (gate) = on"
    page.find(v.Alert, children=[PENDING]).assert_empty()
    button(page, "Step").click()
    assert text_of(page, "tk-day") == "Day 1 of 250"
    assert errors_shown(page) == []


@pytest.mark.slow  # renders the page (seconds); the page's first render stays in the fast tier
def test_choosing_a_preset_loads_its_levers_into_the_panel(page):
    page.find(v.Select, label="Preset").widget.v_model = GATED.stem
    assert page.find(v.Switch, label="Street admission list (gate)").widget.v_model is True
    assert page.find(v.Switch, label="Committee admission list (gate)").widget.v_model is True
    button(page, "Reset").click()
    assert text_of(page, "tk-running") == "gate-and-resources, seed 7"
    assert page.find(v.Html, class_="tk-changes").widgets == []  # the panel matches the file


def test_a_scenario_from_elsewhere_joins_the_presets_under_a_name_of_its_own(tmp_path):
    from sim.viz.app import preset_choices

    elsewhere = tmp_path / "cases"
    elsewhere.mkdir()
    twin = elsewhere / "unlimited-responsibility.yaml"
    twin.write_text(BASELINE.read_text())
    choices, first = preset_choices(SCENARIOS, twin)
    assert first == "unlimited-responsibility (cases)" and choices[first] == twin.resolve()
    assert choices["unlimited-responsibility"] == BASELINE.resolve()
    assert preset_choices(SCENARIOS, BASELINE)[1] == "unlimited-responsibility"


@pytest.mark.slow  # renders the page (seconds); the page's first render stays in the fast tier
def test_the_panel_offers_every_lever_of_the_schema_and_one_that_may_be_absent_can_be_cleared(page):
    from sim.viz.panel import GROUPS, available_levers

    texts = [w.children[0] for w in page.find(v.Html, tag="span").widgets if w.children]
    for lever in available_levers():
        if lever.kind == "bool":
            page.find(v.Switch, label=lever.label).assert_single()
        elif lever.optional:
            assert any(w.label.startswith(lever.label + ": ") for w in page.find(v.Switch).widgets), lever.path
        else:
            assert any(t.startswith(lever.label + ": ") for t in texts), lever.path
    titles = {title for _, title in GROUPS}
    shown = [w.children[0] for w in page.find(v.ExpansionPanelHeader).widgets]
    assert any(t.startswith("Behaviour levers (") for t in shown) and all(t.rsplit(" (", 1)[0] in titles for t in shown)
    coping = "Coping: box-tick above backlog of (days)"
    assert f"{coping}: 3.00" in texts
    page.find(v.Switch, label=f"{coping}: set").widget.v_model = False
    page.find(v.Switch, label=f"{coping}: never (no coping)").assert_single()
    page.find(v.Alert, children=[PENDING]).assert_single()
    button(page, "Reset").click()
    assert text_of(page, "tk-changes") == f"Changed from the file: {coping} = none"
    button(page, "Step").click()
    assert text_of(page, "tk-day") == "Day 1 of 250"
    assert errors_shown(page) == []
