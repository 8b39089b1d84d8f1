"""The rules of the model: each module a set of functions of a `World` (sim.world), and
`play_day`, the order of play of one working day.

To add a mechanism: write its rule here (a function of the World, reading its lever with
`world.lever("name")`, or `world.lever_at("name", offices)` for the offices or tasks it
decides on: in a stack of worlds that run different regimes a lever may have one value
per world, sim.world), give it a lever in `sim.config.Levers`, and declare what it
measures in `sim.outcomes`. Nothing else needs to change.
"""

from __future__ import annotations

from ..world import World
from . import (
    arrivals,
    blame,
    budgets,
    campaigns,
    community,
    compliance,
    coping,
    escalation,
    evaluation,
    ranking,
    routing,
    staff,
    work,
)


def play_day(world: World) -> None:
    """One working day, in order."""
    world.begin_day()
    budgets.accrue_budgets(world)  # money arrives
    arrivals.arrive(world)  # departments, residents and assessments create tasks
    campaigns.launch_campaigns(world)  # a running campaign's hard work hits its district
    routing.route_department_tasks(world)  # top down: each level decides what it newly holds
    routing.route_street_tasks(world)
    routing.route_committee_tasks(world)
    escalation.escalate(world)  # work needing authority goes back up
    coping.box_tick(world)  # offices over their coping threshold box-tick administrative work
    work.spend_hours(world)  # every office works its queue
    blame.record_documentation(world)  # offices with blame spent part of the day on paper
    coping.send_back_rework(world)  # box-ticked work found out comes back in full
    community.take_up_self_governance(world)  # spare hours go to latent self-governance
    world.tasks.tidy()
    work.close_the_day(world)  # residents give up; overdue work blames its holder
    blame.update_blame(world)  # the blame stock, and tomorrow's documentation
    ranking.record_late(world)  # administrative work failed counts against its holder's ranking
    staff.staff_turnover(world)  # strain, attrition, hiring
    if evaluation.is_rating_day(world):
        evaluation.rate_departments(world)
    if ranking.is_ranking_day(world):
        ranking.rank_offices(world)  # the bottom streets and committees are sanctioned (一票否决)
    ranking.record_sanctions(world)
    community.record_participation(world)
    compliance.record_leak_propensity(world)
    world.close_day()  # the day's record
