"""Outcomes are declared once (sim/outcomes.py): the summary, the per-day series, the
units and the README's table all follow the registry; a run's result cannot change."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from sim import TiaokuaiModel, load_scenario, run
from sim.outcomes import DAILY, DAILY_KEYS, SUMMARY, SUMMARY_KEYS, readme_table
from sim.sweep.units import describe

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(ROOT / "scenarios" / "service-stations.yaml"), seed=3, days=25)


def test_the_summary_has_exactly_the_registrys_keys_in_its_order(result):
    assert tuple(result.summary) == SUMMARY_KEYS


def test_the_history_has_exactly_the_registrys_daily_series():
    model = TiaokuaiModel(load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml"), seed=1)
    model.step()
    assert tuple(model.history[0]) == ("day", *DAILY_KEYS)
    assert set(model.datacollector.get_model_vars_dataframe().columns) == set(DAILY_KEYS)


def test_every_outcome_has_a_label_a_unit_field_a_window_and_a_direction_from_the_allowed_set():
    for o in (*SUMMARY, *DAILY):
        assert o.label and o.window, o.name
        assert o.better in ("higher", "lower", None), o.name


def test_compare_takes_labels_and_units_from_the_registry():
    for o in SUMMARY:
        assert describe(o.name) == (o.label, o.unit)


def test_readme_outcome_table_is_the_registrys():
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- outcome table:[^\n]*-->\n(.*?)\n\n", text, re.S)
    assert match, "README.md lost its generated outcome table"
    assert match.group(1) == readme_table(), (
        "README.md's outcome table differs from sim/outcomes.py; paste this:\n" + readme_table()
    )


def test_a_result_cannot_be_changed(result):
    with pytest.raises(TypeError):
        result.summary["tasks_done"] = 0
    with pytest.raises(TypeError):
        result.summary.update(tasks_done=0)
    with pytest.raises(AttributeError):
        result.summary = {}
    table = result.timeseries
    table.loc[0, "staff"] = -1
    table["extra"] = 1
    assert result.timeseries.loc[0, "staff"] != -1 and "extra" not in result.timeseries
    copy = dict(result.summary)
    copy["tasks_done"] = 0
    assert result.summary["tasks_done"] != 0


def test_a_result_pickles_for_process_and_dask_workers(result):
    back = pickle.loads(pickle.dumps(result))
    assert tuple(back.summary) == tuple(result.summary)
    assert all(
        a == b or (a != a and b != b) for a, b in zip(back.summary.values(), result.summary.values())
    )
    assert back.timeseries.equals(result.timeseries)
    with pytest.raises(TypeError):
        back.summary["seed"] = 0


def day_record(done: float, on_time: float) -> dict:
    from sim.levels import N_LEVELS

    rec = {"tasks_done": np.zeros(N_LEVELS), "tasks_done_on_time": np.zeros(N_LEVELS)}
    rec["tasks_done"][3], rec["tasks_done_on_time"][3] = done, on_time
    return rec


def test_the_first_crisis_is_the_first_day_after_warm_up_whose_rolling_on_time_share_falls_below_the_threshold():
    from sim.metrics import days_to_first_crisis

    calm = [day_record(10, 10)] * 12
    assert days_to_first_crisis(calm, warm=2) == 13, "never: the horizon + 1"
    # day 4 alone is bad, but its 5-day window (days 1-4: 40 done, 31 on time) is 0.775 < 0.8
    days = [day_record(10, 10)] * 3 + [day_record(10, 1)] + [day_record(10, 10)] * 8
    assert days_to_first_crisis(days, warm=0) == 4
    # after warm-up (day 5 on) every window holding day 4 has 50 done, 41 on time: 0.82, no crisis
    assert days_to_first_crisis(days, warm=4) == 13
    # a bad day inside the window after warm-up counts
    assert days_to_first_crisis(days, warm=3) == 4
    assert days_to_first_crisis([day_record(0, 0)] * 6, warm=0) == 7, "days with nothing done are no crisis"


def test_a_matched_cost_arm_giving_stations_headcount_to_committees_costs_the_same_and_has_the_same_staff():
    from sim import with_overrides

    stations = load_scenario(ROOT / "scenarios" / "service-stations.yaml")
    per_street = stations.levers.service_stations_per_street * stations.levers.station_staff
    matched = with_overrides(stations, {"levers.service_stations_per_street": 0,
                                        "levers.extra_committee_staff_per_street": per_street})
    a = run(stations, seed=2, days=5, timeseries=False).summary
    b = run(matched, seed=2, days=5, timeseries=False).summary
    streets = stations.structure.districts * stations.structure.streets_per_district
    hourly = stations.staff.hourly_cost * stations.staff.hours_per_day
    assert a["regime_cost_yuan_per_day"] == b["regime_cost_yuan_per_day"] == per_street * streets * hourly
    assert a["staff_total"] == b["staff_total"]
    assert a["effort_created_hours_total"] == b["effort_created_hours_total"]
