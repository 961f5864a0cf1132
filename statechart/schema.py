"""JSON Schema validation: the only module that imports jsonschema and fastjsonschema.

fastjsonschema checks every protocol answer (`is_valid`, the hot path); jsonschema words the
problems of what is not valid. benchmarks/schema_validation.py measures why both: jsonschema
alone costs about 0.7 ms per answer and its view, five reference steps.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError, best_match

from statechart.problems import JsonPath, Location, Problem, format_json_path
from statechart.resources import SCHEMA_DIR

__all__ = ["SCHEMA_DIR", "SPEC_KINDS", "Locator", "is_valid", "schema_path", "validate"]

SPEC_KINDS = ("statechart", "errors", "assumptions", "rules", "sections", "contracts")

_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "empty (null)",
}
_SCHEMA_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "a boolean (true/false)",
    "integer": "an integer",
    "number": "a number",
    "null": "empty (null)",
}


class Locator(Protocol):
    """Anything that can locate a JSON path in a loaded file."""

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Returns the location of the value (or key) at a path."""
        ...


def schema_path(kind: str, schema_dir: Path | None = None) -> Path:
    """Returns the schema file for a spec file kind (`statechart`, `errors`, …)."""
    return (schema_dir or SCHEMA_DIR) / f"{kind}.schema.json"


@functools.cache
def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _listed(values: object) -> str:
    items = values if isinstance(values, list | tuple) else [values]
    return ", ".join(_shown(item) for item in items)


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = best_match(error.context)
        if best is not None:
            yield from _leaf_errors(best)
            return
    yield error


def _allowed_keys(schema: object) -> list[str]:
    if not isinstance(schema, dict):
        return []
    properties = schema.get("properties", {})
    return sorted(properties) if isinstance(properties, dict) else []


def _is_declared(key: str, schema: dict[str, object]) -> bool:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    if isinstance(properties, dict) and key in properties:
        return True
    return isinstance(patterns, dict) and any(re.search(p, key) for p in patterns)


def _unknown_keys(error: ValidationError, path: JsonPath, where: Locator) -> list[Problem]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = ", ".join(_allowed_keys(schema)) or "none"
    problems = []
    for key in instance:
        if _is_declared(key, schema):
            continue
        key_path = (*path, key)
        problems.append(
            Problem(
                where.locate(key_path, key=True),
                format_json_path(key_path),
                f"unknown key {key!r}",
                f"remove it or use one of the allowed keys: {allowed}",
            )
        )
    return problems


def _missing_keys(error: ValidationError, path: JsonPath, where: Locator) -> list[Problem]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    required = error.validator_value if isinstance(error.validator_value, list) else []
    return [
        Problem(
            where.locate(path),
            format_json_path(path),
            f"missing required key {key!r}",
            f"add `{key}: …` to this mapping",
        )
        for key in required
        if key not in instance
    ]


def _bad_key_name(error: ValidationError, path: JsonPath, where: Locator) -> list[Problem]:
    key = str(error.instance)
    key_path = (*path, key)
    message, hint = _describe(error)
    return [Problem(where.locate(key_path, key=True), format_json_path(key_path), message, hint)]


def _enum(error: ValidationError) -> tuple[str, str]:
    return (
        f"{_shown(error.instance)} is not an allowed value",
        f"use one of: {_listed(error.validator_value)}",
    )


def _type(error: ValidationError) -> tuple[str, str]:
    expected = error.validator_value
    expected_list = expected if isinstance(expected, list) else [expected]
    wanted = " or ".join(_SCHEMA_TYPES.get(str(name), str(name)) for name in expected_list)
    return (
        f"{_shown(error.instance)} is {_type_name(error.instance)}, expected {wanted}",
        f"write {wanted} here",
    )


def _pattern(error: ValidationError) -> tuple[str, str]:
    return (
        f"{_shown(error.instance)} does not have the required form",
        f"write a value matching the pattern {error.validator_value}",
    )


def _const(error: ValidationError) -> tuple[str, str]:
    return (f"{_shown(error.instance)} is not allowed here", f"use {_shown(error.validator_value)}")


def _min_items(error: ValidationError) -> tuple[str, str]:
    count = len(error.instance) if isinstance(error.instance, list) else 0
    return (
        f"the list has {count} item(s), fewer than {error.validator_value}",
        f"list at least {error.validator_value} item(s)",
    )


def _min_length(error: ValidationError) -> tuple[str, str]:
    return (f"{_shown(error.instance)} is too short", "write the text here")


def _unique(error: ValidationError) -> tuple[str, str]:
    return (f"the list {_shown(error.instance)} repeats an item", "remove the repeated item")


def _minimum(error: ValidationError) -> tuple[str, str]:
    return (
        f"{_shown(error.instance)} is below the minimum {error.validator_value}",
        f"use a value of at least {error.validator_value}",
    )


def _generic(error: ValidationError) -> tuple[str, str]:
    return (error.message, f"see the schema keyword `{error.validator}`")


_DESCRIBERS: dict[str, Callable[[ValidationError], tuple[str, str]]] = {
    "enum": _enum,
    "type": _type,
    "pattern": _pattern,
    "const": _const,
    "minItems": _min_items,
    "minLength": _min_length,
    "uniqueItems": _unique,
    "minimum": _minimum,
}


def _describe(error: ValidationError) -> tuple[str, str]:
    return _DESCRIBERS.get(str(error.validator), _generic)(error)


def _problems_for(error: ValidationError, where: Locator) -> list[Problem]:
    path: JsonPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        return _unknown_keys(error, path, where)
    if error.validator == "required":
        return _missing_keys(error, path, where)
    if _names_a_key(error):
        return _bad_key_name(error, path, where)
    message, hint = _describe(error)
    return [Problem(where.locate(path), format_json_path(path), message, hint)]


def _names_a_key(error: ValidationError) -> bool:
    return "propertyNames" in error.absolute_schema_path


def _schema_problem(path: Path, error: Exception) -> Problem:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return Problem(Location(str(path)), "$", f"cannot load the schema: {reason}", "fix the schema")


@functools.cache
def _fast_validator(
    kind: str, schema_dir: Path | None, branch: str | None
) -> Callable[[object], object]:
    schema = json.loads(schema_path(kind, schema_dir).read_text(encoding="utf-8"))
    if branch is not None:
        schema = {key: value for key, value in schema.items() if key != "allOf"}
        schema["allOf"] = [{"$ref": f"#/$defs/{branch}"}]
    compiled: Callable[[object], object] = fastjsonschema.compile(schema)
    return compiled


def is_valid(
    data: object, kind: str, schema_dir: Path | None = None, *, branch: str | None = None
) -> bool:
    """True if the data is valid: the fast path, compiled once per schema.

    Hot paths (every protocol message) ask this first and call `validate` only to word
    the problems of data that is not valid; both read the same schema file.

    Args:
        data: The data.
        kind: The schema's kind (`protocol-request`, `view`, …).
        schema_dir: Where the schemas are (default: the shipped schemas).
        branch: For a schema whose `allOf` picks one `$defs` entry by a discriminator
            (the request's `op`), the entry the data selects: only it is checked.
    """
    try:
        _fast_validator(kind, schema_dir, branch)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validate(
    data: object, kind: str, where: Locator, schema_dir: Path | None = None
) -> list[Problem]:
    """Validates one file's data against `spec/schemas/<kind>.schema.json`.

    Args:
        data: The plain data loaded from the file.
        kind: The file kind: one of SPEC_KINDS.
        where: Locates JSON paths in the file.
        schema_dir: Where the schemas are (default: the shipped schemas).

    Returns:
        One Problem per violation, located at the offending value or key.
    """
    path = schema_path(kind, schema_dir)
    try:
        validator = _validator(path.resolve())
    except (OSError, ValueError, SchemaError) as error:
        return [_schema_problem(path, error)]
    problems: list[Problem] = []
    for violation in validator.iter_errors(data):
        for leaf in _leaf_errors(violation):
            problems.extend(_problems_for(leaf, where))
    return problems
