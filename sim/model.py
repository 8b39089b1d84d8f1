"""The city model: departments (条) pushing work down to streets (块) and residents'
committees, under the regime the scenario's levers describe.

Sources: the five case articles summarised in `shared/domain/BRIEF.md` (Guiyang, Jinjiang,
Sichuan, Beijing, Shanghai). A run is a pure function of (scenario, seed): see `run`.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import routing, work
from .agents import (
    COMMITTEE,
    DEPARTMENT,
    LEVELS,
    OFFICE_TYPES,
    SOCIAL_ORGANISATION,
    STATION,
    STREET,
    Roster,
)
from .config import Scenario
from .kinds import FROM_ASSESSMENT, FROM_DEPARTMENT, FROM_RESIDENTS, KindTable
from .ledger import TaskLedger
from .metrics import Tally, summarise, timeseries
from .results import RunResult

HEADLINE_SERIES = (
    "department_backlog_hours",
    "street_backlog_hours",
    "station_backlog_hours",
    "committee_backlog_hours",
    "committee_self_governance_share",
    "tasks_done_on_time_share",
    "unfunded_work_share",
    "department_load",
    "open_tasks",
    "tasks_created",
)


class TiaokuaiModel(mesa.Model):
    """One city under one regime. `step()` is one working day."""

    def __init__(self, scenario: Scenario, seed: int = 0):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed(={seed!r}) must be a non-negative integer")
        super().__init__(rng=int(seed))
        self.config = scenario
        self.seed = int(seed)
        self.day = 0
        self.kinds = KindTable(scenario)
        self._build_city()
        self.tasks = TaskLedger(capacity=self._expected_daily_tasks() * 8)
        self.tally = Tally(scenario.warmup_days)
        self.history: list[dict] = []
        self._flows: dict[tuple[int, int], float] = {}
        self._flows_last: dict[tuple[int, int], float] = {}
        self.track_flows = False
        for name in HEADLINE_SERIES:
            setattr(self, name, 0.0)
        self.datacollector = mesa.DataCollector(model_reporters={n: n for n in HEADLINE_SERIES})

    # ---- building the city -------------------------------------------------------------
    def _build_city(self) -> None:
        cfg, st, lv = self.config, self.config.structure, self.config.levers
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
        level = np.concatenate([np.full(counts[k], k, dtype=np.int8) for k in range(len(LEVELS))])
        first = np.cumsum([0] + [counts[k] for k in range(len(LEVELS))])
        size = level.size
        district = np.empty(size, dtype=np.int32)
        street = np.full(size, -1, dtype=np.int32)
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
        self.roster = Roster(
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
        share = lv.purchasing_budget_share
        budget = np.array([cfg.department.budget_per_day, cfg.street.budget_per_day, 0.0, 0.0, 0.0])[level]
        self.daily_funding = np.where(level == STREET, budget * (1.0 - share), budget)
        self.daily_purchasing = np.where(level == STREET, budget * share, 0.0)

        self.departments_of_district = np.arange(first[DEPARTMENT], first[DEPARTMENT + 1]).reshape(D, n_dep)
        self.streets_of_district = street_ids.reshape(D, n_st)
        self.committees_of_district = committee_ids.reshape(D, n_st * n_com)
        self.stations_of_street = np.full((size, n_sta), -1, dtype=np.int32)
        if n_sta:
            self.stations_of_street[street_ids] = station_ids.reshape(D * n_st, n_sta)
        self.org_count_by_district = np.full(D, n_org, dtype=np.int64)
        self.orgs_of_district = org_ids.reshape(D, n_org) if n_org else np.zeros((D, 1), dtype=np.int32)
        self.hiring_pipeline = np.zeros((cfg.staff.hiring_delay_days + 1, size), dtype=np.int64)
        self.month_pushed_hours = np.zeros(size)
        self.month_unfunded_hours = np.zeros(size)
        self.month_leaked_hours = np.zeros(size)

        # plain Python ints: indexing NumPy scalars one by one is slow for ten thousand offices
        self.offices = []
        firsts = first.tolist()
        for idx, (lv_, st_, d_) in enumerate(zip(level.tolist(), street.tolist(), district.tolist())):
            parent = self._parent_of(idx, lv_, st_, d_)
            label = f"{LEVELS[lv_].replace('_', ' ')} {idx - firsts[lv_] + 1} (district {d_ + 1})"
            self.offices.append(OFFICE_TYPES[lv_](self, idx, label, parent))

    def _parent_of(self, idx: int, level: int, street: int, district: int) -> int:
        if level in (COMMITTEE, STATION):
            return int(street)
        if level == STREET:
            return int(self.departments_of_district[district, 0]) if hasattr(self, "departments_of_district") else -1
        return -1

    def _expected_daily_tasks(self) -> int:
        k, r = self.kinds, self.roster
        n_dep = int((r.level == DEPARTMENT).sum())
        n_com = int((r.level == COMMITTEE).sum())
        per_day = k.rate[k.origin == FROM_DEPARTMENT].sum() * n_dep + k.rate[k.origin == FROM_RESIDENTS].sum() * n_com
        return int(max(per_day, 16))

    def normal_hours(self) -> np.ndarray:
        """Each office's staff hours in a normal day, before overtime."""
        return self.roster.staff * self.config.staff.hours_per_day

    # ---- one working day ----------------------------------------------------------------
    def step(self) -> None:
        self._flows_last, self._flows = self._flows, {}
        self.day += 1
        work.accrue_budgets(self)
        self.arrive()
        routing.route_department_tasks(self)
        routing.route_street_tasks(self)
        routing.route_committee_tasks(self)
        routing.escalate(self)
        work.spend_hours(self)
        self.tasks.tidy()
        work.close_the_day(self)
        work.staff_turnover(self)
        if self.config.levers.reverse_evaluation and self.day % 21 == 0:
            self.rate_departments()
        self.record_day()
        self.datacollector.collect(self)

    def arrive(self) -> None:
        """Departments create administrative tasks, residents bring requests and
        self-governance matters to their committee, and assessments are imposed."""
        rng, k, r = self.rng, self.kinds, self.roster
        deps = np.flatnonzero(r.level == DEPARTMENT)
        coms = np.flatnonzero(r.level == COMMITTEE)
        n_com_d = self.committees_of_district.shape[1]
        n_dep_d = self.departments_of_district.shape[1]

        kinds_d = k.of_origin(FROM_DEPARTMENT)
        origin, kind = _poisson_arrivals(rng, deps, kinds_d, k.rate[kinds_d])
        territory = self.committees_of_district[r.district[origin], rng.integers(0, n_com_d, origin.size)]
        self._create(kind, holder=origin, territory=territory, responsible=origin)

        kinds_r = k.of_origin(FROM_RESIDENTS)
        com, kind = _poisson_arrivals(rng, coms, kinds_r, k.rate[kinds_r])
        responsible = self.departments_of_district[r.district[com], rng.integers(0, n_dep_d, com.size)]
        self._create(kind, holder=com, territory=com, responsible=responsible)

        kinds_a = k.of_origin(FROM_ASSESSMENT)
        levers = self.config.levers
        on_committees = levers.assessment_intensity if levers.committee_assessment_intensity is None else levers.committee_assessment_intensity
        for level, intensity in ((STREET, levers.assessment_intensity), (COMMITTEE, on_committees)):
            if kinds_a.size and intensity > 0:
                self.impose_assessments(np.flatnonzero(r.level == level), kinds_a, intensity)

    def impose_assessments(self, assessed: np.ndarray, kinds: np.ndarray, intensity: float) -> None:
        """Inspections, checks and rankings imposed on streets or committees (000, 002):
        hard tasks their holder must do itself, on behalf of a department of the district."""
        rng, r = self.rng, self.roster
        n_dep_d = self.departments_of_district.shape[1]
        rate = np.full(kinds.size, intensity / kinds.size)
        held, kind = _poisson_arrivals(rng, assessed, kinds, rate)
        responsible = self.departments_of_district[r.district[held], rng.integers(0, n_dep_d, held.size)]
        territory = np.where(r.level[held] == COMMITTEE, held, self.committees_of_district[r.district[held], 0])
        rows = self._create(kind, holder=held, territory=territory, responsible=responsible)
        self.tasks.fresh[rows] = False
        self.tasks.pinned[rows] = True
        self.tasks.from_above[rows] = True

    def _create(self, kind, holder, territory, responsible) -> slice:
        n = kind.size
        effort = self.kinds.draw_effort(self.rng, kind)
        rows = self.tasks.add(
            n,
            kind=kind,
            holder=holder,
            territory=territory,
            responsible=responsible,
            created=self.day,
            deadline=self.day + self.kinds.deadline[kind],
            ready_day=self.day,
            effort_total=effort,
            effort_left=effort,
            authority_left=effort * self.kinds.authority_share[kind],
            hard=self.kinds.hard[kind],
        )
        self.tally.created += n
        return rows

    def rate_departments(self) -> None:
        """Reverse evaluation (002): each month streets rate the departments by how much of
        what they sank came unfunded or through a closed gate; a bad rating lowers the
        department's push-down propensity for the next month."""
        pushed = self.month_pushed_hours
        bad = np.minimum(self.month_unfunded_hours + self.month_leaked_hours, pushed)
        badness = np.where(pushed > 0, bad / np.maximum(pushed, 1e-9), 0.0)
        deps = self.roster.level == DEPARTMENT
        sens = self.config.levers.reverse_evaluation_sensitivity
        self.roster.push_down_bias[deps] = 1.0 - sens * badness[deps]
        pushed[:] = 0.0
        self.month_unfunded_hours[:] = 0.0
        self.month_leaked_hours[:] = 0.0

    def record_flow(self, sender: np.ndarray, receiver: np.ndarray, hours: np.ndarray) -> None:
        """Remember who handed how many hours to whom today (for the hierarchy view)."""
        if not self.track_flows or sender.size == 0:
            return
        pairs = sender.astype(np.int64) * self.roster.size + receiver
        keys, inv = np.unique(pairs, return_inverse=True)
        sums = np.bincount(inv, weights=hours)
        for key, h in zip(keys.tolist(), sums.tolist()):
            pair = divmod(key, self.roster.size)
            self._flows[pair] = self._flows.get(pair, 0.0) + h

    def recent_flows(self) -> dict[tuple[int, int], float]:
        """Hours handed between offices over the last completed day."""
        return dict(self._flows) if self._flows else dict(self._flows_last)

    def record_day(self) -> None:
        day = self.tally.close_day(self)
        done = day["tasks_done"].sum()
        com_used = day["hours_used"][COMMITTEE]
        above = day["from_above_staff_hours"][[STREET, STATION, COMMITTEE]].sum()
        above_f = day["from_above_funded_hours"][[STREET, STATION, COMMITTEE]].sum()
        offices = np.maximum(day["offices"], 1)
        values = {
            "department_backlog_hours": day["backlog_hours"][DEPARTMENT] / offices[DEPARTMENT],
            "street_backlog_hours": day["backlog_hours"][STREET] / offices[STREET],
            "station_backlog_hours": day["backlog_hours"][STATION] / offices[STATION],
            "committee_backlog_hours": day["backlog_hours"][COMMITTEE] / offices[COMMITTEE],
            "committee_self_governance_share": day["self_governance_hours"][COMMITTEE] / com_used if com_used else 0.0,
            "tasks_done_on_time_share": day["tasks_done_on_time"].sum() / done if done else 1.0,
            "unfunded_work_share": above / (above + above_f) if above + above_f else 0.0,
            "department_load": day["backlog_hours"][DEPARTMENT] / max(day["hours_available"][DEPARTMENT], 1.0),
            "open_tasks": day["open_tasks"].sum(),
            "tasks_created": self.tally.created_by_day[-1] - (self.tally.created_by_day[-2] if len(self.tally.created_by_day) > 1 else 0),
        }
        values = {k: float(v) for k, v in values.items()}
        for key, value in values.items():
            setattr(self, key, value)
        self.history.append({"day": self.day, **values})

    # ---- results ------------------------------------------------------------------------
    def summary(self) -> dict:
        return summarise(self)

    def timeseries(self):
        return timeseries(self.tally)

    def release(self) -> None:
        """Drop everything the model holds; it cannot be stepped or read afterwards.

        A Mesa model sits in reference cycles (its agents point back at it, and Mesa keeps
        the wrapped `step` as a bound method on the instance), so without this its arrays
        wait for Python's next full garbage collection. In a sweep worker running thousands
        of runs that showed as memory growing by ~6 KB a run."""
        self.__dict__.clear()


def _poisson_arrivals(rng: np.random.Generator, agents: np.ndarray, kinds: np.ndarray, rate: np.ndarray):
    """Poisson counts per (agent, kind); returns the agent and kind of each new task.

    Drawn kind by kind as one Poisson total spread uniformly over the agents: independent
    Poisson counts with equal means are, in distribution, a Poisson total split uniformly,
    and this takes a few draws per task instead of one Poisson draw per agent and kind
    (most of which are zero). Tasks come out in runs of one kind."""
    if agents.size == 0 or kinds.size == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int16)
    totals = rng.poisson(rate * agents.size)
    who = agents[rng.integers(0, agents.size, int(totals.sum()))]
    what = np.repeat(kinds, totals)
    return who.astype(np.int32), what.astype(np.int16)


def run(scenario: Scenario, seed: int, days: int | None = None, timeseries: bool = True) -> RunResult:
    """Simulate `days` working days (default: the scenario's) and return the results.

    A pure function of its arguments: same scenario and seed, same result, in any process.
    """
    if days is not None and days != scenario.days:
        if days < 1:
            raise ValueError(f"days(={days}) must be >= 1")
        scenario = scenario.model_copy(update={"days": days, "warmup_days": min(scenario.warmup_days, days - 1)})
    model = TiaokuaiModel(scenario, seed)
    for _ in range(scenario.days):
        model.step()
    result = RunResult(summary=model.summary(), timeseries=model.timeseries() if timeseries else None)
    model.release()  # its memory returns now, not at the next full garbage collection
    return result
