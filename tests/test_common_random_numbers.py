"""Common random numbers: demand comes from streams of its own, so two regimes on one seed
face exactly the same tasks (kind, origin office, day, effort); data sharing drops
redundant tasks after they are drawn; the demand multiplier scales arrivals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import TiaokuaiModel, load_scenario, with_overrides
from sim.draws import Decision, binomial_by_inversion
from sim.rules import arrivals
from sim.streams import STREAMS, spawn_streams
from sim.world import World

ROOT = Path(__file__).resolve().parents[1]
# every pair of presets describing one city meets the same tasks day by day over 30 days:
# tests/test_viz_same_world.py (the side-by-side view's promise, checked on the model)


def first_day_tasks(scenario) -> dict[str, np.ndarray]:
    world = World.build(scenario, seed=4)
    world.begin_day()
    arrivals.arrive(world)
    t = world.tasks
    return {name: getattr(t, name).copy() for name in ("kind", "holder", "territory", "responsible", "effort_total")}


def test_stations_shift_committees_roster_rows_but_not_the_tasks_they_get():
    base = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    plain = World.build(base, seed=4)
    stations = with_overrides(base, {"levers.service_stations_per_street": 3})
    shift = int(World.build(stations, seed=4).topology.first[3] - plain.topology.first[3])
    assert shift > 0
    a, b = first_day_tasks(base), first_day_tasks(stations)
    assert np.array_equal(a["kind"], b["kind"]) and np.array_equal(a["effort_total"], b["effort_total"])
    committee_first = plain.topology.first[3]
    on_committee = a["holder"] >= committee_first
    assert np.array_equal(a["holder"] + shift * on_committee, b["holder"])
    assert np.array_equal(a["territory"] + shift, b["territory"])


def test_data_sharing_drops_redundant_tasks_after_they_are_drawn():
    base = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    sharing = with_overrides(base, {"levers.data_sharing": True})
    a, b = first_day_tasks(base), first_day_tasks(sharing)
    redundant_kinds = np.flatnonzero([k.redundant_share > 0 for k in base.task_kinds])
    assert redundant_kinds.size
    dropped = np.isin(a["kind"], redundant_kinds)
    assert b["kind"].size < a["kind"].size
    # every other task is the same task, in the same order
    keep_b = ~np.isin(b["kind"], redundant_kinds)
    for name in a:
        assert np.array_equal(a[name][~dropped], b[name][keep_b]), name
    # about redundant_share of the redundant kind is dropped
    share = base.task_kinds[redundant_kinds[0]].redundant_share
    kept = (b["kind"] == redundant_kinds[0]).sum() / (a["kind"] == redundant_kinds[0]).sum()
    assert kept == pytest.approx(1 - share, abs=0.05)


def test_the_demand_multiplier_scales_every_arrival_rate():
    base = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    counts = {m: first_day_tasks(with_overrides(base, {"levers.demand_multiplier": m}))["kind"].size for m in (0, 1, 2)}
    assert counts[0] == 0
    assert counts[2] / counts[1] == pytest.approx(2.0, rel=0.03)


def test_streams_are_independent_and_reproducible():
    a, b = spawn_streams(7), spawn_streams(7)
    draws = [getattr(a, name).random() for name in STREAMS]
    assert draws == [getattr(b, name).random() for name in STREAMS]
    assert len(set(draws)) == len(STREAMS)


def test_rework_of_box_ticked_work_is_not_an_arrival():
    """Coping sends box-ticked work back as new ledger rows in the overloaded regime only;
    those rows must not count as created tasks, or the regimes' arrivals would part."""
    days = 80
    runs = {}
    for name in ("unlimited-responsibility", "admission-list"):
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml").model_copy(update={"days": days, "warmup_days": 5})
        model = TiaokuaiModel(scenario, seed=1)
        for _ in range(days):
            model.step()
        runs[name] = ([row["tasks_created"] for row in model.history], model.summary())
    (created_u, s_u), (created_a, s_a) = runs["unlimited-responsibility"], runs["admission-list"]
    assert s_u["formalism_reworks_total"] > s_a["formalism_reworks_total"]  # the regimes do differ in rework
    assert created_u == created_a
    for s in (s_u, s_a):
        assert s["tasks_created"] + s["formalism_reworks_total"] == s["tasks_done"] + s["tasks_abandoned"] + s["tasks_open"]


def decisions_met(name: str, days: int, monkeypatch, **overrides) -> dict[tuple, float]:
    """Every decision draw tasks met in a run of preset `name`: (task, decision, attempt) -> draw,
    a task known by what it is (day created, kind, effort drawn), not by its ledger row."""
    met: dict[tuple, float] = {}
    original = World.task_uniforms

    def recording(world, rows, decision, attempt=0):
        u = original(world, rows, decision, attempt)
        t = world.tasks
        tries = np.broadcast_to(np.asarray(attempt), rows.shape)
        for created, kind, effort, k, draw in zip(t.created[rows], t.kind[rows], t.effort_total[rows], tries, u):
            met[(int(created), int(kind), float(effort), int(decision), int(k))] = float(draw)
        return u

    monkeypatch.setattr(World, "task_uniforms", recording)
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    scenario = with_overrides(scenario, {"days": days, "warmup_days": 5, **overrides})
    model = TiaokuaiModel(scenario, seed=3)
    for _ in range(days):
        model.step()
    monkeypatch.undo()
    return met


def test_a_task_meets_the_same_decision_draws_in_every_regime(monkeypatch):
    """Decisions are common random numbers too (sim.draws): the same task meets the same
    draw whichever regime decides on it, however many other decisions the regime takes."""
    days = 20  # tens of thousands of shared draws, of the same kinds of decision as in 40 days
    base = decisions_met("unlimited-responsibility", days, monkeypatch)
    for other, overrides in (("admission-list", {}), ("service-stations", {}),
                             ("purchased-services", {"levers.data_sharing": True})):
        met = decisions_met(other, days, monkeypatch, **overrides)
        shared = base.keys() & met.keys()
        kinds_of_decision = {key[3] for key in shared}
        assert len(shared) > 1000 and len(kinds_of_decision) >= 2, other
        assert all(base[key] == met[key] for key in shared), other


def test_decisions_drawn_from_another_seed_leave_demand_alone():
    """The variance decomposition's tool: decisions from another seed, the same tasks."""
    scenario = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    scenario = scenario.model_copy(update={"days": 20, "warmup_days": 5})
    runs = {}
    for decision_seed in (None, 99):
        model = TiaokuaiModel(scenario, seed=1, decision_seed=decision_seed)
        for _ in range(scenario.days):
            model.step()
        runs[decision_seed] = model.summary()
    same, other = runs[None], runs[99]
    assert same["tasks_created"] == other["tasks_created"]
    assert same["effort_created_hours_total"] == other["effort_created_hours_total"]
    assert same["tasks_done"] != other["tasks_done"] or same["tasks_open"] != other["tasks_open"]


def test_an_office_meets_the_same_staff_draws_in_every_regime():
    """Who leaves is an office's own draw of the day (sim.draws), keyed by level and position:
    stations shift committees' roster rows but not their draws."""
    base = load_scenario(ROOT / "scenarios" / "unlimited-responsibility.yaml")
    plain = World.build(base, seed=4)
    stations = World.build(with_overrides(base, {"levers.service_stations_per_street": 2}), seed=4)
    for world in (plain, stations):
        world.begin_day()
    committees = [np.flatnonzero(w.roster.level == 3) for w in (plain, stations)]
    draws = [w.office_uniforms(Decision.STAFF_LEAVES, columns=2)[c] for w, c in zip((plain, stations), committees)]
    assert np.array_equal(draws[0], draws[1])
    assert len(np.unique(draws[0])) == draws[0].size
    plain.begin_day()
    assert not np.array_equal(plain.office_uniforms(Decision.STAFF_LEAVES)[committees[0]], draws[0][:, 0])


def test_leavers_drawn_by_inversion_follow_the_binomial_and_rise_with_strain():
    u = np.random.default_rng(5).random(100_000)
    n = np.full(u.size, 20)
    low, high = binomial_by_inversion(u, n, 0.01), binomial_by_inversion(u, n, 0.2)
    assert low.mean() == pytest.approx(0.2, rel=0.03) and low.var() == pytest.approx(20 * 0.01 * 0.99, rel=0.03)
    assert high.mean() == pytest.approx(4.0, rel=0.02) and high.var() == pytest.approx(20 * 0.2 * 0.8, rel=0.03)
    assert np.all(high >= low)  # the same draw, more strain: at least as many leave
