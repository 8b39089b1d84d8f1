"""The state of one run: what the rules read and change, and nothing else.

A `World` holds the day, the random streams (sim.streams), the roster of offices (one row per office,
as arrays), the task ledger, the kind table, the scenario (levers, staff, budgets), the
topology (which offices belong to which district and street), the tally, and an optional
flow recorder the interactive view attaches. The rules in `sim.rules` are functions of a
World; the Mesa model (`sim.model`) owns one and shows it.

A World may hold a *stack* of K cities of one scenario that differ only in their seed
(`World.build_stack`): the disjoint union of K copies of the city, world w's offices
numbered after world w-1's (and its districts and streets too), one roster and one
ledger for all, so every rule's array operations act on the K cities at once. What
depends on the world an office or task belongs to is explicit: each world draws from
its own streams (`sim.streams.Stream`, the same draws in the same order as alone), its
tasks' decision draws hash from its own key (sim.draws), and the tally counts per world
(`sim.tally`). A single run is a stack of one, through the same code (`World.build`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .behaviour import Behaviour, offices_that_differ
from .config import Gate, Levers, Scenario
from .draws import Decision, office_keys, run_key, uniforms
from .kinds import FROM_DEPARTMENT, FROM_RESIDENTS, KindTable
from .ledger import TaskLedger
from .levels import COMMITTEE, DEPARTMENT, N_LEVELS, SOCIAL_ORGANISATION, STATION, STREET
from .streams import Stream, Streams, stack_streams
from .tally import Tally


@dataclass
class Roster:
    """One row per office: the state the offices hold, as arrays."""

    level: np.ndarray  # int8, a sim.levels.Level code
    district: np.ndarray  # intp (an index: see sim.ledger.COLUMNS)
    street: np.ndarray  # intp: own street for streets, stations and committees; else -1
    staff: np.ndarray  # int64: staff in post
    posts: np.ndarray  # int64: establishment (staff when every post is filled)
    strain: np.ndarray  # float64: burnout stock, 0 = rested
    funding_budget: np.ndarray  # float64, yuan available to fund work sent down
    purchase_budget: np.ndarray  # float64, yuan available to buy services (streets)
    push_down_bias: np.ndarray  # float64: multiplier on push-down propensity (reverse evaluation)
    backlog_hours: np.ndarray  # float64: effort left on tasks held, end of last day
    hours_used: np.ndarray  # float64: hours worked on the last day
    overtime: np.ndarray  # float64: overtime hours on the last day
    capacity: np.ndarray  # float64: hours the office could work on the last day (staff + overtime)

    @property
    def size(self) -> int:
        return len(self.level)


@dataclass(frozen=True)
class Topology:
    """Who belongs where. Offices are numbered level by level (departments first);
    `first[level]` is the first roster index of a level, `first[level + 1]` one past its last."""

    first: tuple[int, ...]
    departments_of_district: np.ndarray  # (districts, departments per district)
    streets_of_district: np.ndarray  # (districts, streets per district)
    committees_of_district: np.ndarray  # (districts, committees per district)
    stations_of_street: np.ndarray  # (offices, stations per street), -1 outside streets' rows
    orgs_of_district: np.ndarray  # (districts, organisations per district), a dummy column when none
    org_count_by_district: np.ndarray  # (districts,)

    def parent_of(self, level: int, street: int, district: int) -> int:
        """The office one step up: a committee's or station's street, a street's district's
        first department; -1 for departments and organisations."""
        if level in (COMMITTEE, STATION):
            return int(street)
        if level == STREET:
            return int(self.departments_of_district[district, 0])
        return -1


class FlowRecorder:
    """Who handed how many hours to whom, over the current and the last completed day
    (for the hierarchy view; a world carries one only when a view asks for it)."""

    def __init__(self, n_offices: int):
        self.n_offices = n_offices
        self.today: dict[tuple[int, int], float] = {}
        self.yesterday: dict[tuple[int, int], float] = {}

    def new_day(self) -> None:
        self.yesterday, self.today = self.today, {}

    def record(self, sender: np.ndarray, receiver: np.ndarray, hours: np.ndarray) -> None:
        if sender.size == 0:
            return
        n = self.n_offices
        pairs = sender.astype(np.int64) * n + receiver
        keys, inv = np.unique(pairs, return_inverse=True)
        sums = np.bincount(inv, weights=hours)
        for key, h in zip(keys.tolist(), sums.tolist()):
            pair = divmod(key, n)
            self.today[pair] = self.today.get(pair, 0.0) + h

    def recent(self) -> dict[tuple[int, int], float]:
        """Hours handed between offices over the last completed day."""
        return dict(self.today) if self.today else dict(self.yesterday)


class World:
    """The state of one run, or of a stack of runs of one scenario (see the module
    docstring). Build it with `World.build` or `World.build_stack`."""

    def __init__(
        self,
        config: Scenario | Sequence[Scenario],
        seeds: list[int],
        streams: Streams[Stream],
        roster: Roster,
        topology: Topology,
        kinds: KindTable,
        n_offices: int,
        decision_seeds: list[int | None] | None = None,
    ):
        self.seeds = [int(s) for s in seeds]
        self.seed = self.seeds[0]
        self.worlds = len(self.seeds)
        # each world's scenario: one for all, or one per world differing only in levers (build_stack)
        scenarios = [config] * self.worlds if isinstance(config, Scenario) else list(config)
        if len(scenarios) != self.worlds:
            raise ValueError(f"a stack of {self.worlds} worlds needs as many scenarios, not {len(scenarios)}")
        self.scenarios = scenarios
        self.config = config = scenarios[0]  # what is not a lever is the same in every world
        self.n_offices = n_offices  # offices of one world
        self.streams = streams
        # the key every task's decision draws hash from (sim.draws), one per world
        decision_seeds = decision_seeds or [None] * self.worlds
        self.decision_keys = [run_key(s if d is None else d) for s, d in zip(self.seeds, decision_seeds)]
        self.decision_key = self.decision_keys[0]
        self._office_keys: np.ndarray | None = None
        self.day = 0
        self.roster = roster
        self.topology = topology
        self.kinds = kinds
        # each office's world, and its (world, level) key for per-level counts (sim.tally)
        self.office_world = np.repeat(np.arange(self.worlds), n_offices)
        self.level_key = self.office_world * N_LEVELS + roster.level
        self._read_levers()
        self.tasks = TaskLedger(capacity=_expected_daily_tasks(kinds, roster) * 8)
        self.tally = Tally(config.warmup_days, self.worlds)
        self.recorder: FlowRecorder | None = None
        # what the offices remember and decide with (issue 15): participation, blame, campaigns
        one_level = roster.level[:n_offices]
        population = []
        for w, seed in enumerate(self.seeds):
            mine = slice(w * n_offices, (w + 1) * n_offices)
            staff, pop = offices_that_differ(config, one_level, roster.staff[mine], seed)
            roster.staff[mine] = staff
            roster.posts[mine] = staff
            population.append(pop)
        districts = topology.departments_of_district.shape[0] // self.worlds
        self.behaviour = Behaviour.new(config, roster.level, districts, kinds, self.seeds, np.concatenate(population),
                                       [float(v) for v in self.lever_values("campaigns_per_year")])
        # the kinds each admission list admits: one row per world when the worlds' lists differ
        self.admitted = {name: self._admitted_kinds(name) for name in ("street", "committee")}
        share = self.per_office(self.lever("purchasing_budget_share"))
        level = roster.level
        budget = np.array([config.department.budget_per_day, config.street.budget_per_day, 0.0, 0.0, 0.0])[level]
        self.daily_funding = np.where(level == STREET, budget * (1.0 - share), budget)
        self.daily_purchasing = np.where(level == STREET, budget * share, 0.0)
        self.hiring_pipeline = np.zeros((config.staff.hiring_delay_days + 1, roster.size), dtype=np.int64)
        # staff categories (004): staff in post and vacancies being refilled, per office and
        # category; None when the scenario has none (one category, the model before issue 15)
        self.staff_by_category: np.ndarray | None = None
        self.category_pipeline: np.ndarray | None = None
        self.category_attrition = np.ones(1)
        if config.staff.categories:
            self.staff_by_category = split_into_categories(config, roster.level, roster.staff)
            self.category_pipeline = np.zeros((config.staff.hiring_delay_days + 1, *self.staff_by_category.shape),
                                              dtype=np.int64)
            self.category_attrition = np.array([c.attrition_multiplier for c in config.staff.categories] + [1.0])
        # what each office sank over the current rating period (reverse evaluation)
        self.month_pushed_hours = np.zeros(roster.size)
        self.month_unfunded_hours = np.zeros(roster.size)
        self.month_leaked_hours = np.zeros(roster.size)

    # ---- levers: one value for the stack, or one per world (issue 19, stacks over levers) ----

    @property
    def levers(self) -> Levers | StackLevers:
        """The regime's levers as one `Levers` when every world has the same (a single run, a
        stack of seeds); in a stack mixing regimes a view that gives a lever every world
        shares and refuses one that differs (a rule reads those with `lever`)."""
        return self._levers_view

    @levers.setter
    def levers(self, levers: Levers) -> None:
        """Every world's levers changed to `levers` (a test changing the regime mid-run)."""
        self.scenarios = [s.model_copy(update={"levers": levers}) for s in self.scenarios]
        self.config = self.scenarios[0]
        self._read_levers()

    def _read_levers(self) -> None:
        per_world = [flat_levers(s.levers) for s in self.scenarios]
        self._lever_lists = {name: [lv[name] for lv in per_world] for name in per_world[0]}
        self._levers_by_name: dict[str, Any] = {}
        self._levers_per_office: dict[str, Any] = {}
        for name, values in self._lever_lists.items():
            first = values[0]
            if all(v == first and type(v) is type(first) for v in values[1:]):
                self._levers_by_name[name] = first
            elif any(v is None or isinstance(v, tuple) for v in values):
                # one entry per world (an admission list's kinds: a tuple each, of any length)
                entries = np.empty(len(values), dtype=object)
                for w, v in enumerate(values):
                    entries[w] = v
                self._levers_by_name[name] = entries
            else:
                self._levers_by_name[name] = np.array(values)
        self._levers_anywhere = {
            name: any(v is not None and v > 0 for v in values) for name, values in self._lever_lists.items()
            if all(v is None or isinstance(v, (int, float)) for v in values)
        }
        uniform = all(not isinstance(v, np.ndarray) for v in self._levers_by_name.values())
        self._levers_view = self.config.levers if uniform else StackLevers(self)

    def lever(self, name: str) -> Any:
        """A lever's value (`"data_sharing"`, `"street_gate.enabled"`): the value itself when
        every world of the stack has it, else an array of the worlds' values (world w's at [w])."""
        return self._levers_by_name[name]

    def lever_values(self, name: str) -> list:
        """A lever's value in each world, in order (a list, None kept)."""
        return self._lever_lists[name]

    def lever_differs(self, name: str) -> bool:
        """Whether the worlds of the stack have different values of the lever."""
        return isinstance(self._levers_by_name[name], np.ndarray)

    def per_office(self, value: Any) -> Any:
        """A lever's value (`lever(...)`) for each office: the value itself when the worlds
        share it, else each office's world's value (one entry per roster row)."""
        return value[self.office_world] if isinstance(value, np.ndarray) else value

    def lever_at(self, name: str, offices: np.ndarray | slice) -> Any:
        """A lever's value for each of `offices` (roster rows: holders of tasks, senders, a
        slice of the roster): its world's. The value itself when the worlds share it."""
        value = self._levers_by_name[name]
        if not isinstance(value, np.ndarray):
            return value
        cached = self._levers_per_office.get(name)
        if cached is None:
            cached = self._levers_per_office[name] = value[self.office_world]
        return cached[offices]

    def lever_on(self, name: str, offices: np.ndarray | slice) -> np.ndarray | bool:
        """Whether each of `offices` is in a world where the lever (a switch, or a number:
        "on" when positive) is on; one bool when the worlds share it."""
        value = self._levers_by_name[name]
        if not isinstance(value, np.ndarray):
            return bool(value is not None and value > 0) if not isinstance(value, bool) else value
        return self.lever_at(name, offices) > 0

    def lever_anywhere(self, name: str) -> bool:
        """Whether the lever (a switch, or a number: "on" when positive) is on in any world."""
        return self._levers_anywhere[name]

    def _admitted_kinds(self, level: str) -> np.ndarray:
        """Which kinds the admission list at `level` admits (the kind table's column), or one
        row per world when the worlds' lists differ (campaign work never admitted)."""
        column = self.kinds.street_listed if level == "street" else self.kinds.committee_listed
        rows = [s.listed_at(level) for s in self.scenarios]  # type: ignore[arg-type]
        if all(r == rows[0] for r in rows[1:]):
            return column
        table = np.zeros((self.worlds, column.size), dtype=bool)
        for w, r in enumerate(rows):
            table[w, : len(r)] = r
        return table

    @classmethod
    def build(cls, scenario: Scenario, seed: int, decision_seed: int | None = None) -> World:
        """The world of `scenario` on `seed` (a stack of one). `decision_seed` (for variance
        decompositions only) takes every decision's draws from another seed, demand
        staying the seed's."""
        return cls.build_stack(scenario, [seed], [decision_seed])

    @classmethod
    def build_stack(
        cls, scenario: Scenario | Sequence[Scenario], seeds: list[int], decision_seeds: list[int | None] | None = None
    ) -> World:
        """K runs stepped together, world w being seeds[w]: of `scenario`, or of
        `scenario[w]` when given one scenario per world. Those may differ in their levers
        only, and not in the levers that shape the city or the kinds (`stack_key`); each
        world's roster is built from its own scenario (its staff may differ) and must
        have the same offices. Refused with a ValueError naming what differs otherwise."""
        seeds = list(seeds)
        if isinstance(scenario, Scenario):
            scenarios = [scenario] * len(seeds)
        else:
            scenarios = list(scenario)
            if len(scenarios) != len(seeds):
                raise ValueError(f"a stack needs one scenario per seed: {len(scenarios)} scenarios, {len(seeds)} seeds")
        first = scenarios[0]
        mixed = any(s is not first and s != first for s in scenarios)
        if mixed:
            check_stackable(scenarios)
        roster, topology = build_city(first)
        n = roster.size
        if mixed:
            cities: dict[Levers, Roster] = {first.levers: roster}
            for s in scenarios:
                if s.levers not in cities:
                    other, other_topology = build_city(s)
                    same_offices(first, roster, topology, s, other, other_topology)
                    cities[s.levers] = other
            roster, topology = stack_cities(roster, topology, len(seeds), [cities[s.levers] for s in scenarios])
        elif len(seeds) > 1:
            roster, topology = stack_cities(roster, topology, len(seeds))
        decision_seeds = list(decision_seeds) if decision_seeds is not None else [None] * len(seeds)
        streams = stack_streams(seeds, decision_seeds)
        return cls(scenarios if mixed else first, seeds, streams, roster, topology, KindTable(first), n,
                   decision_seeds)

    def world_of_tasks(self, rows: np.ndarray | slice) -> np.ndarray:
        """The world each task (ledger row) belongs to: its holder's."""
        holder = self.tasks.holder[rows]
        return self.office_world[holder] if self.worlds > 1 else np.zeros(holder.size, dtype=np.intp)

    def runs_of_worlds(self, world_of: np.ndarray) -> list[tuple[int, slice]]:
        """The runs of one world in `world_of` (entries in a rule's order, usually world
        after world): (world, slice) pairs, in order; empty runs are left out."""
        if self.worlds == 1 or world_of.size == 0:
            return [(0, slice(0, world_of.size))] if world_of.size else []
        cuts = (np.flatnonzero(world_of[1:] != world_of[:-1]) + 1).tolist()
        starts, stops = [0, *cuts], [*cuts, world_of.size]
        return [(int(world_of[a]), slice(a, b)) for a, b in zip(starts, stops)]

    def task_uniforms(self, rows: np.ndarray, decision: Decision, attempt: np.ndarray | int = 0) -> np.ndarray:
        """The draw of `decision` for each task in `rows`: the same for a task in every regime (sim.draws)."""
        return uniforms(self.tasks.draw_key[rows], decision, attempt)

    def office_uniforms(self, decision: Decision, columns: int = 0) -> np.ndarray:
        """Today's draw of `decision` for every office (one row per office, and `columns`
        columns when > 0): the same for an office, known by its world, level and position,
        in every regime."""
        keys = self._office_keys
        if keys is None:  # the roster does not change during a run: its keys are hashed once
            level = self.roster.level[: self.n_offices]
            position = np.arange(level.size) - np.asarray(self.topology.first)[level]
            keys = self._office_keys = np.concatenate([office_keys(k, level, position) for k in self.decision_keys])
        tag = self.day << 8
        if columns <= 0:
            return uniforms(keys, decision, tag)
        return uniforms(keys[:, None], decision, tag + np.arange(columns)[None, :])

    def normal_hours(self) -> np.ndarray:
        """Each office's staff hours in a normal day, before overtime."""
        return self.roster.staff * self.config.staff.hours_per_day

    def begin_day(self) -> None:
        self.day += 1
        if self.recorder is not None:
            self.recorder.new_day()

    def close_day(self) -> dict[str, np.ndarray]:
        """Close the day's record in the tally (and each office's backlog in the roster)."""
        return self.tally.close_day(self.tasks, self.roster, self.level_key, self.normal_hours(), self.day)


def build_city(scenario: Scenario) -> tuple[Roster, Topology]:
    """The offices of the scenario's city, level by level, and who belongs where."""
    cfg, st, lv = scenario, scenario.structure, scenario.levers
    D = st.districts
    n_dep, n_st, n_com, n_sta = (
        st.departments_per_district,
        st.streets_per_district,
        st.committees_per_street,
        lv.service_stations_per_street,
    )
    n_org = int(round(st.social_organisation_pool_per_district * (1.0 - lv.social_organisation_entry_threshold)))
    counts = {
        DEPARTMENT: D * n_dep,
        STREET: D * n_st,
        STATION: D * n_st * n_sta,
        COMMITTEE: D * n_st * n_com,
        SOCIAL_ORGANISATION: D * n_org,
    }
    level = np.concatenate([np.full(counts[k], k, dtype=np.int8) for k in range(N_LEVELS)])
    first = np.cumsum([0] + [counts[k] for k in range(N_LEVELS)])
    size = level.size
    district = np.empty(size, dtype=np.intp)
    street = np.full(size, -1, dtype=np.intp)
    district[first[DEPARTMENT] : first[DEPARTMENT + 1]] = np.repeat(np.arange(D), n_dep)
    street_ids = np.arange(first[STREET], first[STREET + 1])
    district[street_ids] = np.repeat(np.arange(D), n_st)
    street[street_ids] = street_ids
    station_ids = np.arange(first[STATION], first[STATION + 1])
    street[station_ids] = np.repeat(street_ids, n_sta)
    committee_ids = np.arange(first[COMMITTEE], first[COMMITTEE + 1])
    street[committee_ids] = np.repeat(street_ids, n_com)
    district[station_ids] = district[street[station_ids]]
    district[committee_ids] = district[street[committee_ids]]
    org_ids = np.arange(first[SOCIAL_ORGANISATION], first[SOCIAL_ORGANISATION + 1])
    district[org_ids] = np.repeat(np.arange(D), n_org)

    staff_per_level = np.array(
        [cfg.department.staff, cfg.street.staff, lv.station_staff, cfg.committee.staff, lv.social_organisation_staff],
        dtype=np.int64,
    )
    staff = staff_per_level[level]
    staff[committee_ids] += extra_committee_staff(lv.extra_committee_staff_per_street, n_com, D * n_st)
    roster = Roster(
        level=level,
        district=district,
        street=street,
        staff=staff.copy(),
        posts=staff.copy(),
        strain=np.zeros(size),
        funding_budget=np.zeros(size),
        purchase_budget=np.zeros(size),
        push_down_bias=np.ones(size),
        backlog_hours=np.zeros(size),
        hours_used=np.zeros(size),
        overtime=np.zeros(size),
        capacity=np.zeros(size),
    )
    stations_of_street = np.full((size, n_sta), -1, dtype=np.intp)
    if n_sta:
        stations_of_street[street_ids] = station_ids.reshape(D * n_st, n_sta)
    topology = Topology(
        first=tuple(int(f) for f in first),
        departments_of_district=np.arange(first[DEPARTMENT], first[DEPARTMENT + 1]).reshape(D, n_dep),
        streets_of_district=street_ids.reshape(D, n_st),
        committees_of_district=committee_ids.reshape(D, n_st * n_com),
        stations_of_street=stations_of_street,
        orgs_of_district=org_ids.reshape(D, n_org) if n_org else np.zeros((D, 1), dtype=np.intp),
        org_count_by_district=np.full(D, n_org, dtype=np.int64),
    )
    return roster, topology


def stack_cities(
    roster: Roster, topology: Topology, k: int, rosters: list[Roster] | None = None
) -> tuple[Roster, Topology]:
    """K copies of one city as one: world w's offices, districts and streets numbered
    after world w-1's, every index into the roster shifted by w × offices. `rosters`:
    each world's own roster (the same offices, their state their world's own) when the
    worlds' levers differ; else `roster` for every world."""
    n = roster.size
    districts = topology.departments_of_district.shape[0]
    shift = np.repeat(np.arange(k), n)

    def offices(a: np.ndarray) -> np.ndarray:  # office indices (-1 kept), one copy per world
        copies = np.concatenate([np.where(a >= 0, a + w * n, a) for w in range(k)])
        return copies.astype(a.dtype)

    if rosters is None:
        stacked = Roster(**{name: np.tile(getattr(roster, name), k) for name in vars(roster)})
    else:
        stacked = Roster(**{name: np.concatenate([getattr(r, name) for r in rosters]) for name in vars(roster)})
    stacked.district = (stacked.district + shift * districts).astype(roster.district.dtype)
    stacked.street = offices(roster.street)
    top = Topology(
        first=topology.first,  # one world's
        departments_of_district=offices(topology.departments_of_district),
        streets_of_district=offices(topology.streets_of_district),
        committees_of_district=offices(topology.committees_of_district),
        stations_of_street=offices(topology.stations_of_street),
        orgs_of_district=offices(topology.orgs_of_district),
        org_count_by_district=np.tile(topology.org_count_by_district, k),
    )
    return stacked, top


# levers that shape the city or the kind table: they must be equal in every world of a stack
STRUCTURAL_LEVERS = (
    "service_stations_per_street",  # the roster's stations
    "social_organisation_entry_threshold",  # its organisations
    "campaign_hours",  # the campaign kind's effort
    "campaign_days",
)


class StackLevers:
    """`world.levers` of a stack whose worlds' levers differ: a lever every world shares
    reads as it does on `Levers`; one that differs raises, so that no rule takes world 0's
    value for every world (rules read such levers with `world.lever` and its helpers)."""

    def __init__(self, world: World):
        self._world = world

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        values = [getattr(s.levers, name) for s in self._world.scenarios]
        if all(v == values[0] for v in values[1:]):
            return values[0]
        raise LeverDiffers(
            f"levers.{name} differs between the worlds of this stack ({values!r}): read it with world.lever"
        )


class LeverDiffers(RuntimeError):
    """A rule read, as one value, a lever the worlds of a stack do not share."""


def flat_levers(levers: Levers) -> dict[str, Any]:
    """Every lever by name, a gate's fields as "street_gate.enabled" and so on."""
    out: dict[str, Any] = {}
    for name, value in levers:
        if isinstance(value, Gate):
            for field, v in value:
                out[f"{name}.{field}"] = v
        else:
            out[name] = value
    return out


def stack_key(scenario: Scenario) -> str:
    """What runs stepped in one stack must share: everything in the scenario but its name,
    description and levers, and the levers that shape the city or the kinds (the
    structural levers, and whether campaigns run). Runs whose scenarios have equal keys
    may share a stack (`World.build_stack`, the sweep executors)."""
    lv = scenario.levers
    shared = scenario.model_dump(mode="json", exclude={"name", "description", "levers"})
    shared["levers"] = {name: getattr(lv, name) for name in STRUCTURAL_LEVERS}
    shared["levers"]["campaigns"] = lv.campaigns_per_year > 0 and lv.campaign_hours > 0
    return json.dumps(shared, sort_keys=True)


def check_stackable(scenarios: Sequence[Scenario]) -> None:
    """Refuse, naming the first difference, scenarios that cannot share a stack: they
    must differ in their levers only, and not in the structural levers."""
    first = scenarios[0]
    key = stack_key(first)
    for s in scenarios[1:]:
        if stack_key(s) != key:
            what = _first_difference(json.loads(key), json.loads(stack_key(s)))
            raise ValueError(
                f"scenarios {first.name!r} and {s.name!r} cannot share a stack: they differ in {what} "
                "(the worlds of a stack may differ only in levers that leave the city and the kinds as they are)"
            )


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                return _first_difference(a.get(name), b.get(name), f"{path}.{name}" if path else name)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path} ({a!r} against {b!r})"


def same_offices(a: Scenario, roster: Roster, topology: Topology, b: Scenario, other: Roster,
                 other_topology: Topology) -> None:
    """Refuse two scenarios whose cities do not have the same offices in the same places."""
    pairs = [(f"roster.{n}", getattr(roster, n), getattr(other, n)) for n in ("level", "district", "street")]
    pairs += [(f"topology.{name}", getattr(topology, name), getattr(other_topology, name)) for name in vars(topology)]
    for name, x, y in pairs:
        if not np.array_equal(np.asarray(x), np.asarray(y)):
            raise ValueError(f"scenarios {a.name!r} and {b.name!r} cannot share a stack: their cities differ in {name}")


def extra_committee_staff(per_street: int, committees_per_street: int, streets: int) -> np.ndarray:
    """Extra staff of each committee, street by street: `per_street` spread evenly over the
    street's committees, the first `per_street % committees_per_street` getting one more."""
    base, rest = divmod(int(per_street), committees_per_street)
    one_street = base + (np.arange(committees_per_street) < rest)
    return np.tile(one_street, streets).astype(np.int64)


def split_into_categories(config: Scenario, level: np.ndarray, staff: np.ndarray) -> np.ndarray:
    """Each office's staff per category (offices × categories + 1): streets and committees by
    their categories' shares (largest remainder, so the counts add up to the staff), every
    other office wholly in the last column, the uncategorised staff."""
    cats = config.staff.categories
    shares = np.zeros((N_LEVELS, len(cats) + 1))
    shares[:, -1] = 1.0
    shares[STREET] = [c.street_share for c in cats] + [0.0]
    shares[COMMITTEE] = [c.committee_share for c in cats] + [0.0]
    exact = staff[:, None] * shares[level]
    counts = np.floor(exact + 1e-9).astype(np.int64)
    left = staff - counts.sum(axis=1)
    rank = np.argsort(np.argsort(-(exact - counts), axis=1, kind="stable"), axis=1, kind="stable")
    counts += rank < left[:, None]
    return counts


def _expected_daily_tasks(kinds: KindTable, roster: Roster) -> int:
    n_dep = int((roster.level == DEPARTMENT).sum())
    n_com = int((roster.level == COMMITTEE).sum())
    per_day = (
        kinds.rate[kinds.origin == FROM_DEPARTMENT].sum() * n_dep
        + kinds.rate[kinds.origin == FROM_RESIDENTS].sum() * n_com
    )
    return int(max(per_day, 16))
