"""Reading scenarios from YAML and applying dotted-path overrides (`--set a.b=value`).

This is the door: everything that comes in from a file or the command line is checked
here and turned into a frozen `Scenario`, or refused with an `InputError` naming the
file, the field path, the rule and the bad value.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .config import Scenario
from .errors import InputError, Problem


def problems_from_validation(source: str, err: ValidationError, prefix: str = "") -> list[Problem]:
    """Turn pydantic's errors into one Problem per field, with dotted paths."""
    out = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        rule = e["msg"]
        if e["type"] == "extra_forbidden":
            rule = "unknown key (not part of the schema)"
        elif e["type"] == "missing":
            rule = "required field is missing"
        if rule.startswith("Value error, "):
            rule = rule[len("Value error, ") :]
        value = e.get("input") if e["type"] != "missing" else None
        if isinstance(value, dict):
            value = "{...}"
        out.append(Problem(source, loc, rule, value))
    return out


def read_yaml_mapping(path: str | Path) -> dict:
    """Load a YAML file that must hold a mapping, refusing syntax errors clearly."""
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError([Problem(source, "", "file not found", source)])
    if p.is_dir():
        raise InputError([Problem(source, "", "is a directory, expected a YAML file", source)])
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([Problem(source, where, f"YAML syntax error: {reason}", None)]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(source, "", "file is not UTF-8 text", str(exc))]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(source, "", "expected a mapping of fields at top level", data)])
    return data


def merge(base: dict, patch: dict) -> dict:
    """Deep-merge `patch` into a copy of `base`: mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_scenario_mapping(path: str | Path, _seen: tuple[str, ...] = ()) -> dict:
    """Read a scenario file, resolving `extends: other.yaml` (relative to the file)."""
    data = read_yaml_mapping(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    source = str(path)
    if not isinstance(parent, str) or not parent.strip():
        raise InputError([Problem(source, "extends", "must be the path of another scenario file", parent)])
    parent_path = (Path(path).parent / parent).resolve()
    if str(parent_path) in _seen:
        raise InputError([Problem(source, "extends", "scenarios extend each other in a cycle", parent)])
    if not parent_path.exists():
        raise InputError([Problem(source, "extends", "file not found", parent)])
    base = read_scenario_mapping(parent_path, _seen + (str(Path(path).resolve()),))
    return merge(base, data)


def scenario_from_mapping(data: dict, source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(problems_from_validation(source, err)) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read a scenario file, apply `overrides` (dotted path -> value) and validate."""
    data = read_scenario_mapping(path)
    if overrides:
        data = set_dotted(data, overrides, source=str(path))
    return scenario_from_mapping(data, str(path))


def parse_set(assignments: list[str], source: str = "--set") -> dict[str, Any]:
    """Parse `path=value` strings; values are read as YAML scalars (`0.6`, `true`, `[a, b]`)."""
    out: dict[str, Any] = {}
    problems = []
    for item in assignments:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            problems.append(Problem(source, item, "expected PATH=VALUE, e.g. levers.push_down_propensity=0.5", item))
            continue
        try:
            out[key] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            problems.append(Problem(source, key, "value is not valid YAML", raw))
    if problems:
        raise InputError(problems)
    return out


def set_dotted(data: dict, overrides: dict[str, Any], source: str = "--set") -> dict:
    """Return a copy of `data` with each dotted path set; paths must exist in the schema."""
    result = copy.deepcopy(data)
    problems = []
    for path, value in overrides.items():
        parts = path.split(".")
        if not _schema_has(Scenario, parts):
            problems.append(Problem(source, path, "no such field in the scenario schema", value))
            continue
        node = result
        for part in parts[:-1]:
            if isinstance(node, list):
                try:
                    node = node[int(part)]
                except (ValueError, IndexError):
                    problems.append(Problem(source, path, "list index out of range", part))
                    break
                continue
            nxt = node.get(part)
            if not isinstance(nxt, (dict, list)):
                nxt = {}
                node[part] = nxt
            node = nxt
        else:
            if isinstance(node, list):
                try:
                    node[int(parts[-1])] = value
                except (ValueError, IndexError):
                    problems.append(Problem(source, path, "list index out of range", parts[-1]))
            else:
                node[parts[-1]] = value
    if problems:
        raise InputError(problems)
    return result


def _schema_has(model: type[BaseModel], parts: list[str]) -> bool:
    """Whether a dotted path names a field of the schema (list items by index)."""
    import typing

    annotation: Any = model
    for part in parts:
        origin = typing.get_origin(annotation)
        if origin in (tuple, list):
            if not part.isdigit():
                return False
            annotation = typing.get_args(annotation)[0]
            continue
        if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if args else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return False
        field = annotation.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
    return True


def with_overrides(scenario: Scenario, overrides: dict[str, Any], source: str = "--set") -> Scenario:
    """Apply dotted overrides to an already-validated scenario."""
    data = scenario.model_dump(mode="json")  # tuples become lists, so list paths work
    return scenario_from_mapping(set_dotted(data, overrides, source), source)
