"""From a robustness file to the worlds: the uncertainties and the sweep that runs them.

The default uncertainties are read off the base scenario file itself: every numeric value
whose line carries the word "assumption" in a comment is a number no source gives, so it
becomes a range around its value. Values a policy sets itself (a regime's own lever) are
left out, or the design would overwrite the regimes; explicit `ranges` add to or replace
the defaults. The result is an ordinary sweep experiment with a Latin hypercube design,
so the sweep engine runs it: resumable, on local processes or Dask, every policy in every
world on the same replication seeds.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
import yaml

from sim.config import Scenario
from sim.errors import InputError, Problem
from sim.scenario_io import field_at, with_overrides
from sim.sweep.plan import Plan, arm_scenarios, flatten
from sim.sweep.spec import Design, Experiment, Range, SubExperiment, resolve

from .spec import RobustnessExperiment

NEVER_UNCERTAIN = ("name", "description", "days", "warmup_days")
HALF = 0.499  # integer ranges are widened by this much so every whole number is equally likely


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain input: its dotted path, readable label, range and where it came from."""

    path: str
    label: str
    low: float
    high: float
    integer: bool
    origin: str  # "assumption (value V)" or "experiment file"


def assumption_values(scenario_file: str | Path) -> dict[str, Any]:
    """Dotted path -> value of every scalar whose line has 'assumption' in its comment,
    following `extends:` (a child's tag wins over its parent's)."""
    path = Path(scenario_file)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: dict[str, Any] = {}
    root = yaml.compose(text)
    parent = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "extends" and isinstance(value, yaml.ScalarNode):
                parent = value.value
    if parent:
        found.update(assumption_values(path.parent / parent))

    def comment(line: int) -> str:
        raw = lines[line] if line < len(lines) else ""
        return raw.split("#", 1)[1] if "#" in raw else ""

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, f"{prefix}.{key.value}" if prefix else str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{prefix}.{i}")
        elif isinstance(node, yaml.ScalarNode) and "assumption" in comment(node.start_mark.line).lower():
            found[prefix] = yaml.safe_load(node.value) if node.tag.endswith(("int", "float")) else node.value

    if root is not None:
        walk(root, "")
    return {k: v for k, v in found.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def field_of(parts: list[str]):
    """The pydantic FieldInfo a dotted path names in the scenario schema, or None."""
    return field_at(parts)  # the one schema walker (sim.scenario_io)


def _num(bound: Any) -> float:
    return float(bound)


def schema_bounds(path: str) -> tuple[float, float, bool]:
    """The schema's lower and upper bound of a field and whether it is a whole number."""
    info = field_of(path.split("."))
    low, high = -math.inf, math.inf
    if info is None:
        return low, high, False
    for m in info.metadata:
        if isinstance(m, annotated_types.Ge):
            low = max(low, _num(m.ge))
        elif isinstance(m, annotated_types.Gt):
            low = max(low, _num(m.gt) + 1e-9)
        elif isinstance(m, annotated_types.Le):
            high = min(high, _num(m.le))
        elif isinstance(m, annotated_types.Lt):
            high = min(high, _num(m.lt) - 1e-9)
    integer = info.annotation is int or typing.get_args(info.annotation)[:1] == (int,)
    return low, high, integer


def label_for(path: str, base: Scenario) -> str:
    """`task_kinds.0.rate_per_day` reads as `resident_request.rate_per_day`."""
    parts = path.split(".")
    if parts[0] == "task_kinds" and len(parts) > 2 and parts[1].isdigit():
        i = int(parts[1])
        if i < len(base.task_kinds):
            return ".".join([base.task_kinds[i].name, *parts[2:]])
    return path


def uncertainties(exp: RobustnessExperiment, source: str, policy_scenarios: dict[str, Scenario]) -> list[Uncertainty]:
    """The experiment's uncertainties: the assumption-tagged defaults, then explicit ranges."""
    base_file = resolve(source, exp.base)
    base = next(iter(policy_scenarios.values()))
    flat = {name: flatten(s.model_dump(mode="json")) for name, s in policy_scenarios.items()}
    out: dict[str, Uncertainty] = {}
    spec = exp.uncertainties
    if spec.assumptions:
        for path, value in assumption_values(base_file).items():
            if path.split(".")[0] in NEVER_UNCERTAIN or any(
                path == e or path.startswith(e + ".") for e in spec.exclude
            ):
                continue
            if len({repr(f.get(path)) for f in flat.values()}) > 1:
                continue  # a policy sets it: it is part of a regime, not of the world
            lo_bound, hi_bound, integer = schema_bounds(path)
            low = max(lo_bound, value * (1 - spec.spread))
            high = min(hi_bound, value * (1 + spec.spread))
            if integer:
                low, high = math.ceil(low), math.floor(high)
            if not low < high:
                continue
            out[path] = Uncertainty(path, label_for(path, base), float(low), float(high), integer,
                                    f"assumption (value {value:g})")
    for path, rng in spec.ranges.items():
        _, _, integer = schema_bounds(path)
        out[path] = Uncertainty(path, label_for(path, base), rng.low, rng.high, rng.integer or integer,
                                "experiment file")
    return list(out.values())


def check_uncertainties(exp: RobustnessExperiment, source: str, policy_scenarios: dict[str, Scenario]) -> None:
    """Refuse, naming the robustness file's own fields, an `exclude` path the schema lacks
    and a range that is no number of every policy's scenario (an unknown or non-scalar
    path, the horizon, a true/false lever, an end outside the lever's bounds)."""
    problems: list[Problem] = []
    spec = exp.uncertainties
    for i, path in enumerate(spec.exclude):
        if field_at(path) is None:
            problems.append(Problem(source, f"uncertainties.exclude.{i}", "no such field in the scenario schema", path))
    flats = {name: flatten(s.model_dump(mode="json")) for name, s in policy_scenarios.items()}
    flat = next(iter(flats.values()))
    for path, rng in spec.ranges.items():
        where = f"uncertainties.ranges.{path}"
        info = field_at(path)
        if info is None or path not in flat:
            rule = "no such field in the scenario schema" if info is None else "not a single number of the scenario"
            problems.append(Problem(source, where, rule, path))
            continue
        if path.split(".")[0] in NEVER_UNCERTAIN:
            problems.append(Problem(source, where, "the horizon (days, warmup_days) and names are never "
                                    "uncertainties; set days and warmup_days at the top of the file", path))
            continue
        if len({repr(f.get(path)) for f in flats.values()}) > 1:  # as the assumption defaults leave it out
            problems.append(Problem(source, where, "the policies set it differently: a range would overwrite each "
                                    "regime's own value in every world; leave it to the policies", path))
            continue
        if info.annotation is bool:
            problems.append(Problem(source, where, "a true/false lever is not a range of worlds; set it "
                                    "in the policies", path))
            continue
        integer = rng.integer or schema_bounds(path)[2]
        for end in (rng.low, rng.high):
            value = round(end) if integer else end
            for scenario in policy_scenarios.values():
                try:
                    with_overrides(scenario, {path: value}, source=f"{source}: uncertainties.ranges")
                except InputError as err:
                    problems.extend(p for p in err.problems if p not in problems)
    if problems:
        raise InputError(problems)


def sweep_experiment(exp: RobustnessExperiment, source: str) -> tuple[Experiment, list[Uncertainty]]:
    """The sweep experiment that runs every policy in every world (paths made absolute)."""
    arms = {
        name: SubExperiment(
            description=p.description,
            scenario=str(resolve(source, p.scenario).resolve()) if p.scenario else None,
            set=dict(p.set),
        )
        for name, p in exp.policies.items()
    }
    plain = Experiment(
        name=exp.name, base=str(resolve(source, exp.base).resolve()), sub_experiments=arms,
        replications=1, master_seed=exp.master_seed, outcomes=exp.measured,
        days=exp.days, warmup_days=exp.warmup_days,
    )
    if resolve(source, exp.base).is_dir():
        raise InputError([Problem(source, "base", "is a folder, not a scenario file", exp.base)])
    if not resolve(source, exp.base).is_file():
        raise InputError([Problem(source, "base", "scenario file not found (paths are relative to "
                                  "the experiment file)", exp.base)])
    try:
        scenarios = arm_scenarios(plain, source)
    except InputError as err:  # the arms are the file's policies: say so, with the paths as the file gives them
        raise InputError([_as_policy(p, exp) for p in err.problems]) from None
    check_uncertainties(exp, source, scenarios)
    found = uncertainties(exp, source, scenarios)
    if not found:
        raise InputError([Problem(source, "uncertainties", "nothing varies between worlds: no "
                                  "'assumption' tags found and no ranges given", None)])
    ranges = {
        u.path: Range(low=u.low - HALF, high=u.high + HALF, integer=True) if u.integer
        else Range(low=u.low, high=u.high)
        for u in found
    }
    design = Design(method="latin_hypercube", samples=exp.worlds.points, ranges=ranges,
                    seed=exp.worlds.seed if exp.worlds.seed is not None else exp.master_seed)
    data = plain.model_dump(mode="json")
    data.update(design=design.model_dump(mode="json"), replications=exp.replications,
                baseline=exp.baseline, description=exp.description)
    return Experiment.model_validate(data), found


def _as_policy(problem: Problem, exp: RobustnessExperiment) -> Problem:
    """A problem of the compiled sweep's arm, said of the robustness file's policy."""
    path = problem.path.replace("sub_experiments.", "policies.", 1)
    value = problem.value
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "policies" and parts[2] == "scenario" and parts[1] in exp.policies:
        value = exp.policies[parts[1]].scenario  # as written, not the absolute path compiled from it
    return Problem(problem.source.replace(": sub_experiments.", ": policies."), path,
                   problem.rule.replace("sub-experiment ", "policy "), value)


def check_study(exp: RobustnessExperiment, source: str) -> tuple[Experiment, list[Uncertainty], Plan]:
    """Everything `robustness` checks before it writes anything: the crisis rule's outcome,
    the policies, the uncertainties, and every world's scenario as the sweep will plan it
    (in memory, with problems naming the robustness file). Returns what `sweep_experiment`
    does and that plan (its fingerprint is the stored study's, whatever file it names)."""
    from sim.outcomes import SUMMARY_KEYS
    from sim.sweep.driver import check_plan_memory
    from sim.sweep.plan import plan_experiment, read_scenarios

    if exp.crisis is not None and exp.crisis.outcome not in SUMMARY_KEYS:
        raise InputError([Problem(source, "crisis.outcome", "not a summary outcome (sim/outcomes.py)",
                                  exp.crisis.outcome)])
    compiled, found = sweep_experiment(exp, source)
    plan = plan_experiment(compiled, read_scenarios(compiled, source), source)
    check_plan_memory(plan)
    return compiled, found, plan


def write_sweep_experiment(experiment: Experiment, path: Path) -> Path:
    """Write the compiled sweep experiment (only when it changed, so the store's file stays put)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
