"""The side-by-side view's promise, at the level of the model: two presets on one seed face
the same world, day by day, so the difference strip shows the regime and not chance.

For every pair of shipped presets that describe the same city (structure, kinds of work,
demand, assessments and data sharing; in practice every preset but `city-scale`): the
same tasks created on each of the first 30 days and the same effort drawn by the end of
each day (`effort_created_hours_total`). Common random numbers make this hold: demand is
drawn from streams of its own, which no regime's decision touches.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from sim import TiaokuaiModel, load_scenario
from sim.viz.comparison import Comparison

ROOT = Path(__file__).resolve().parents[1]
PRESETS = sorted((ROOT / "scenarios").glob("*.yaml"))
DAYS = 30
SEED = 11


def world_of(scenario) -> str:
    """What fixes the demand a city faces, whatever its regime."""
    levers = scenario.levers
    return json.dumps(
        {
            "structure": scenario.structure.model_dump(mode="json"),
            "task_kinds": [k.model_dump(mode="json") for k in scenario.task_kinds],
            "demand": getattr(levers, "demand_multiplier", 1.0),
            "assessments": [levers.assessment_intensity, levers.committee_assessment_intensity],
            "data_sharing": levers.data_sharing,
        },
        sort_keys=True,
    )


def drawn(path: Path) -> list[tuple[int, float]]:
    """New tasks by the end of each of the first DAYS days (`tasks_created` counts arrivals,
    not the rework of box-ticked work, which the regime causes), and the effort drawn by then."""
    model = TiaokuaiModel(load_scenario(path), seed=SEED)
    out = []
    for _ in range(DAYS):
        model.step()
        summary = model.summary()
        arrived = int(summary["tasks_created"])
        out.append((arrived, float(summary["effort_created_hours_total"])))
    return out


@pytest.fixture(scope="module")
def worlds() -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in PRESETS:
        groups.setdefault(world_of(load_scenario(path)), []).append(path)
    return groups


def test_the_district_presets_describe_one_city(worlds):
    district = max(worlds.values(), key=len)
    assert len(district) >= 7, [p.stem for p in district]
    assert "unlimited-responsibility" in {p.stem for p in district}
    assert "admission-list" in {p.stem for p in district}


def test_every_pair_of_presets_faces_the_same_world_over_the_first_30_days(worlds):
    checked = 0
    for group in worlds.values():
        if len(group) < 2:  # a city no other preset describes (city-scale): nothing to compare
            continue
        records = {path.stem: drawn(path) for path in group}
        for (a, left), (b, right) in itertools.combinations(records.items(), 2):
            for day, ((n_left, e_left), (n_right, e_right)) in enumerate(zip(left, right), start=1):
                assert n_left == n_right, f"{a} vs {b}: new tasks differ by day {day} ({n_left} vs {n_right})"
                assert e_left == pytest.approx(e_right, rel=1e-12), f"{a} vs {b}: effort differs by day {day}"
            checked += 1
    assert checked >= 21  # the seven district presets, pairwise


def test_the_comparison_view_reports_the_same_world_for_two_regimes():
    comparison = Comparison.start(ROOT / "scenarios" / "unlimited-responsibility.yaml",
                                  ROOT / "scenarios" / "admission-list.yaml", seed=SEED)
    comparison.step(DAYS)
    check = comparison.world_check()
    assert check.same and check.effort_known and check.days == DAYS, check
    left, right = comparison.drawn
    assert [d.tasks_today for d in left] == [d.tasks_today for d in right]
    assert left[-1].effort_total == pytest.approx(right[-1].effort_total, rel=1e-12)
    # ... while the regimes do differ: the strip has something to show
    assert abs(comparison.differences("committee_self_governance_share")).max() > 0
