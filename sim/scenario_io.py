"""Reading scenarios from YAML and applying dotted-path overrides (`--set a.b=value`).

This is the door: everything that comes in from a file or the command line is checked
here and turned into a frozen `Scenario`, or refused with an `InputError` naming the
file, the field path, the rule and the bad value.
"""

from __future__ import annotations

import copy
import os
import stat
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .config import Scenario
from .errors import InputError, Problem


def problems_from_validation(source: str, err: ValidationError, prefix: str = "") -> list[Problem]:
    """Turn pydantic's errors into one Problem per field, with dotted paths."""
    out = []
    errors = err.errors(include_url=False)
    for e in errors:
        if _shortened_by_bad_items(e, errors):
            continue  # "should have at least 1 item after validation, not 0": its items' own errors say why
        loc = ".".join(str(p) for p in e["loc"])
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        rule = e["msg"]
        if e["type"] == "extra_forbidden":
            rule = "unknown key (not part of the schema)"
        elif e["type"] == "missing":
            rule = "required field is missing"
        elif e["type"] == "string_pattern_mismatch" and "\\S" in str(e.get("ctx", {}).get("pattern", "")):
            rule = "must not be blank"
        if rule.startswith("Value error, "):
            rule = rule[len("Value error, ") :]
        # an unknown key's value is not shown: the file may not be a scenario at all
        value = e.get("input") if e["type"] not in ("missing", "extra_forbidden") else None
        if isinstance(value, dict) or not e["loc"]:
            value = None  # a rule about the whole file: no single value to show
        out.append(Problem(source, loc, rule, value))
    return out


def _shortened_by_bad_items(e: Any, errors: list[Any]) -> bool:
    """Whether `e` is a list or tuple found too short only because items of it were refused
    (the input itself is long enough) while those items' errors are reported too: a false
    second line about the same mistake."""
    if e["type"] != "too_short" or not isinstance(e.get("input"), (list, tuple)):
        return False
    least = e.get("ctx", {}).get("min_length")
    if not isinstance(least, int) or len(e["input"]) < least:
        return False
    loc = tuple(e["loc"])
    return any(len(o["loc"]) > len(loc) and tuple(o["loc"][:len(loc)]) == loc for o in errors)


MAX_FILE_BYTES = 1024 * 1024  # scenarios and experiments are a few KB; a MiB is generous
MAX_NODES = 100_000  # values in a file once its aliases are expanded (stops "billion laughs")
MAX_DEPTH = 32  # nesting of mappings and lists
MAX_EXTENDS = 16  # files in one `extends:` chain


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (last-wins hides typos)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} given twice (lines {seen[key]} and {line})", key_node.start_mark
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str) -> Any:
    """YAML text -> Python data, bounded: no duplicate keys, at most MAX_NODES values once
    aliases are expanded and MAX_DEPTH levels of nesting. Raises InputError."""
    if _bracket_depth(text) > 2 * MAX_DEPTH:  # refused before the parser recurses into it
        raise InputError([Problem(source, "", f"nested too deeply (more than {MAX_DEPTH} levels)", None)])
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([Problem(source, where, f"YAML syntax error: {reason}", None)]) from None
    except RecursionError:
        raise InputError([Problem(source, "", f"nested too deeply (more than {MAX_DEPTH} levels)", None)]) from None
    check_bounded(data, source)
    return data


def _bracket_depth(text: str) -> int:
    """The deepest nesting of flow brackets ([ and {) in the text, quotes not considered."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def check_bounded(data: Any, source: str) -> None:
    """Refuse data whose aliases expand past MAX_NODES values or nest past MAX_DEPTH levels.

    Counts without expanding: shared sub-trees (YAML aliases) are sized once and reused."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        if done:
            children = list(node.values()) if isinstance(node, dict) else node
            size, depth = 1, 1
            for child in children:
                if isinstance(child, (dict, list)):
                    size += sizes[id(child)]
                    depth = max(depth, depths[id(child)] + 1)
                else:
                    size += 1
            if size > MAX_NODES:
                raise InputError([Problem(source, "", f"more than {MAX_NODES:,} values once its aliases "
                                          "are expanded; refused", None)])
            if depth > MAX_DEPTH:
                raise InputError([Problem(source, "", f"nested too deeply (more than {MAX_DEPTH} levels)", None)])
            sizes[key], depths[key] = size, depth
            continue
        if key in sizes or key in depths:
            continue
        depths[key] = 0  # visiting: a self-referencing alias meets this below
        stack.append((node, True))
        for child in (node.values() if isinstance(node, dict) else node):
            if isinstance(child, (dict, list)):
                if id(child) in depths and id(child) not in sizes:
                    raise InputError([Problem(source, "", "a value contains itself (recursive alias)", None)])
                stack.append((child, False))


def read_text_file(path: str | Path, what: str = "YAML file") -> str:
    """The text of a regular file of at most MAX_FILE_BYTES, or an InputError saying why not."""
    source = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError([Problem(source, "", "file not found", None)]) from None
    except OSError as exc:
        raise InputError([Problem(source, "", f"cannot read: {exc.strerror}", None)]) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(source, "", f"is a directory, expected a {what}", None)])
    if not stat.S_ISREG(st.st_mode):
        raise InputError([Problem(source, "", f"not a regular file (a device, pipe or socket), expected a {what}",
                                  None)])
    if st.st_size > MAX_FILE_BYTES:
        raise InputError([Problem(source, "", f"{st.st_size:,} bytes is larger than a {what} may be "
                                  f"({MAX_FILE_BYTES:,})", None)])
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(source, "", f"cannot read: {exc.strerror}", None)]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem(source, "", f"larger than a {what} may be ({MAX_FILE_BYTES:,} bytes)", None)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(source, "", f"not UTF-8 text, expected a {what}", None)]) from None


def read_yaml_mapping(path: str | Path) -> dict:
    """Load a YAML file that must hold a mapping, refusing anything else clearly."""
    source = str(path)
    data = parse_yaml(read_text_file(path), source)
    if not isinstance(data, dict):
        # say what it is, never echo it: the file may not be meant for us at all
        raise InputError([Problem(source, "", "expected a YAML mapping of fields at top level, "
                                  f"found {_kind(data)}; is this a scenario or experiment file?", None)])
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise InputError([Problem(source, "", "keys must be text", None)])
    return data


def _kind(data: Any) -> str:
    if data is None:
        return "an empty document"
    return {str: "text", list: "a list", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(data), type(data).__name__)


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
    """Read a scenario file, resolving `extends: other.yaml`: the path is relative to the
    file that names it, and the file's own values merge deeply over its parent's."""
    data = read_yaml_mapping(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    source = str(path)
    if not isinstance(parent, str) or not parent.strip():
        raise InputError([Problem(source, "extends", "must be the path of another scenario file", parent)])
    if len(_seen) + 1 >= MAX_EXTENDS:
        raise InputError([Problem(source, "extends", f"more than {MAX_EXTENDS} files extend one another", None)])
    try:
        parent_path = (Path(path).parent / parent).resolve()
    except (OSError, RuntimeError, ValueError):
        raise InputError([Problem(source, "extends", "not a usable path", parent)]) from None
    if str(parent_path) in _seen or parent_path == Path(path).resolve():
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
            out[key] = parse_yaml(raw, source) if raw.strip() else ""
        except InputError:
            problems.append(Problem(source, key, "value is not valid YAML (or too large or deep)", raw))
    if problems:
        raise InputError(problems)
    return out


def set_dotted(data: dict, overrides: dict[str, Any], source: str = "--set") -> dict:
    """Return a copy of `data` with each dotted path set; paths must exist in the schema."""
    result = copy.deepcopy(data)
    problems = []
    for path, value in overrides.items():
        if type(value).__module__ == "numpy" and hasattr(value, "item"):
            value = value.item()  # a NumPy scalar is a number, not a typo: strict types take it
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
            node = nxt  # type: ignore[assignment]  # a list is handled at the loop's top
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


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X (an optional field walks like its type)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _item_model(annotation: Any) -> Any:
    """The model a `tuple[M, ...]` / `list[M]` field holds, or None."""
    if typing.get_origin(annotation) in (tuple, list):
        args = typing.get_args(annotation)
        if args and _is_model(args[0]):
            return args[0]
    return None


def schema_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, FieldInfo]]:
    """Every leaf field of the schema as (dotted path, field), descending into nested
    models; fields of list items (task kinds) as `task_kinds[].field`. The one walker of
    the schema: the ODD table, the viz's lever panel and `--set` all use it."""
    out: list[tuple[str, FieldInfo]] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = _unwrap(field.annotation)
        if _is_model(annotation):
            out += schema_fields(annotation, path + ".")
        elif _item_model(annotation) is not None:
            out += schema_fields(_item_model(annotation), path + "[].")
        else:
            out.append((path, field))
    return out


def field_at(path: str | list[str], model: type[BaseModel] = Scenario) -> FieldInfo | None:
    """The field a dotted path names (list items by index, `task_kinds.0.rate_per_day`), or
    None when the schema has no such field. A path may stop at a nested model or a list."""
    parts = path.split(".") if isinstance(path, str) else list(path)
    annotation: Any = model
    field: FieldInfo | None = None
    expect_index = False
    for part in parts:
        if expect_index:
            if not part.isdigit():
                return None
            expect_index = False
            continue
        if not _is_model(annotation):
            return None
        field = annotation.model_fields.get(part)
        if field is None:
            return None
        annotation = _unwrap(field.annotation)
        if typing.get_origin(annotation) in (tuple, list):
            args = typing.get_args(annotation)
            annotation, expect_index = (args[0] if args else None), True
    return field


def field_bounds(field: FieldInfo | None) -> tuple[float | None, float | None]:
    """The (lower, upper) bounds a numeric field states (ge/gt, le/lt; None where absent)."""
    low = high = None
    for item in getattr(field, "metadata", ()):
        for name in ("ge", "gt"):
            if getattr(item, name, None) is not None:
                low = getattr(item, name)
        for name in ("le", "lt"):
            if getattr(item, name, None) is not None:
                high = getattr(item, name)
    return low, high


def coerce_for_field(path: str, value: Any) -> Any:
    """A design's sampled number made the type its field wants: 0/1 for a boolean lever."""
    field = field_at(path)
    if field is not None and _unwrap(field.annotation) is bool and value in (0, 1) and not isinstance(value, bool):
        return bool(value)
    return value


def _schema_has(model: type[BaseModel], parts: list[str]) -> bool:
    """Whether a dotted path names a field of the schema (list items by index)."""
    return field_at(parts, model) is not None


def with_overrides(scenario: Scenario, overrides: dict[str, Any], source: str = "--set") -> Scenario:
    """Apply dotted overrides to an already-validated scenario."""
    data = scenario.model_dump(mode="json")  # tuples become lists, so list paths work
    return scenario_from_mapping(set_dotted(data, overrides, source), source)
