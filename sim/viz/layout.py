"""The fixed layered drawing of the hierarchy: where each office sits, computed once.

Departments form the top row, streets the next, then service stations, residents'
committees and, at the bottom, social organisations (rows with no offices are left out).
Each district owns a band of the width; inside it each street owns a span wide enough
for the committees (or stations) under it, and sits above their middle, so the lines of
command are short and never cross between districts.

A city-scale scenario has thousands of committees, and one dot each would be neither
readable nor fast. Above `max_row_nodes` offices in a row, the offices of that row are
merged per street (committees, stations) or per district (social organisations, and
departments or streets if even those are too many): one node stands for the group,
its staff is the group's staff and its load the group's backlog over the group's hours.

Nothing here draws or knows about Solara; `sim.viz.network` draws a `Layout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.levels import LEVELS  # rows from top to bottom; a level with no offices gets no row

ROW_TITLES = {
    "department": "departments",
    "street": "streets",
    "station": "service stations",
    "committee": "residents' committees",
    "social_organisation": "social organisations",
}
MAX_ROW_NODES = 240
"""Default: above this many offices in a row, the row is drawn merged per street/district."""

DISTRICT_GAP = 1.5
"""Empty slots between two districts' bands."""


class OfficeLike(Protocol):
    """What the layout reads from an office (a `sim` agent, or anything shaped like one)."""

    idx: int
    level: str
    parent_idx: int
    district: int
    label: str


@dataclass(frozen=True)
class Layout:
    """Positions of the drawn nodes and which offices each node stands for.

    `node_of[i]` is the node that office `i` (its position in `model.offices`) is drawn
    as; `x`, `y`, `level`, `label` and `size_of_group` describe the nodes.
    """

    node_of: np.ndarray  # int64, one per office
    x: np.ndarray  # float64 in [0, 1], one per node
    y: np.ndarray  # float64: row_y of the node's level
    level: tuple[str, ...]
    label: tuple[str, ...]
    members: np.ndarray  # int64: how many offices each node stands for
    merged_levels: frozenset[str]  # levels drawn one node per group
    row_y: dict[str, float]  # height of each level's row, top row highest
    district_spans: tuple[tuple[int, float, float], ...]  # (district, x_left, x_right)

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_offices(self) -> int:
        return len(self.node_of)

    def aggregate(self, values: np.ndarray) -> np.ndarray:
        """Sum a per-office quantity into per-node totals."""
        return np.bincount(self.node_of, weights=values, minlength=self.n_nodes)

    def node_flows(self, flows: dict[tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sum office-to-office flows into node-to-node flows, dropping flows inside a node.

        Returns (sender_node, receiver_node, hours) arrays, one entry per node pair.
        """
        if not flows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        pairs = np.fromiter(
            (i for pair in flows for i in pair), dtype=np.int64, count=2 * len(flows)
        ).reshape(-1, 2)
        hours = np.fromiter(flows.values(), dtype=np.float64, count=len(flows))
        known = (pairs >= 0).all(axis=1) & (pairs < self.n_offices).all(axis=1) & (hours > 0)
        src = self.node_of[pairs[known, 0]]
        dst = self.node_of[pairs[known, 1]]
        hours = hours[known]
        between = src != dst
        src, dst, hours = src[between], dst[between], hours[between]
        if len(src) == 0:
            return src, dst, hours
        key = src * self.n_nodes + dst
        uniq, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=hours)
        return uniq // self.n_nodes, uniq % self.n_nodes, total


def layered_layout(offices: Sequence[OfficeLike], max_row_nodes: int = MAX_ROW_NODES) -> Layout:
    """Place every office in its row; merge a row per street/district when it is too long."""
    n = len(offices)
    for position, office in enumerate(offices):
        if office.idx != position:
            raise ValueError(
                f"offices must be in idx order: position {position} holds idx {office.idx}"
            )
        if office.level not in LEVELS:
            raise ValueError(f"office {office.label!r} has unknown level {office.level!r}")

    level = [o.level for o in offices]
    district = np.array([int(o.district) for o in offices], dtype=np.int64)
    street_of = _street_of(offices)
    counts = {lv: level.count(lv) for lv in LEVELS}
    merged = frozenset(lv for lv in LEVELS if counts[lv] > max_row_nodes)

    # Group key of each office: offices with the same key become one node.
    group: list[tuple] = []
    for i in range(len(offices)):
        lv = level[i]
        if lv not in merged:
            group.append((lv, "office", i))
        elif lv in ("station", "committee") and street_of[i] >= 0 and counts["street"] <= max_row_nodes:
            group.append((lv, "street", int(street_of[i])))
        else:
            group.append((lv, "district", int(district[i])))
    node_key: dict[tuple, int] = {}
    node_of = np.empty(n, dtype=np.int64)
    for i, key in enumerate(group):
        node_of[i] = node_key.setdefault(key, len(node_key))
    n_nodes = len(node_key)
    members = np.bincount(node_of, minlength=n_nodes).astype(np.int64)
    first_office = np.full(n_nodes, -1, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        first_office[node_of[i]] = i

    node_level = tuple(group[first_office[k]][0] for k in range(n_nodes))
    node_district = district[first_office]
    node_street = np.array(
        [street_of[first_office[k]] for k in range(n_nodes)], dtype=np.int64
    )

    x = np.zeros(n_nodes)
    spans: list[tuple[int, float, float]] = []
    cursor = 0.0
    for d in sorted(set(district.tolist())):
        in_d = [k for k in range(n_nodes) if node_district[k] == d]
        streets = [k for k in in_d if node_level[k] == "street"]
        # Each street's span holds its widest row below (stations or committees).
        width_of: dict[int, int] = {}
        below_of: dict[int, dict[str, list[int]]] = {}
        for k in in_d:
            if node_level[k] in ("station", "committee") and node_street[k] >= 0:
                s_node = int(node_of[node_street[k]])
                below_of.setdefault(s_node, {}).setdefault(node_level[k], []).append(k)
        for s in streets:
            rows = below_of.get(s, {})
            width_of[s] = max([1] + [len(v) for v in rows.values()])
        orphans = {
            lv: [
                k
                for k in in_d
                if node_level[k] == lv
                and (node_street[k] < 0 or int(node_of[node_street[k]]) not in width_of)
            ]
            for lv in ("station", "committee")
        }
        left = cursor
        for s in streets:
            w = width_of[s]
            x[s] = cursor + (w - 1) / 2
            for row in below_of.get(s, {}).values():
                _spread(x, row, cursor, cursor + w - 1)
            cursor += w
        orphan_width = max([0] + [len(v) for v in orphans.values()])
        for row in orphans.values():
            _spread(x, row, cursor, cursor + orphan_width - 1)
        cursor += orphan_width
        # Departments and social organisations spread over the whole band.
        for lv in ("department", "social_organisation"):
            row = [k for k in in_d if node_level[k] == lv]
            if cursor - left < len(row):  # a band narrower than its top or bottom row
                cursor = left + len(row)
            _spread(x, row, left, max(cursor - 1, left))
        if cursor == left:
            cursor += 1
        spans.append((int(d), left - 0.5, cursor - 0.5))
        cursor += DISTRICT_GAP

    lo, hi = -0.5, max(cursor - DISTRICT_GAP - 0.5, 0.5)
    scale = hi - lo
    x = (x - lo) / scale
    spans = [(d, (a - lo) / scale, (b - lo) / scale) for d, a, b in spans]
    labels = tuple(
        _node_label(offices[first_office[k]], group[first_office[k]], members[k], offices, street_of)
        for k in range(n_nodes)
    )
    present = [lv for lv in LEVELS if counts[lv]]
    row_y = {lv: float(len(present) - 1 - rank) for rank, lv in enumerate(present)}
    y = np.array([row_y[lv] for lv in node_level])
    return Layout(
        node_of=node_of,
        x=x,
        y=y,
        level=node_level,
        label=labels,
        members=members,
        merged_levels=merged,
        row_y=row_y,
        district_spans=tuple(spans),
    )


def _street_of(offices: Sequence[OfficeLike]) -> np.ndarray:
    """The street each station or committee belongs to (its parent, if that is a street)."""
    out = np.full(len(offices), -1, dtype=np.int64)
    for i, o in enumerate(offices):
        if o.level == "street":
            out[i] = i
        elif o.level in ("station", "committee"):
            p = int(o.parent_idx)
            if 0 <= p < len(offices) and offices[p].level == "street":
                out[i] = p
    return out


def _spread(x: np.ndarray, nodes: list[int], left: float, right: float) -> None:
    """Place `nodes` evenly between two slot positions (centred when they are few)."""
    if not nodes:
        return
    if len(nodes) == 1 or right <= left:
        x[nodes] = (left + right) / 2
        return
    x[nodes] = np.linspace(left, right, len(nodes))


def _node_label(first, key, members, offices, street_of) -> str:
    lv, by, _ = key
    if by == "office":
        return str(first.label)
    if by == "street":
        return f"{ROW_TITLES[lv]} of {offices[street_of[first.idx]].label} ({members})"
    return f"{ROW_TITLES[lv]} of district {int(first.district) + 1} ({members})"
