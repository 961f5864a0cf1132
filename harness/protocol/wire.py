"""JSON text on the wire and the schemas behind it: strict parsing, one-line encoding, messages."""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Iterator
from typing import Any, Final, cast

from harness.protocol.types import (
    ENVELOPE,
    MAX_DEPTH,
    MAX_LINE_BYTES,
    MAX_MESSAGE,
    MAX_SHOWN,
    NO_ID,
    REQUEST_SCHEMA,
    RequestId,
)
from statechart.problems import JsonPath, Location, Problem
from statechart.schema import is_valid, schema_path, validate


class _Nowhere:
    """Locates every path of a message at the message itself (it has no lines)."""

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Returns the one location of a protocol message."""
        return Location("<protocol message>")


class Rejected(ValueError):
    """A JSON text that json.loads would take but the protocol does not."""


class TooDeep(Rejected):
    """A JSON text that nests deeper than MAX_DEPTH."""


# ---- schemas


@functools.cache
def load_schema(kind: str) -> dict[str, Any]:
    data = json.loads(schema_path(kind).read_text(encoding="utf-8"))
    return cast(dict[str, Any], data)


@functools.cache
def op_schemas() -> dict[str, dict[str, Any]]:
    """Returns each op's argument schema (the `then` of its if/then branch)."""
    schema = load_schema(REQUEST_SCHEMA)
    found: dict[str, dict[str, Any]] = {}
    for branch in schema["allOf"]:
        op = branch["if"]["properties"]["op"]["const"]
        name = branch["then"]["$ref"].removeprefix("#/$defs/")
        found[op] = schema["$defs"][name]
    return found


def schema_problems(data: object, kind: str, branch: str | None = None) -> list[Problem]:
    if is_valid(data, kind, branch=branch):
        return []
    return validate(data, kind, _Nowhere())


def argument_names(op: str) -> list[str]:
    return [name for name in op_schemas()[op].get("properties", {}) if name not in ENVELOPE]


def describe_argument(op: str, name: str) -> str:
    description = op_schemas()[op]["properties"][name].get("description", "")
    return f"'{name}', {description}" if description else f"'{name}'"


# ---- small helpers


def shorten(value: object, limit: int = MAX_SHOWN) -> str:
    """The value as JSON text for a message, cut to `limit` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):  # a cycle, or too deep for the encoder
        text = repr(value)[: limit + 1]  # reprlib would be exact; a cut is enough here
    if not is_valid_text(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shorten_text(text: str, limit: int = 4 * MAX_SHOWN) -> str:
    """A text from elsewhere (a schema's message, which may quote the whole value), cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def requester(request_id: RequestId | None) -> str:
    return NO_ID if request_id is None else f"request {shorten(request_id, 40)}"


def is_valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def strings(data: object) -> Iterator[str]:
    """Yields every string in JSON data (keys too), without recursion."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def utf8_size(text: str) -> int:
    if len(text) * 4 <= MAX_LINE_BYTES:
        return len(text)  # a lower bound that is already small enough
    return len(text.encode("utf-8", "surrogatepass"))


def is_blank(line: str) -> bool:
    return not line.strip(" \t\r\n")


# ---- JSON text


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Rejected(f"the key {shorten(key)} appears twice in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> object:
    raise Rejected(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise Rejected(f"the number {text[:40]} is too large")
    return number


_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
"""A JSON string (the unrolled form: linear, no backtracking on long strings)."""
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting(text: str) -> int:
    """How deep arrays and objects nest in a JSON text, in one linear scan.

    Brackets inside strings do not count. A text with too few brackets to pass MAX_DEPTH
    is not scanned (the answer is then MAX_DEPTH). On text that is not JSON the answer is
    some depth, and json.loads refuses the text anyway.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # the common case: nothing to scan
        return MAX_DEPTH
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads(text: str) -> object:
    """Parses strict JSON: no NaN/Infinity, no overflowing numbers, no repeated keys, no
    nesting deeper than MAX_DEPTH (checked before parsing: a deep text would exhaust the
    stack of the parser or of any code that walks the result).

    Raises:
        ValueError: With a short reason (TooDeep for deep nesting).
    """
    depth = nesting(text)
    if depth > MAX_DEPTH:
        raise TooDeep(
            f"it nests arrays and objects {depth} levels deep, over the limit of {MAX_DEPTH}"
        )
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as error:
        raise ValueError(f"{error.msg} at column {error.colno}") from None
    except RecursionError:  # a fallback: the scan above should have refused it
        raise TooDeep(f"it nests too deeply (the limit is {MAX_DEPTH})") from None


def dumps(data: object) -> str:
    """Encodes one JSON line: UTF-8 text, no line breaks of any kind inside.

    Raises:
        TypeError, ValueError: The data is not JSON (or not valid Unicode).
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # lone surrogates raise UnicodeEncodeError, a ValueError
    for raw, escaped in (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085")):
        text = text.replace(raw, escaped)  # only inside strings; splitlines() splits on them
    return text


def json_kind(data: object) -> str:
    kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(data), "a number")
