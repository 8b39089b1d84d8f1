"""Every scenario shipped in scenarios/ validates and runs."""

from pathlib import Path

import pytest

from sim import load_scenario, run

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml"))


def test_the_five_core_presets_and_the_mechanism_presets_exist():
    names = {p.stem for p in FILES}
    assert {
        "unlimited-responsibility",
        "admission-list",
        "leaky-admission-list",
        "resources-follow-tasks",
        "gate-and-resources",
        "service-stations",
        "purchased-services",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_shipped_scenario_validates_and_runs(path):
    scenario = load_scenario(path)
    result = run(scenario, seed=1, days=min(scenario.days, 30), timeseries=False)
    s = result.summary
    assert s["tasks_created"] > 0
    assert s["tasks_created"] + s["formalism_reworks_total"] == s["tasks_done"] + s["tasks_abandoned"] + s["tasks_open"]
