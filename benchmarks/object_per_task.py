"""Yardstick: the model's daily rules written the idiomatic Mesa way, one object per task.

Each task is a Python object; each office is a Mesa agent holding its inbox (tasks it must
decide on) and its queue (tasks it works on); the model's step states the order of play
and each agent type's verbs (`route`, `escalate`, `work`, `close_the_day`, `turnover`) loop
over its tasks. The rules are those of `sim` (DESIGN §4): Poisson arrivals with gamma
effort, push-down with a backlog-driven wish, admission gates that leak, resources that
follow tasks within the sender's budget, service stations, purchase from social
organisations within their room and the street's budget, escalation with bounces, a day of
work in queue order (hard first, then deadline, then age) with overtime up to the ceiling,
rework of rejected purchased work, abandonment and blame, strain and attrition, monthly
reverse evaluation. The random streams differ from `sim`'s; the dynamics do not.

It exists only to be timed against the columnar ledger (`benchmarks/city_scale.py`,
issue #8's "≥ 20× an object-per-task implementation"). Run it on its own with:

    .venv/bin/python benchmarks/object_per_task.py scenarios/city-scale.yaml --days 20
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass

import mesa

from sim import Scenario, load_scenario
from sim.levels import COMMITTEE, DEPARTMENT, EPS, SOCIAL_ORGANISATION, STATION, STREET


@dataclass(slots=True)
class Task:
    """One piece of work (DESIGN §2), as a plain object."""

    uid: int
    kind: int
    holder: Office
    territory: Office  # the committee whose territory it concerns
    responsible: Office  # the department with the authority
    created: int
    deadline: int
    ready_day: int
    effort_total: float
    effort_left: float
    authority_left: float
    hard: bool
    funded: float = 0.0
    buyer: Office | None = None
    handoffs: int = 0
    bounces: int = 0
    pinned: bool = False
    leaked: bool = False
    from_above: bool = False
    open: bool = True


class Office(mesa.Agent):
    """Any office: its staff and money, and the tasks it holds."""

    level = -1

    def __init__(self, model: CityModel, district: int, staff: int):
        super().__init__(model)
        self.district = district
        self.staff = staff
        self.strain = 0.0
        self.funding_budget = 0.0
        self.purchase_budget = 0.0
        self.push_down_bias = 1.0
        self.backlog_hours = 0.0
        self.overtime = 0.0
        self.inbox: list[Task] = []  # received, not yet decided on
        self.queue: list[Task] = []  # decided on: to be worked here
        self.street: Office | None = None
        self.month_pushed = self.month_unfunded = self.month_leaked = 0.0

    @property
    def normal_hours(self) -> float:
        return self.staff * self.model.cfg.staff.hours_per_day

    def receive(self, task: Task, fresh: bool = True) -> None:
        task.holder = self
        (self.inbox if fresh else self.queue).append(task)

    # ---- routing -------------------------------------------------------------------
    def ready_inbox(self) -> list[Task]:
        """Take the tasks ready for a decision out of the inbox; the others wait."""
        day, ready, waiting = self.model.day, [], []
        for task in self.inbox:
            (ready if task.ready_day <= day else waiting).append(task)
        self.inbox = waiting
        return ready

    def wants_to_push(self, with_bias: bool) -> bool:
        lv = self.model.cfg.levers
        p = lv.push_down_propensity + lv.push_down_backlog_sensitivity * self.backlog_hours / max(self.normal_hours, 1.0)
        if with_bias:
            p *= self.push_down_bias
        return self.random.random() < min(max(p, 0.0), 1.0)

    def admit(self, task: Task, gate, listed) -> bool:
        respects = self.random.random() < gate.compliance
        if not gate.enabled or listed[task.kind]:
            return True
        if respects:
            self.model.refusals += 1
            return False
        task.leaked = True
        self.month_leaked += task.effort_left
        return True

    def push_down(self, task: Task, target: Office, gate) -> None:
        lv, cost = self.model.cfg.levers, self.model.cfg.staff.hourly_cost
        unfunded = max(task.effort_left - task.funded, 0.0)
        self.month_pushed += task.effort_left
        granted = min(lv.resources_follow_tasks * unfunded * cost, max(self.funding_budget, 0.0))
        self.funding_budget -= granted
        task.funded += granted / cost
        self.month_unfunded += unfunded - granted / cost
        task.handoffs += 1
        task.from_above = True
        if gate is not None and gate.enabled and gate.review_days > 0 and not task.leaked:
            task.ready_day = self.model.day + gate.review_days
        target.receive(task)

    def purchase(self, task: Task) -> bool:
        m = self.model
        if m.cfg.levers.purchasing_budget_share <= 0 or not m.purchasable[task.kind]:
            return False
        orgs = m.orgs_of_district[self.district]
        if not orgs:
            return False
        org = orgs[min(int(self.random.random() * len(orgs)), len(orgs) - 1)]
        room = max(m.cfg.levers.social_organisation_max_backlog_days * org.normal_hours - org.backlog_hours, 0.0)
        if task.effort_left > room + EPS:
            return False
        payer = self.street
        price = m.cfg.levers.social_organisation_price_per_hour * task.effort_left
        if price > payer.purchase_budget + EPS:
            return False
        payer.purchase_budget -= price
        org.backlog_hours += task.effort_left
        task.buyer, task.pinned = self, True
        task.handoffs += 1
        org.receive(task, fresh=False)
        return True

    def route(self) -> None:
        self.queue.extend(self.ready_inbox())

    # ---- escalation ----------------------------------------------------------------
    def escalate(self) -> None:
        """Work needing authority goes back up once the part this office may do is done."""
        if self.level == DEPARTMENT:
            return
        m, lv = self.model, self.model.cfg.levers
        keep = []
        for task in self.queue:
            if (
                task.authority_left > EPS
                and task.effort_left - task.authority_left <= EPS
                and task.ready_day <= m.day
            ):
                m.escalations += 1
                if self.random.random() < lv.escalation_acceptance or task.bounces >= lv.bounce_limit:
                    task.handoffs += 1
                    task.pinned = True
                    task.responsible.receive(task, fresh=False)
                    continue
                task.bounces += 1
                task.handoffs += 2
                task.ready_day = m.day + max(lv.escalation_retry_days, 1)
            keep.append(task)
        self.queue = keep

    # ---- a day of work -------------------------------------------------------------
    def workable(self, task: Task) -> float:
        return task.effort_left - (task.authority_left if self.level != DEPARTMENT else 0.0)

    def work(self) -> None:
        m = self.model
        todo = [t for t in self.queue if t.ready_day <= m.day and self.workable(t) > EPS]
        todo.sort(key=lambda t: (not t.hard, t.deadline, t.uid))
        needs = [max(self.workable(t) - t.funded, 0.0) for t in todo]
        normal = self.normal_hours
        self.overtime = min(m.cfg.staff.overtime_ceiling * normal, max(sum(needs) - normal, 0.0))
        left = normal + self.overtime
        used = 0.0
        for task, need in zip(todo, needs):
            if need > left + EPS:
                task.effort_left -= left
                used += left
                break
            left -= need
            used += need
            done = self.workable(task)
            task.funded -= min(task.funded, done)
            task.effort_left = max(task.effort_left - done, 0.0)
            if task.effort_left <= EPS:
                self.deliver(task)
        self.overtime = max(used - normal, 0.0)
        m.hours_used[self.level] += used

    def deliver(self, task: Task) -> None:
        self.model.depart(task, done=True)

    def close_the_day(self) -> None:
        m = self.model
        keep, backlog = [], 0.0
        for task in self.inbox + self.queue:
            if not task.open:
                continue
            limit = m.abandon_after[task.kind]
            if limit > 0 and m.day - task.created >= limit:
                m.depart(task, done=False)
                continue
            if task.deadline == m.day and m.administrative[task.kind]:
                m.blame[self.level] += 1
            backlog += self.workable(task)
        self.inbox = [t for t in self.inbox if t.open]
        self.queue = [t for t in self.queue if t.open]
        self.backlog_hours = backlog

    def turnover(self) -> None:
        m, s = self.model, self.model.cfg.staff
        self.staff += m.hiring.get((m.day, self.unique_id), 0)
        share = self.overtime / max(self.normal_hours, 1e-9) if self.staff > 0 else 0.0
        self.strain = self.strain * (1.0 - s.strain_recovery) + s.strain_buildup * share
        p = min(max(s.attrition_base + s.attrition_strain * self.strain, 0.0), 1.0)
        lost = int(m.rng.binomial(self.staff, p)) if self.staff else 0
        if lost:
            self.staff -= lost
            key = (m.day + s.hiring_delay_days, self.unique_id)
            m.hiring[key] = m.hiring.get(key, 0) + lost


class Department(Office):
    level = DEPARTMENT

    def route(self) -> None:
        m = self.model
        for task in self.ready_inbox():
            if not task.pinned and self.wants_to_push(with_bias=True):
                street = task.territory.street
                if self.admit(task, m.cfg.levers.street_gate, m.street_listed):
                    self.push_down(task, street, m.cfg.levers.street_gate)
                    continue
            self.queue.append(task)


class Street(Office):
    level = STREET

    def route(self) -> None:
        m, lv = self.model, self.model.cfg.levers
        for task in self.ready_inbox():
            if task.pinned:
                self.queue.append(task)
                continue
            if self.wants_to_push(with_bias=False):
                if self.stations and m.administrative[task.kind]:
                    self.push_down(task, self.stations[int(self.random.random() * len(self.stations))], None)
                    continue
                if self.admit(task, lv.committee_gate, m.committee_listed):
                    self.push_down(task, task.territory, lv.committee_gate)
                    continue
            if not self.purchase(task):
                self.queue.append(task)


class ServiceStation(Office):
    level = STATION


class ResidentsCommittee(Office):
    level = COMMITTEE

    def route(self) -> None:
        for task in self.ready_inbox():
            if task.pinned or not self.purchase(task):
                self.queue.append(task)


class SocialOrganisation(Office):
    level = SOCIAL_ORGANISATION

    def deliver(self, task: Task) -> None:
        lv = self.model.cfg.levers
        if self.random.random() < lv.social_organisation_quality:
            self.model.depart(task, done=True)
            return
        task.effort_left = task.effort_total * lv.rework_share
        task.authority_left = 0.0
        task.handoffs += 1
        task.buyer.receive(task, fresh=False)


class CityModel(mesa.Model):
    """The same city as `sim.TiaokuaiModel`, one object per task."""

    def __init__(self, cfg: Scenario, seed: int = 0):
        super().__init__(rng=seed)
        self.cfg, self.day, self.next_uid = cfg, 0, 0
        kinds = cfg.task_kinds
        self.rates = [k.rate_per_day * (1.0 - k.redundant_share if cfg.levers.data_sharing else 1.0) for k in kinds]
        self.purchasable = [k.purchasable for k in kinds]
        self.administrative = [k.origin != "residents" for k in kinds]
        self.abandon_after = [k.abandon_after_days or 0 for k in kinds]
        self.street_listed = cfg.listed_at("street")
        self.committee_listed = cfg.listed_at("committee")
        self.by_origin = {o: [i for i, k in enumerate(kinds) if k.origin == o] for o in ("department", "residents", "assessment")}
        self.created = self.done = self.abandoned = self.refusals = self.escalations = 0
        self.lead_sum = 0
        self.blame = [0] * 5
        self.hours_used = [0.0] * 5
        self.hiring: dict[tuple[int, int], int] = {}
        self._build()

    def _build(self) -> None:
        cfg, st, lv = self.cfg, self.cfg.structure, self.cfg.levers
        n_org = int(round(st.social_organisation_pool_per_district * (1.0 - lv.social_organisation_entry_threshold)))
        self.departments, self.committees, self.streets = [], [], []
        self.orgs_of_district = []
        for d in range(st.districts):
            deps = [Department(self, d, cfg.department.staff) for _ in range(st.departments_per_district)]
            coms_d = []
            for _ in range(st.streets_per_district):
                street = Street(self, d, cfg.street.staff)
                street.street = street
                street.stations = [ServiceStation(self, d, lv.station_staff) for _ in range(lv.service_stations_per_street)]
                for station in street.stations:
                    station.street = street
                for _ in range(st.committees_per_street):
                    com = ResidentsCommittee(self, d, cfg.committee.staff)
                    com.street = street
                    coms_d.append(com)
                self.streets.append(street)
            for dep in deps:
                dep.committees_of_district = coms_d
            self.departments += deps
            self.committees += coms_d
            self.orgs_of_district.append([SocialOrganisation(self, d, lv.social_organisation_staff) for _ in range(n_org)])
        self.deps_of_district = [self.departments[i * st.departments_per_district : (i + 1) * st.departments_per_district] for i in range(st.districts)]
        self.coms_of_district = [self.committees[i * st.streets_per_district * st.committees_per_street : (i + 1) * st.streets_per_district * st.committees_per_street] for i in range(st.districts)]

    # ---- the day -------------------------------------------------------------------
    def step(self) -> None:
        self.day += 1
        for street in self.streets:
            budget = self.cfg.street.budget_per_day
            street.funding_budget += budget * (1 - self.cfg.levers.purchasing_budget_share)
            street.purchase_budget += budget * self.cfg.levers.purchasing_budget_share
        for dep in self.departments:
            dep.funding_budget += self.cfg.department.budget_per_day
        self.arrive()
        for kind in (Department, Street, ResidentsCommittee, ServiceStation, SocialOrganisation):
            self.agents_by_type[kind].do("route")
        self.agents.do("escalate")
        self.agents.do("work")
        self.agents.do("close_the_day")
        self.agents.do("turnover")
        if self.cfg.levers.reverse_evaluation and self.day % 21 == 0:
            self.rate_departments()

    def new_task(self, kind: int, holder: Office, territory: Office, responsible: Office, fresh: bool = True) -> Task:
        k = self.cfg.task_kinds[kind]
        if k.effort_cv > 0:
            shape = 1.0 / k.effort_cv**2
            effort = self.random.gammavariate(shape, k.effort_mean_hours / shape)
        else:
            effort = k.effort_mean_hours
        task = Task(
            uid=self.next_uid, kind=kind, holder=holder, territory=territory, responsible=responsible,
            created=self.day, deadline=self.day + k.deadline_days, ready_day=self.day,
            effort_total=effort, effort_left=effort,
            authority_left=effort * k.authority_share if k.needs_authority else 0.0, hard=k.hard,
        )
        self.next_uid += 1
        self.created += 1
        holder.receive(task, fresh)
        return task

    def arrive(self) -> None:
        rates_d = [self.rates[i] for i in self.by_origin["department"]]
        for dep in self.departments:
            for kind, n in zip(self.by_origin["department"], self.rng.poisson(rates_d)):
                for _ in range(n):
                    com = self.random.choice(dep.committees_of_district)
                    self.new_task(kind, dep, com, dep)
        rates_r = [self.rates[i] for i in self.by_origin["residents"]]
        for com in self.committees:
            for kind, n in zip(self.by_origin["residents"], self.rng.poisson(rates_r)):
                for _ in range(n):
                    self.new_task(kind, com, com, self.random.choice(self.deps_of_district[com.district]))
        kinds_a, intensity = self.by_origin["assessment"], self.cfg.levers.assessment_intensity
        if kinds_a and intensity > 0:
            rate = [intensity / len(kinds_a)] * len(kinds_a)
            for office in self.streets + self.committees:
                for kind, n in zip(kinds_a, self.rng.poisson(rate)):
                    for _ in range(n):
                        territory = office if office.level == COMMITTEE else self.coms_of_district[office.district][0]
                        task = self.new_task(kind, office, territory, self.random.choice(self.deps_of_district[office.district]), fresh=False)
                        task.pinned = task.from_above = True

    def depart(self, task: Task, done: bool) -> None:
        task.open = False
        if done:
            self.done += 1
            self.lead_sum += self.day - task.created
        else:
            self.abandoned += 1

    def rate_departments(self) -> None:
        sens = self.cfg.levers.reverse_evaluation_sensitivity
        for dep in self.departments:
            bad = min(dep.month_unfunded + dep.month_leaked, dep.month_pushed)
            dep.push_down_bias = 1.0 - sens * (bad / dep.month_pushed if dep.month_pushed > 0 else 0.0)
            dep.month_pushed = dep.month_unfunded = dep.month_leaked = 0.0

    def summary(self) -> dict:
        return {
            "tasks_created": self.created,
            "tasks_done": self.done,
            "tasks_abandoned": self.abandoned,
            "lead_time_days_mean": self.lead_sum / self.done if self.done else math.nan,
            "escalations_total": self.escalations,
            "refusals_total": self.refusals,
        }


def run(cfg: Scenario, seed: int, days: int) -> dict:
    model = CityModel(cfg, seed)
    for _ in range(days):
        model.step()
    return model.summary()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    cfg = load_scenario(args.scenario)
    start = time.perf_counter()
    summary = run(cfg, args.seed, args.days)
    wall = time.perf_counter() - start
    print({**summary, "wall_s": round(wall, 2), "tasks_per_s": round(summary["tasks_created"] / wall)})


if __name__ == "__main__":
    main()
