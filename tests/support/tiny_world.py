"""A tiny World for rule tests: one district with one department, one street and one
committee (three offices, SimPy-sized), built straight from a scenario mapping.

    world = tiny_world(levers={"street_gate": {"enabled": True}})
    rows = put_task(world, "chore", holder=DEPARTMENT_ROW, effort=2.0)
    routing.route_department_tasks(world)

No arrivals happen unless a rule draws them: tests put the tasks they need in the ledger
with `put_task` and call the one rule they are about.
"""

from __future__ import annotations

from typing import Any

from sim.config import Scenario
from sim.world import World

# roster rows of the three offices (levels are numbered top down)
DEPARTMENT_ROW, STREET_ROW, COMMITTEE_ROW = 0, 1, 2

TINY_KINDS = (
    {"name": "chore", "origin": "department", "rate_per_day": 0.0, "effort_mean_hours": 2.0,
     "effort_cv": 0.0, "deadline_days": 5, "street_listed": True, "committee_listed": True},
    {"name": "unlisted_chore", "origin": "department", "rate_per_day": 0.0, "effort_mean_hours": 2.0,
     "effort_cv": 0.0, "deadline_days": 5},
    {"name": "approval", "origin": "residents", "rate_per_day": 0.0, "effort_mean_hours": 2.0,
     "effort_cv": 0.0, "deadline_days": 5, "needs_authority": True, "authority_share": 0.5,
     "street_listed": True, "committee_listed": True},
    {"name": "meeting", "origin": "residents", "rate_per_day": 0.0, "effort_mean_hours": 4.0,
     "effort_cv": 0.0, "deadline_days": 20, "self_governance": True, "abandon_after_days": 3},
)


def tiny_scenario(levers: dict[str, Any] | None = None, **fields: Any) -> Scenario:
    data: dict[str, Any] = {
        "name": "tiny",
        "days": 20,
        "warmup_days": 0,
        "structure": {"districts": 1, "departments_per_district": 1, "streets_per_district": 1,
                      "committees_per_street": 1, "social_organisation_pool_per_district": 0},
        "department": {"staff": 1, "budget_per_day": 0.0},
        "street": {"staff": 1, "budget_per_day": 0.0},
        "committee": {"staff": 1},
        "staff": {"attrition_base": 0.0, "attrition_strain": 0.0},
        "task_kinds": list(TINY_KINDS),
        "levers": {"push_down_propensity": 1.0, "push_down_backlog_sensitivity": 0.0, **(levers or {})},
    }
    data.update(fields)
    return Scenario.model_validate(data)


def tiny_world(levers: dict[str, Any] | None = None, seed: int = 0, **fields: Any) -> World:
    return World.build(tiny_scenario(levers, **fields), seed)


def put_task(world: World, kind: str, holder: int, effort: float | None = None, territory: int = COMMITTEE_ROW,
             responsible: int = DEPARTMENT_ROW, **columns: Any) -> int:
    """Add one task of `kind` held by `holder` today; returns its ledger row."""
    k = world.kinds.names.index(kind)
    effort = float(world.kinds.effort_mean[k]) if effort is None else effort
    values = dict(
        kind=k, holder=holder, territory=territory, responsible=responsible, created=world.day,
        deadline=world.day + int(world.kinds.deadline[k]), ready_day=world.day, effort_total=effort,
        effort_left=effort, authority_left=effort * float(world.kinds.authority_share[k]),
        hard=bool(world.kinds.hard[k]),
    )
    values.update(columns)
    rows = world.tasks.add(1, **values)
    world.tally.created += 1
    return rows.start
