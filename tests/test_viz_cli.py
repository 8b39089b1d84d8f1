"""`tiaokuai viz`: its inputs are checked before any server starts, and the panel's levers
and seed box follow the scenario schema."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.config import Scenario
from sim.scenario_io import load_scenario, with_overrides
from sim.viz.cli import server_command
from sim.viz.panel import LEVER_HINTS, available_levers, levers_for, overrides, schema_bounds
from sim.viz.settings import ENV_PRESETS, ENV_SCENARIO, ENV_SEED, launch_settings, parse_seed
from tests.support.viz import rendered_page, v

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "unlimited-responsibility.yaml"
GATED = ROOT / "scenarios" / "gate-and-resources.yaml"


def viz_args(*argv: str) -> argparse.Namespace:
    from sim.cli import build_parser

    return build_parser().parse_args(["viz", *argv])


def test_a_missing_scenario_is_refused_with_status_2(capsys):
    assert main(["viz", "no/such/scenario.yaml", "--port", "1"]) == 2
    assert "no/such/scenario.yaml: file not found" in capsys.readouterr().err


def test_a_negative_seed_is_refused_with_status_2(capsys):
    assert main(["viz", str(BASELINE), "--seed", "-4"]) == 2
    assert "--seed" in capsys.readouterr().err


def test_a_port_in_use_is_refused_before_starting(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["viz", str(BASELINE), "--port", str(port)]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_the_server_binds_loopback_in_production_mode_and_offline(tmp_path):
    command, env = server_command(viz_args(str(BASELINE), "--port", "8799", "--seed", "5"))
    assert command[:5] == [sys.executable, "-m", "solara", "run", "sim.viz.app"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8799"
    assert "--production" in command and "--no-open" in command
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env[ENV_SCENARIO] == str(BASELINE.resolve()) and env[ENV_SEED] == "5"
    settings = launch_settings(env)
    assert settings.scenario == BASELINE.resolve() and settings.seed == 5
    assert Path(env[ENV_PRESETS]) == (ROOT / "scenarios").resolve()


def test_without_a_scenario_the_baseline_preset_opens():
    _, env = server_command(viz_args("--presets", str(ROOT / "scenarios")))
    assert Path(env[ENV_SCENARIO]).name == "unlimited-responsibility.yaml"


@pytest.mark.parametrize("typed, seed", [("7", 7), (" 42 ", 42), ("0", 0)])
def test_a_typed_seed_is_a_whole_number(typed, seed):
    assert parse_seed(typed) == seed


@pytest.mark.parametrize("typed", ["", "x", "7.0", "-1", "1e3", "0x10", "٣", str(2**63)])
def test_anything_else_typed_as_a_seed_is_refused(typed):
    with pytest.raises(ValueError, match="seed"):
        parse_seed(typed)


def test_every_lever_the_panel_offers_exists_in_the_schema_with_a_range_inside_its_bounds():
    offered = available_levers()
    baseline = load_scenario(BASELINE)
    for lever in offered:
        if lever.kind == "bool":
            continue
        low, high = schema_bounds(lever.path)
        assert low is None or lever.low >= low, lever.path
        assert high is None or lever.high <= high, lever.path
        # both ends are values the schema accepts (an `lt` bound is not)
        for end in (lever.low, lever.high):
            value = int(end) if lever.kind == "int" else float(end)
            with_overrides(baseline, {lever.path: value})
        assert lever.low < lever.high and 0 < lever.step <= (lever.high - lever.low) / 5, lever.path


def test_the_panel_offers_every_number_and_switch_of_the_regime_and_behaviour_sections():
    """Derived from the schema walker: a lever added to the schema is in the panel."""
    from sim.scenario_io import schema_fields

    expected = {
        path for path, field in schema_fields(Scenario)
        if (path.startswith(("levers.", "self_governance.", "staff.")) or path == "structure.heterogeneity_cv")
        and "[]" not in path and field.annotation in (bool, int, float, int | None, float | None)
    }
    offered = {lever.path for lever in available_levers()}
    assert offered == expected
    for path in ("levers.campaigns_per_year", "levers.coping_threshold_days", "levers.box_ticking_effort_share",
                 "levers.rework_probability", "levers.blame_decay", "levers.documentation_overhead",
                 "levers.audit_rate", "levers.compliance_learning_rate", "levers.leak_sanction",
                 "structure.heterogeneity_cv", "self_governance.latent_hours_per_committee_day",
                 "levers.demand_multiplier", "levers.extra_committee_staff_per_street"):
        assert path in offered, path
    # a hint names only fields the schema has (a renamed field would leave it behind)
    assert set(LEVER_HINTS) <= {path for path, _ in schema_fields(Scenario)}


def test_a_lever_new_to_the_schema_appears_with_a_label_and_a_range_from_its_bounds():
    from pydantic import Field

    from sim.config import Levers, Staff

    class NewLevers(Levers):
        pressure_of_rankings: float = Field(default=0.2, ge=0.0, le=1.0, description="a new lever")
        hours_of_meetings: float = Field(default=6.0, ge=0.0, le=1000.0)
        strict_mode: bool = False

    class NewStaff(Staff):
        posts_frozen: int = Field(default=2, ge=0, le=500)

    class NewScenario(Scenario):
        levers: NewLevers = NewLevers()
        staff: NewStaff = NewStaff()

    offered = {lever.path: lever for lever in available_levers(NewScenario)}
    pressure = offered["levers.pressure_of_rankings"]
    assert (pressure.label, pressure.kind, pressure.low, pressure.high) == ("Pressure of rankings", "float", 0, 1)
    assert pressure.group == "more" and pressure.help == "a new lever"
    meetings = offered["levers.hours_of_meetings"]
    assert (meetings.low, meetings.high, meetings.step) == (0.0, 25.0, 0.25)  # about 4 x the default, round
    assert offered["levers.strict_mode"].kind == "bool"
    posts = offered["staff.posts_frozen"]
    assert (posts.kind, posts.group, posts.low, posts.high, posts.step) == ("int", "staff", 0, 10, 1)


def test_a_lever_that_may_be_absent_is_switched_on_at_a_sensible_value_and_off_to_none():
    scenario = load_scenario(BASELINE)
    levers, values = levers_for(scenario)
    coping = next(lv for lv in levers if lv.path == "levers.coping_threshold_days")
    assert coping.optional and coping.start == values["levers.coping_threshold_days"] == 3.0
    cleared = {**values, "levers.coping_threshold_days": None}
    assert overrides(scenario, cleared) == {"levers.coping_threshold_days": None}
    streets = next(lv for lv in levers if lv.path == "levers.street_push_down_propensity")
    assert values[streets.path] is None and streets.start == scenario.levers.push_down_propensity


def test_a_preset_fills_the_panel_with_its_own_values():
    _, values = levers_for(load_scenario(GATED))
    assert values["levers.street_gate.enabled"] is True
    assert values["levers.committee_gate.enabled"] is True


def test_only_levers_moved_away_from_the_file_become_overrides():
    scenario = load_scenario(BASELINE)
    _, values = levers_for(scenario)
    assert overrides(scenario, values) == {}
    moved = {**values, "levers.push_down_propensity": 0.25, "levers.service_stations_per_street": 2.0}
    assert overrides(scenario, moved) == {"levers.push_down_propensity": 0.25, "levers.service_stations_per_street": 2}


def test_a_preset_value_outside_a_slider_widens_the_slider():
    scenario = load_scenario(BASELINE)
    busy = scenario.model_copy(update={"levers": scenario.levers.model_copy(update={"assessment_intensity": 7.5})})
    assert isinstance(busy, Scenario)
    levers, _ = levers_for(busy)
    slider = next(lv for lv in levers if lv.path == "levers.assessment_intensity")
    assert slider.high == 7.5


def test_a_slider_can_land_on_every_preset_value():
    """A slider snaps to its step; a preset value off the grid would be changed silently."""
    for preset in sorted((ROOT / "scenarios").glob("*.yaml")):
        levers, values = levers_for(load_scenario(preset))
        for lever in levers:
            if lever.kind != "bool":
                value = values[lever.path] if values[lever.path] is not None else lever.start
                steps = (value - lever.low) / lever.step
                assert abs(steps - round(steps)) < 1e-6, (preset.name, lever.path, values[lever.path])


def test_a_host_that_is_no_address_is_blamed_not_the_port(capsys):
    assert main(["viz", str(BASELINE), "--host", "999.1.1.1", "--port", "8797"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --host: "), err
    assert "999.1.1.1" in err[0] and "--port" not in err[0]


def test_a_host_of_another_machine_is_blamed_not_the_port(capsys):
    assert main(["viz", str(BASELINE), "--host", "192.0.2.1", "--port", "8797"]) == 2  # TEST-NET-1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --host: cannot listen on this address"), err


def test_serving_beyond_loopback_warns_that_the_model_is_open_to_the_network(monkeypatch, capsys):
    import sim.viz.cli as viz_cli
    from sim.viz.browser import free_port

    started = []
    monkeypatch.setattr(viz_cli.os, "execve", lambda *a: started.append(a))
    assert main(["viz", str(BASELINE), "--host", "0.0.0.0", "--port", str(free_port("0.0.0.0"))]) == 0
    err = capsys.readouterr().err
    assert started, "the server was not started"
    assert "warning: --host 0.0.0.0 is not a loopback address" in err
    assert "anyone who can reach this machine" in err
    started.clear()
    assert main(["viz", str(BASELINE), "--port", str(free_port())]) == 0
    assert started and "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.5.5.5", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.4", False), ("example.org", False),
])
def test_which_hosts_count_as_loopback(host, loopback):
    from sim.viz.cli import is_loopback

    assert is_loopback(host) is loopback


def test_viz_and_run_share_the_default_seed():
    import inspect

    from sim.cli import build_parser
    from sim.model import TiaokuaiModel
    from sim.viz.session import Session
    from sim.viz.settings import DEFAULT_SEED

    run_default = int(build_parser().parse_args(["run", str(BASELINE)]).seed)
    assert DEFAULT_SEED == run_default
    assert launch_settings({}).seed == run_default
    assert inspect.signature(Session.start).parameters["seed"].default == run_default
    assert inspect.signature(TiaokuaiModel).parameters["seed"].default == run_default


@pytest.mark.slow  # renders the page and resets it twice (~6 s of CPU); the naming rule itself is
# test_viz_app.py::test_a_scenario_from_elsewhere_joins_the_presets_under_a_name_of_its_own
def test_the_preset_chooser_and_the_header_name_a_scenario_the_same_way(tmp_path, monkeypatch):
    """A file whose `name` differs from its file name is offered under its name, and the
    header over the views says the same after it is chosen and Reset."""
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "my-draft.yaml").write_text(f"extends: {BASELINE}\nname: lists for the district meeting\n")
    (presets / "unlimited-responsibility.yaml").write_text(BASELINE.read_text())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "unlimited-responsibility.yaml").write_text(BASELINE.read_text())
    with rendered_page(monkeypatch, elsewhere / "unlimited-responsibility.yaml", seed=2, presets=presets) as rc:
        chooser = rc.find(v.Select, label="Preset").widget
        header = lambda: rc.find(v.Html, class_="tk-running").widget.children[0]  # noqa: E731
        assert chooser.v_model == "unlimited-responsibility (elsewhere)"
        assert header() == "unlimited-responsibility (elsewhere), seed 2"
        assert set(chooser.items) == {
            "unlimited-responsibility (elsewhere)", "unlimited-responsibility", "lists for the district meeting",
        }
        for entry in chooser.items[1:]:  # the first is the one the page opened on, checked above
            rc.find(v.Select, label="Preset").widget.v_model = entry
            rc.find(v.Btn, children=["Reset"]).widget.click()
            assert header() == f"{entry}, seed 2"
