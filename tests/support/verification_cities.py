"""The verification tests' degenerate cities, shared with benchmarks/verification_table.py:
a city whose departments push everything down (tests/test_verification_pushdown.py) and
one of independent single-office queues (tests/test_verification_queues.py)."""

from __future__ import annotations

from sim import Scenario

# ---- everything pushed down ------------------------------------------------------------

DEPARTMENTS, STREETS, PUSH_DAYS = 3, 4, 400
KINDS = (("campaign", 5.0, 2.0, 0.5), ("collection", 3.0, 1.0, 0.0))  # name, rate, effort, cv


def everything_pushed_city() -> Scenario:
    """Departments that push every task down to streets with ample hours, no gate in the way."""
    return Scenario.model_validate(
        {
            "name": "everything-pushed",
            "days": PUSH_DAYS,
            "warmup_days": 0,
            "structure": {
                "districts": 1,
                "departments_per_district": DEPARTMENTS,
                "streets_per_district": STREETS,
                "committees_per_street": 2,
                "social_organisation_pool_per_district": 0,
            },
            "department": {"staff": 1, "budget_per_day": 0},
            "street": {"staff": 10},
            "committee": {"staff": 1},
            "staff": {"overtime_ceiling": 0.0, "attrition_base": 0.0, "attrition_strain": 0.0},
            "task_kinds": [
                {
                    "name": name,
                    "origin": "department",
                    "rate_per_day": rate,
                    "effort_mean_hours": effort,
                    "effort_cv": cv,
                    "deadline_days": 30,
                }
                for name, rate, effort, cv in KINDS
            ],
            "levers": {
                "push_down_propensity": 1.0,
                "street_gate": {"enabled": False},
                "committee_gate": {"enabled": True, "compliance": 1.0, "listed": []},
                "assessment_intensity": 0.0,
            },
        }
    )


def street_arrivals(ts) -> tuple[int, float]:
    """Tasks and hours that reached the streets: what they finished plus what they hold."""
    street = ts[ts.level == "street"]
    tasks = int(street.tasks_done.sum() + street.open_tasks.iloc[-1])
    hours = float(street.hours_used.sum() + street.backlog_hours.iloc[-1])
    return tasks, hours



# ---- single-office queues ---------------------------------------------------------------

OFFICES, QUEUE_DAYS, WARMUP = 100, 2000, 100
Z = 4.0


def single_office_city(
    rate: float, effort: float, effort_cv: float, hours_per_day: float,
    offices: int = OFFICES, days: int = QUEUE_DAYS, warmup: int = WARMUP,
) -> Scenario:
    """`offices` departments, each one staff member working `hours_per_day` on its own
    Poisson stream of tasks; nothing moves between offices."""
    return Scenario.model_validate(
        {
            "name": "single-office-queue",
            "days": days,
            "warmup_days": warmup,
            "structure": {
                "districts": 1,
                "departments_per_district": offices,
                "streets_per_district": 1,
                "committees_per_street": 1,
                "social_organisation_pool_per_district": 0,
            },
            "department": {"staff": 1, "budget_per_day": 0},
            "street": {"staff": 1},
            "committee": {"staff": 1},
            "staff": {
                "hours_per_day": hours_per_day,
                "overtime_ceiling": 0.0,
                "strain_buildup": 0.0,
                "attrition_base": 0.0,
                "attrition_strain": 0.0,
            },
            "task_kinds": [
                {
                    "name": "work",
                    "origin": "department",
                    "rate_per_day": rate,
                    "effort_mean_hours": effort,
                    "effort_cv": effort_cv,
                    "deadline_days": 1000,
                }
            ],
            "levers": {
                "push_down_propensity": 0.0,
                "push_down_backlog_sensitivity": 0.0,
                "assessment_intensity": 0.0,
                # a queue, not an office that decides: issue 15's behaviours off
                "coping_threshold_days": None,
                "documentation_overhead": 0.0,
                "ranking_pressure": 0.0,
                "blame_shifting": 0.0,
            },
            "self_governance": {"latent_hours_per_committee_day": 0.0},
        }
    )
