"""The scenario schema: structure, task kinds, staff, budgets and regime levers.

A scenario is data checked at the door. Every model here is frozen and refuses unknown
keys; every number has a stated unit and bound in its description. Units: time in
working days, work in staff-hours, money in yuan.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Field(ge=0.0, le=1.0)


class Frozen(BaseModel):
    """Immutable, refuses unknown keys, strict (no "3" for 3 or "yes" for true), finite numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


NAME_PATTERN = r"\S"  # a name must not be blank


class TaskKind(Frozen):
    """A kind of work, e.g. a resident's service request or a department's data collection."""

    name: str = Field(
        min_length=1, max_length=200, pattern=NAME_PATTERN, description="identifier used by gates and outputs"
    )
    origin: Literal["department", "residents", "assessment"] = Field(
        description="who creates it: departments, residents (at their committee), or the "
        "assessment regime (imposed on streets and committees, see levers.assessment_intensity)"
    )
    rate_per_day: float = Field(
        ge=0.0,
        le=1000.0,
        description="mean arrivals per originating agent per working day (Poisson); "
        "ignored for origin=assessment",
    )
    effort_mean_hours: float = Field(gt=0.0, le=1000.0, description="mean effort, staff-hours")
    effort_cv: float = Field(
        default=0.5, ge=0.0, le=3.0, description="coefficient of variation of effort (gamma)"
    )
    deadline_days: int = Field(ge=1, le=1000, description="working days from creation to deadline")
    needs_authority: bool = Field(
        default=False,
        description="needs a department's legal authority to finish: holders below can only "
        "do the preparatory share and escalate",
    )
    authority_share: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="for needs_authority kinds, share of effort that only a department can do",
    )
    street_listed: bool = Field(
        default=False, description="on the street admission list (may be sunk to streets)"
    )
    committee_listed: bool = Field(
        default=False, description="on the committee admission list (may be sunk to committees)"
    )
    abandon_after_days: int | None = Field(
        default=None,
        ge=1,
        le=5000,
        description="resident kinds: residents give up after this many working days (unmet demand)",
    )
    hard: bool = Field(
        default=False, description="a hard task (assessment/inspection) that jumps the queue"
    )
    self_governance: bool = Field(
        default=False, description="committee self-governance work (the work committees exist for)"
    )
    redundant_share: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="share made redundant by data sharing (levers.data_sharing)",
    )
    purchasable: bool = Field(
        default=False, description="may be bought from social organisations (levers.purchasing_budget_share)"
    )


class Structure(Frozen):
    """How many of each actor: two levels of government, three of management (BRIEF, 001)."""

    districts: int = Field(default=1, ge=1, le=100)
    departments_per_district: int = Field(default=10, ge=1, le=100)
    streets_per_district: int = Field(default=14, ge=1, le=500)
    committees_per_street: int = Field(default=10, ge=1, le=200)
    social_organisation_pool_per_district: int = Field(
        default=40,
        ge=0,
        le=100000,
        description="organisations that would exist with no entry threshold; "
        "levers.social_organisation_entry_threshold keeps some out",
    )
    heterogeneity_cv: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description="coefficient of variation of offices' staff (departments, streets, committees) and of "
        "committees' population (their latent self-governance demand), lognormal with mean 1, drawn once "
        "per run from an exogenous stream; 0 = identical offices (the model before issue 15, and the "
        "default: the verification cities and the shipped results assume identical offices; ≈0.2 matches "
        "committees of 5-9 workers)",
    )


class LevelStaff(Frozen):
    """Staff of one kind of agent."""

    staff: int = Field(ge=0, le=100000, description="staff per agent at the start")
    budget_per_day: float = Field(
        default=0.0,
        ge=0.0,
        le=1e9,
        description="money per agent per working day available to fund work sent down or bought, yuan",
    )


class StaffCategory(Frozen):
    """A category of staff doing the same work on its own pay and prospects (004: civil
    servants, public-institution staff, community workers, community auxiliaries)."""

    name: str = Field(min_length=1, max_length=200, pattern=NAME_PATTERN, description="identifier in outputs")
    street_share: float = Field(ge=0.0, le=1.0, description="share of a street office's posts in this category")
    committee_share: float = Field(ge=0.0, le=1.0, description="share of a committee's posts in this category")
    attrition_multiplier: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="multiplier on staff.attrition_base (leaving for pay and prospects, not strain) for this category",
    )


class Staff(Frozen):
    """Working time, overtime, strain and attrition (BRIEF 11; Homer's burnout model)."""

    hours_per_day: float = Field(default=8.0, ge=0.5, le=24.0, description="hours per staff-day")
    overtime_ceiling: float = Field(
        default=0.25, ge=0.0, le=1.0, description="overtime at most this share of normal hours"
    )
    strain_buildup: float = Field(
        default=0.05, ge=0.0, le=1.0, description="strain added per day per unit overtime share"
    )
    strain_recovery: float = Field(
        default=0.02, ge=0.0, le=1.0, description="share of strain that fades per day without overtime"
    )
    attrition_base: float = Field(
        default=0.0002, ge=0.0, le=0.1, description="daily probability a staff member leaves, no strain"
    )
    attrition_strain: float = Field(
        default=0.01, ge=0.0, le=1.0, description="extra daily leaving probability per unit strain"
    )
    hiring_delay_days: int = Field(
        default=60, ge=0, le=1000, description="working days before a vacancy is refilled"
    )
    hourly_cost: float = Field(
        default=60.0, ge=0.01, le=1e6, description="yuan per staff-hour, converts budgets into funded hours"
    )
    strain_productivity_loss: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="share of an office's normal hours lost per unit of strain (burnout saps energy, Homer "
        "1985), at most this share at strain 1; makes overload self-sustaining (burnout tipping, issue 15 "
        "behaviour 7); 0 = strain costs no hours (the model before issue 15, and the default)",
    )
    strain_productivity_threshold: float = Field(
        default=0.3,
        ge=0.0,
        lt=1.0,
        description="strain below which burnout costs no hours; above it the loss rises linearly to "
        "strain_productivity_loss at strain 1 (occasional overtime tires, only sustained overtime burns out)",
    )
    categories: tuple[StaffCategory, ...] = Field(
        default=(),
        max_length=20,
        strict=False,  # a YAML list becomes the tuple
        description="staff categories of streets and committees with their own attrition (004); "
        "empty = one category (the model before issue 15, and the default)",
    )

    @model_validator(mode="after")
    def _shares_add_up(self) -> Staff:
        if self.categories:
            for field in ("street_share", "committee_share"):
                total = sum(getattr(c, field) for c in self.categories)
                if abs(total - 1.0) > 1e-6:
                    raise ValueError(f"staff.categories' {field} must add up to 1; they add up to {total:g}")
            names = [c.name for c in self.categories]
            if len(set(names)) != len(names):
                raise ValueError("staff.categories' names must be unique")
        return self


class Gate(Frozen):
    """An admission list at one level (职责准入清单)."""

    enabled: bool = Field(default=False, description="only listed task kinds may be sunk here")
    compliance: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="share of refused pushes the sender respects; the rest leak through (counted)",
    )
    review_days: int = Field(
        default=0, ge=0, le=200, description="working days a listed task waits for admission review"
    )
    listed: tuple[str, ...] | None = Field(
        default=None,
        strict=False,  # a YAML list becomes the tuple
        description="task kinds on this list; when absent, the kinds' own street_listed / "
        "committee_listed flags say",
    )


class Levers(Frozen):
    """The regime: every lever a sweep may vary (DESIGN.md §3)."""

    push_down_propensity: float = Field(
        default=0.8, ge=0.0, le=1.0, description="base probability a holder hands a task down"
    )
    street_push_down_propensity: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="base probability a street hands a task on to a committee or station; "
        "when absent, push_down_propensity applies to streets too",
    )
    push_down_backlog_sensitivity: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="rise of push-down probability per day of own backlog (backlog hours / daily hours)",
    )
    street_gate: Gate = Gate()
    committee_gate: Gate = Gate()
    resources_follow_tasks: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="share of a pushed task's effort that travels as funded hours from the sender's budget",
    )
    escalation_acceptance: float = Field(
        default=0.5, ge=0.0, le=1.0, description="share of escalations a department takes back at once"
    )
    bounce_limit: int = Field(
        default=3, ge=0, le=100, description="bounces after which the department must take the task"
    )
    escalation_retry_days: int = Field(
        default=3, ge=0, le=100, description="working days before a bounced task is escalated again"
    )
    assessment_intensity: float = Field(
        default=0.0, ge=0.0, le=100.0, description="assessment tasks per street and per committee per day"
    )
    committee_assessment_intensity: float | None = Field(
        default=None,
        ge=0.0,
        le=100.0,
        description="assessment tasks per committee per day; when absent, assessment_intensity "
        "applies to committees too (Erqi: departments may not assess committees separately)",
    )
    reverse_evaluation: bool = Field(
        default=False, description="streets rate departments monthly; bad ratings lower push-down"
    )
    reverse_evaluation_sensitivity: float = Field(
        default=0.5, ge=0.0, le=1.0, description="largest monthly cut of a department's push-down propensity"
    )
    service_stations_per_street: int = Field(default=0, ge=0, le=50)
    station_staff: int = Field(default=8, ge=0, le=1000, description="staff per service station")
    purchasing_budget_share: float = Field(
        default=0.0, ge=0.0, le=1.0, description="share of a street's budget spent buying services"
    )
    social_organisation_entry_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="share of the potential social organisations kept out by registration rules",
    )
    social_organisation_staff: int = Field(default=4, ge=0, le=1000)
    social_organisation_price_per_hour: float = Field(default=80.0, ge=0.01, le=1e6, description="yuan")
    social_organisation_quality: float = Field(
        default=0.85, ge=0.0, le=1.0, description="probability purchased work is accepted"
    )
    social_organisation_max_backlog_days: float = Field(
        default=3.0,
        ge=0.0,
        le=100.0,
        description="an organisation accepts no more work once its queue exceeds this many days of its hours",
    )
    rework_share: float = Field(
        default=0.5, ge=0.0, le=1.0, description="share of effort redone by the buyer after rejection"
    )
    data_sharing: bool = Field(
        default=False, description="shared data: redundant data collection is never created"
    )
    demand_multiplier: float = Field(
        default=1.0,
        ge=0.0,
        le=10.0,
        description="scales every arrival rate (departments', residents' and assessments'); 1 = as calibrated",
    )
    extra_committee_staff_per_street: int = Field(
        default=0,
        ge=0,
        le=10000,
        description="staff added to each street's committees, spread evenly (the first committees get "
        "one more when it does not divide); for arms matched in cost to stations or money",
    )
    # ---- behaviour (issue 15; docs/behaviours.md) -------------------------------------
    campaigns_per_year: float = Field(
        default=0.0,
        ge=0.0,
        le=50.0,
        description="campaigns (运动式治理) per district per 250 working days, drawn once per run "
        "from the exogenous demand stream; 0 = none (the model before issue 15, and the default: "
        "campaigns are shocks, and the shipped scenarios' summaries assume a steady state)",
    )
    campaign_hours: float = Field(
        default=300.0,
        ge=0.0,
        le=100000.0,
        description="staff-hours of hard campaign work each street and committee of the district "
        "must do over one campaign",
    )
    campaign_days: int = Field(
        default=15, ge=1, le=250, description="working days a campaign lasts; its work arrives in equal daily parts"
    )
    coping_threshold_days: float | None = Field(
        default=3.0,
        ge=0.0,
        le=1000.0,
        description="an office whose backlog exceeds this many days of its normal hours box-ticks "
        "its administrative work (Lipsky's coping); none = never (the model before issue 15)",
    )
    box_ticking_effort_share: float = Field(
        default=0.5, ge=0.0, le=1.0, description="share of its effort a box-ticked task takes"
    )
    rework_probability: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="probability a box-ticked task comes back, in full, as rework when it is done",
    )
    coping_rations_residents: bool = Field(
        default=False,
        description="an office over its coping threshold works residents' matters only after its other "
        "work (Lipsky's rationing by delay); false = never (the model before, and the default)",
    )
    audit_rate: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description="probability that a push forced through an admission gate is audited (and sanctioned)",
    )
    compliance_learning_rate: float = Field(
        default=0.002,
        ge=0.0,
        le=1.0,
        description="rise of a sender's leak propensity towards 1 after each unaudited leak; "
        "0 = senders never learn (the model before issue 15)",
    )
    leak_sanction: float = Field(
        default=0.2, ge=0.0, le=1.0, description="share of a sender's leak propensity an audited leak removes"
    )
    blame_decay: float = Field(
        default=0.05, ge=0.0, le=1.0, description="share of an office's blame stock that fades per day"
    )
    documentation_overhead: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="share of an office's hours spent documenting (留痕) per unit of blame stock "
        "per staff member, at most half its hours; 0 = blame changes nothing (the model before issue 15)",
    )
    blame_shifting: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="how far blame makes an office shift work away, per unit of blame stock per staff "
        "member (at most 1): a sender pushes down, a receiver holds a gate's refusal, an office below "
        "gets an escalation taken up, each with probability p + (1 − p) × that; 0 = blame changes no "
        "decision (the model before issue 15)",
    )
    ranking_pressure: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="share of streets (within their district) and of committees (within their street) "
        "ranked at the bottom each month on administrative work done on time and sanctioned (one-vote "
        "veto, 一票否决): for the next month they put administrative work first and push more down; "
        "only offices that let such work pass its deadline can be sanctioned; 0 = no ranking (the model "
        "before issue 15)",
    )


class SelfGovernance(Frozen):
    """Communities that respond (issue 15, BEHAVIOUR.md §6): self-governance is latent
    demand that committees take up with the hours they have to spare, scaled by a
    participation stock that grows with self-governance hours and decays when neglected."""

    latent_hours_per_committee_day: float = Field(
        default=8.0,
        ge=0.0,
        le=1000.0,
        description="latent self-governance demand per committee per working day at full "
        "participation, staff-hours; 0 = none (the model before issue 15)",
    )
    initial_participation: float = Field(
        default=0.5, ge=0.0, le=1.0, description="participation stock at the start (0..1)"
    )
    participation_growth: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="growth of participation per day per unit of self-governance served "
        "(as a share of full latent demand), logistic towards 1",
    )
    participation_decay: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="share of participation lost per day when latent demand goes wholly unserved",
    )
    coproduction_effort_share: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="share of a resident's request effort residents do themselves at full participation "
        "(co-production; requests needing a department's authority and self-governance matters excepted), "
        "scaled by the committee's participation when the request arrives; 0 = none (the model before, "
        "and the default)",
    )


class Scenario(Frozen):
    """A city, its work, its staff and its regime."""

    name: str = Field(min_length=1, max_length=200, pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=20_000)
    days: int = Field(default=250, ge=1, le=5000, description="working days simulated")
    warmup_days: int = Field(default=50, ge=0, le=5000, description="days left out of summaries")
    structure: Structure = Structure()
    department: LevelStaff = LevelStaff(staff=60, budget_per_day=30000.0)
    street: LevelStaff = LevelStaff(staff=30, budget_per_day=3000.0)
    committee: LevelStaff = LevelStaff(staff=5)
    staff: Staff = Staff()
    task_kinds: tuple[TaskKind, ...] = Field(min_length=1, max_length=200, strict=False)
    levers: Levers = Levers()
    self_governance: SelfGovernance = SelfGovernance()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [k.name for k in self.task_kinds]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"task kind names must be unique; repeated: {', '.join(dup)}")
        if self.warmup_days >= self.days:
            raise ValueError(
                f"warmup_days ({self.warmup_days}) must be less than days ({self.days})"
            )
        for gate_name in ("street_gate", "committee_gate"):
            gate = getattr(self.levers, gate_name)
            unknown = [n for n in (gate.listed or ()) if n not in names]
            if unknown:
                raise ValueError(
                    f"levers.{gate_name}.listed names task kinds that do not exist: "
                    f"{', '.join(unknown)} (known: {', '.join(names)})"
                )
        if not any(k.origin != "assessment" for k in self.task_kinds):
            raise ValueError("at least one task kind must originate from departments or residents")
        return self

    def listed_at(self, level: Literal["street", "committee"]) -> tuple[bool, ...]:
        """Which task kinds the admission list at this level admits."""
        gate = self.levers.street_gate if level == "street" else self.levers.committee_gate
        if gate.listed is not None:
            return tuple(k.name in gate.listed for k in self.task_kinds)
        flag = "street_listed" if level == "street" else "committee_listed"
        return tuple(getattr(k, flag) for k in self.task_kinds)
