"""The hierarchy's drawing: a fixed layered layout, computed once, merged at city scale.

Pure functions over offices shaped like the model's, plus the real model for the rules
that must hold for what `tiaokuai viz` actually draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from sim import TiaokuaiModel, load_scenario
from sim.viz.layout import LEVELS, layered_layout

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "unlimited-responsibility.yaml"

# sim.viz.network and sim.viz.plots (Matplotlib) are imported in the tests that draw, not
# here: every pytest-xdist worker imports this file, and only one runs it


@dataclass
class Office:
    idx: int
    level: str
    parent_idx: int
    district: int
    label: str


def small_city(districts=2, departments=3, streets=2, committees=4, stations=1, organisations=2):
    """Offices in the model's order: departments, streets, stations, committees, organisations."""
    rows: list[tuple[str, int, int]] = []  # (level, district, street position or -1)
    for d in range(districts):
        rows += [("department", d, -1)] * departments
    street_idx = []
    for d in range(districts):
        for _ in range(streets):
            street_idx.append(len(rows))
            rows.append(("street", d, -1))
    for kind, per_street in (("station", stations), ("committee", committees)):
        for s in street_idx:
            rows += [(kind, rows[s][1], s)] * per_street
    for d in range(districts):
        rows += [("social_organisation", d, -1)] * organisations
    return [Office(i, lv, p, d, f"{lv} {i}") for i, (lv, d, p) in enumerate(rows)]


def test_rows_run_from_departments_at_the_top_to_social_organisations_at_the_bottom():
    layout = layered_layout(small_city())
    order = [lv for lv in LEVELS if lv in layout.row_y]
    heights = [layout.row_y[lv] for lv in order]
    assert order == list(LEVELS)
    assert heights == sorted(heights, reverse=True)


def test_every_office_is_drawn_once_and_positions_lie_within_the_frame():
    offices = small_city()
    layout = layered_layout(offices)
    assert layout.n_offices == len(offices)
    assert layout.members.sum() == len(offices)
    assert np.all((layout.x >= 0) & (layout.x <= 1))


def test_a_street_sits_above_the_middle_of_its_committees():
    offices = small_city(committees=5)
    layout = layered_layout(offices)
    for street in (o for o in offices if o.level == "street"):
        xs = [layout.x[layout.node_of[o.idx]] for o in offices if o.level == "committee" and o.parent_idx == street.idx]
        assert layout.x[layout.node_of[street.idx]] == pytest.approx((min(xs) + max(xs)) / 2)


def test_districts_occupy_separate_bands():
    offices = small_city(districts=3)
    layout = layered_layout(offices)
    spans = sorted(layout.district_spans, key=lambda s: s[1])
    for (_, _, right), (_, left, _) in zip(spans, spans[1:]):
        assert right < left
    for o in offices:
        _, left, right = next(s for s in spans if s[0] == o.district)
        assert left <= layout.x[layout.node_of[o.idx]] <= right


def test_a_row_longer_than_the_limit_is_merged_per_street():
    offices = small_city(districts=2, streets=3, committees=10)
    layout = layered_layout(offices, max_row_nodes=20)
    assert layout.merged_levels == {"committee"}
    committee_nodes = {layout.node_of[o.idx] for o in offices if o.level == "committee"}
    assert len(committee_nodes) == 6  # one per street
    assert all(layout.members[k] == 10 for k in committee_nodes)
    assert "(10)" in layout.label[next(iter(committee_nodes))]


def test_merged_load_is_the_groups_backlog_over_the_groups_hours():
    offices = small_city(streets=1, committees=4)
    layout = layered_layout(offices, max_row_nodes=2)
    backlog = np.zeros(len(offices))
    hours = np.ones(len(offices))
    committees = [o.idx for o in offices if o.level == "committee" and o.district == 0]
    backlog[committees] = [10.0, 0.0, 30.0, 0.0]
    hours[committees] = 10.0
    node = layout.node_of[committees[0]]
    assert layout.aggregate(backlog)[node] / layout.aggregate(hours)[node] == pytest.approx(1.0)


def test_flows_between_merged_nodes_are_summed_and_flows_inside_a_node_dropped():
    offices = small_city(streets=1, committees=3, districts=1)
    layout = layered_layout(offices, max_row_nodes=2)
    street = next(o.idx for o in offices if o.level == "street")
    committees = [o.idx for o in offices if o.level == "committee"]
    flows = {(street, committees[0]): 2.0, (street, committees[1]): 3.0, (committees[0], committees[1]): 9.0}
    src, dst, hours = layout.node_flows(flows)
    assert list(zip(src, dst, hours)) == [(layout.node_of[street], layout.node_of[committees[0]], 5.0)]


def test_offices_out_of_idx_order_are_refused():
    offices = small_city()
    offices[0], offices[1] = offices[1], offices[0]
    with pytest.raises(ValueError, match="idx order"):
        layered_layout(offices)


def test_the_model_is_drawn_with_every_office_and_its_hand_offs():
    from sim.viz.network import frame_of

    model = TiaokuaiModel(load_scenario(BASELINE), seed=3)
    model.track_flows = True
    layout = layered_layout(model.offices)
    for _ in range(5):
        model.step()
    frame = frame_of(model, layout)
    assert layout.n_offices == len(model.offices)
    assert frame.edge_hours.size > 0 and np.all(frame.edge_hours > 0)
    assert frame.staff.sum() == sum(o.staff for o in model.offices)
    assert not layout.merged_levels  # a district is drawn office by office
    assert np.allclose(frame.load[layout.node_of], [o.load for o in model.offices])


def test_frames_redraw_without_recomputing_the_layout():
    from sim.viz.network import NetworkCanvas, frame_of
    from sim.viz.plots import PlotsCanvas

    model = TiaokuaiModel(load_scenario(BASELINE), seed=3)
    model.track_flows = True
    layout = layered_layout(model.offices)
    x_before = layout.x.copy()
    network, plots = NetworkCanvas(layout), PlotsCanvas(horizon=250, with_stations=False)
    pictures = []
    for _ in range(3):
        model.step()
        pictures.append((network.render(frame_of(model, layout)), plots.render(model.history)))
    assert np.array_equal(layout.x, x_before)
    assert all(p[:4] == b"\x89PNG" and q[:4] == b"\x89PNG" for p, q in pictures)
    assert pictures[0][0] != pictures[-1][0]


@pytest.mark.parametrize("value, expected", [(0.0, 1.0), (0.07, 0.1), (1.2, 2.0), (2.1, 2.5), (3.0, 5.0), (730, 1000)])
def test_plot_axes_grow_in_round_steps(value, expected):
    from sim.viz.plots import nice_ceiling

    assert nice_ceiling(value) == pytest.approx(expected)


def test_the_most_loaded_list_ranks_nodes_by_load():
    from sim.viz.network import frame_of, most_loaded

    model = TiaokuaiModel(load_scenario(BASELINE), seed=3)
    layout = layered_layout(model.offices)
    for _ in range(10):
        model.step()
    frame = frame_of(model, layout)
    top = most_loaded(layout, frame, count=4)
    loads = [load for _, load, _ in top]
    assert loads == sorted(loads, reverse=True)
    assert loads[0] == pytest.approx(frame.load[frame.backlog > 0].max())
    assert all(label in layout.label for label, _, _ in top)


@pytest.mark.slow  # builds and draws every shipped city, the city-scale one too
@pytest.mark.parametrize("preset", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_every_preset_opens_and_draws(preset):
    from sim.viz.network import NetworkCanvas, frame_of
    from sim.viz.plots import PlotsCanvas
    from sim.viz.session import Session

    session = Session.start(ROOT / "scenarios" / preset, {}, seed=1)
    network = NetworkCanvas(session.layout)
    plots = PlotsCanvas(session.horizon, "station" in session.layout.row_y)
    session.step(2)
    assert network.render(frame_of(session.model, session.layout))[:4] == b"\x89PNG"
    assert plots.render(session.model.history)[:4] == b"\x89PNG"
    assert session.layout.n_nodes <= 1200  # drawable in well under a second
