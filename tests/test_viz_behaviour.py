"""The view shows the behaviours' state (issue 15): for each office level, where blame sits,
formalism and documentation as shares of hours, senders' learned leak propensity,
committees' participation and unserved self-governance, ranking pressure (offices
sanctioned, administrative work) and burnout (strain, staff on hand). Each series exists, follows its
lever (off: flat at nothing; on: it moves), and is drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.viz.behaviour import BLAME_SHARE, MEASURES, SHARE_WINDOW_DAYS, STAFF_SHARE, STRAIN, UNMET, state_row
from sim.viz.session import Session

ROOT = Path(__file__).resolve().parents[1]
DAYS = 45  # past the second monthly ranking (day 42): the first finds nothing overdue yet
OVERLOADED = {"levers.demand_multiplier": 1.4}  # backlogs past the coping threshold, overdue work, blame


@pytest.fixture(scope="module")
def small_presets(tmp_path_factory) -> dict[str, Path]:
    """The presets shrunk to 2 departments, 3 streets and 24 committees, DAYS days."""
    folder = tmp_path_factory.mktemp("small")
    out = {}
    for name in ("unlimited-responsibility", "leaky-admission-list"):
        path = folder / f"{name}.yaml"
        path.write_text(
            f"extends: {ROOT / 'scenarios' / name}.yaml\nname: small {name}\ndays: {DAYS}\nwarmup_days: 10\n"
            "structure: {departments_per_district: 2, streets_per_district: 3, committees_per_street: 8,"
            " social_organisation_pool_per_district: 10}\n"
        )
        out[name] = path
    return out


def view(path: Path, values: dict) -> list[dict]:
    session = Session.start(path, values, seed=3)
    session.step(DAYS)
    return session.history


def column(rows: list[dict], key: str) -> np.ndarray:
    return np.array([row.get(key, np.nan) for row in rows], dtype=float)


@pytest.fixture(scope="module")
def overloaded_session(small_presets) -> Session:
    """The small unlimited-responsibility city at 1.4 times the demand, after DAYS days."""
    session = Session.start(small_presets["unlimited-responsibility"], OVERLOADED, seed=3)
    session.step(DAYS)
    return session


@pytest.fixture(scope="module")
def overloaded(overloaded_session) -> list[dict]:
    return overloaded_session.history


def test_every_day_carries_each_behaviours_state_per_level(overloaded):
    assert len(overloaded) == DAYS
    row = overloaded[-1]
    for measure in MEASURES:
        for level in measure.levels:
            if level.label != "station":  # this city has no service stations
                assert np.isfinite(row[measure.key(level)]), measure.key(level)
        if measure.pooled:
            assert measure.pooled in row
    for level in ("department", "street", "committee"):
        assert f"{level}_{BLAME_SHARE}" in row
    assert "station_formalism_share" not in row  # a level without offices draws no line
    assert UNMET in row and "committee_backlog_hours" in row  # the model's own daily history is kept
    for level in ("department", "street", "committee"):  # burnout, on every day the session stepped
        assert all(np.isfinite(r[f"{level}_{STRAIN}"]) and 0 < r[f"{level}_{STAFF_SHARE}"] <= 1 for r in overloaded)


def test_under_unlimited_responsibility_blame_and_formalism_sit_with_the_committees(overloaded):
    last = overloaded[-1]
    assert last[f"committee_{BLAME_SHARE}"] == 1.0 and last[f"department_{BLAME_SHARE}"] == 0.0
    assert last["committee_formalism_share"] > 0.2 > last["department_formalism_share"]
    assert 0 < last["formalism_hours_share"] < last["committee_formalism_share"]  # pooled over all levels


@pytest.mark.parametrize(
    "preset, lever, off, on, key",
    [
        ("unlimited-responsibility", "levers.coping_threshold_days", None, None, "committee_formalism_share"),
        ("unlimited-responsibility", "levers.documentation_overhead", 0.0, None, "committee_documentation_share"),
        ("unlimited-responsibility", "self_governance.participation_decay", 0.0, None, "committee_participation"),
        ("leaky-admission-list", "levers.compliance_learning_rate", 0.0, None, "department_leak_propensity"),
        ("unlimited-responsibility", "staff.strain_buildup", 0.0, None, "committee_strain"),
        ("unlimited-responsibility", "levers.ranking_pressure", 0.0, None, "committee_sanctioned_share"),
    ],
)
def test_each_series_follows_its_lever(small_presets, overloaded, preset, lever, off, on, key):
    """`on`: the lever's value in the run that shows the behaviour (None: the preset's)."""
    base = OVERLOADED if preset == "unlimited-responsibility" else {}
    if on is None:
        on_rows = overloaded if preset == "unlimited-responsibility" else view(small_presets[preset], {})
    else:
        on_rows = view(small_presets[preset], {**base, lever: on})
    off_rows = view(small_presets[preset], {**base, lever: off})
    on_values, without = column(on_rows, key), column(off_rows, key)
    assert not np.array_equal(on_values, without), f"{key} does not move with {lever}"
    if key == "committee_participation":  # without decay, neglect costs no participation
        assert without.min() >= without[0] - 1e-12 and on_values[-1] < without[-1]
    else:  # off, the behaviour leaves nothing; on, it shows
        assert np.all(without == 0) and on_values.max() > 0


def test_shares_of_hours_are_taken_over_a_window_and_stocks_on_the_day():
    level = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    day = {
        "offices": np.array([1.0, 1.0, 0.0, 2.0, 0.0]),
        "hours_used": level * 10,
        "formalism_hours": level * 30,  # box-ticked hours counted on the day of box-ticking
        "documentation_hours": level * 1,
        "blame_stock": np.array([1.0, 0.0, 0.0, 3.0, 0.0]),
        "leak_propensity": np.array([0.2, 0.4, 0.0, 0.0, 0.0]),
        "participation": level * 1.0,
        "self_governance_demand_hours": level * 8,
        "self_governance_taken_hours": level * 2,
        "sanctioned": np.array([0.0, 1.0, 0.0, 1.0, 0.0]),
        "administrative_hours": level * 4,
    }
    quiet = {**day, "formalism_hours": level * 0, "participation": level * 0.5}
    row = state_row([quiet] * (SHARE_WINDOW_DAYS - 1) + [day])
    assert row["committee_formalism_share"] == pytest.approx(30 / (10 * SHARE_WINDOW_DAYS))
    assert row["committee_documentation_share"] == pytest.approx(0.1)
    assert row["committee_participation"] == 0.5  # the last day's stock, per committee
    assert row["department_leak_propensity"] == 0.2 and row["street_leak_propensity"] == 0.4
    assert row[f"committee_{BLAME_SHARE}"] == 0.75 and row[f"department_{BLAME_SHARE}"] == 0.25
    assert row[UNMET] == 0.75
    assert row["committee_sanctioned_share"] == 0.5 and row["sanctioned_offices_share"] == pytest.approx(2 / 3)
    assert row["committee_administrative_share"] == pytest.approx(0.4)
    assert "station_formalism_share" not in row


def test_the_plots_draw_the_behaviours_and_the_table_says_where_blame_sits(overloaded):
    from sim.viz.plots import BEHAVIOUR_PANELS, PANELS, PlotsCanvas, latest

    canvas = PlotsCanvas(250, with_stations=False)
    picture = canvas.render(overloaded)
    assert picture[:4] == b"\x89PNG"
    drawn = {key: line for key, line in canvas.lines}
    for panel in (*PANELS, *BEHAVIOUR_PANELS):
        shown = [key for key, *_ in panel.series if key in drawn]
        assert shown and any(np.isfinite(drawn[key].get_ydata()).any() for key in shown), panel.title
    assert any("formalism (box-ticked work)" in panel.title for panel in BEHAVIOUR_PANELS)  # the registry's label
    rows = dict(latest(overloaded, with_stations=False).rows)
    assert rows["blame stock held by"] == "committees 100%"
    assert float(rows["formalism (box-ticked work), share of hours"].rstrip("%")) > 0


def test_the_hierarchy_can_be_coloured_by_each_behaviours_state(overloaded_session):
    from sim.viz.network import COLOURINGS, NetworkCanvas, colour_values, frame_of

    layout, model = overloaded_session.layout, overloaded_session.model
    committees = np.array([label.startswith("committee") for label in layout.label])
    blame = colour_values(model, layout, "blame")
    assert blame[committees].max() > 0 and np.all(blame[~committees] == 0)  # blame sits with the committees
    participation = colour_values(model, layout, "participation")
    assert np.all(np.isfinite(participation[committees])) and np.all(np.isnan(participation[~committees]))
    leak = colour_values(model, layout, "leak")
    assert np.all(np.isnan(leak[committees]))
    assert np.all(colour_values(model, layout, "strain") >= 0)
    pictures = {c.name: NetworkCanvas(layout, colouring=c).render(frame_of(model, layout, c)) for c in COLOURINGS}
    assert len(set(pictures.values())) == len(COLOURINGS)  # each colouring draws its own picture
