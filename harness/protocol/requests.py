"""Requests: parsed, validated and worded (server side), encoded (client side)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final, cast

from harness.protocol.types import (
    ENVELOPE,
    EXAMPLE,
    LINE,
    MAX_LINE_BYTES,
    NO_ID,
    OPS,
    REQUEST_SCHEMA,
    Op,
    ProtocolError,
    Request,
    RequestId,
)
from harness.protocol.wire import (
    TooDeep,
    argument_names,
    describe_argument,
    dumps,
    is_valid_text,
    json_kind,
    loads,
    op_schemas,
    requester,
    schema_problems,
    shorten,
    shorten_text,
    strings,
    utf8_size,
)
from statechart.problems import Problem, format_json_path

# ---- requests: the envelope


def _check_line(line: str) -> None:
    size = utf8_size(line.removesuffix("\n").removesuffix("\r"))
    if size > MAX_LINE_BYTES:
        raise ProtocolError(
            f"{LINE}: it has {size} bytes, over the limit of {MAX_LINE_BYTES} (1 MiB); "
            "it was not read; send a smaller request"
        )
    if not is_valid_text(line):
        raise ProtocolError(f"{LINE}: it is not valid UTF-8 text; send UTF-8 JSON")


def _parse_object(line: str) -> dict[str, Any]:
    try:
        data = loads(line)
    except TooDeep as error:
        raise ProtocolError(f"{LINE}: {error}; send a flatter request") from None
    except ValueError as error:
        raise ProtocolError(
            f"{LINE}: it is not valid JSON ({error}); send one JSON object per line, e.g. {EXAMPLE}"
        ) from None
    if not isinstance(data, dict):
        raise ProtocolError(
            f"{LINE}: it is {json_kind(data)}, not an object; send one JSON object per "
            f"line, e.g. {EXAMPLE}"
        )
    return data


def has_path(problems: list[Problem], name: str) -> bool:
    base = format_json_path((name,))
    return any(
        p.json_path == base or p.json_path.startswith((base + ".", base + "[")) for p in problems
    )


def _request_id(data: dict[str, Any], problems: list[Problem]) -> RequestId:
    if "id" not in data:
        raise ProtocolError(
            f"{NO_ID}: 'id' is missing; add 'id', a string or an integer, which the response echoes"
        )
    request_id = data["id"]
    valid = isinstance(request_id, int | str) and not isinstance(request_id, bool)
    if not valid or has_path(problems, "id") or not is_valid_text(str(request_id)):
        raise ProtocolError(
            f"{NO_ID}: 'id' is {shorten(request_id, 40)}; use a string of at most 256 "
            "characters or an integer (no fraction, no exponent), which the response echoes"
        )
    return cast(RequestId, request_id)


def _op(data: dict[str, Any], request_id: RequestId, problems: list[Problem]) -> Op:
    who = requester(request_id)
    listed = ", ".join(OPS)
    if "op" not in data:
        raise ProtocolError(
            f"{who}: 'op' is missing; add 'op', one of: {listed}", request_id=request_id
        )
    op = data["op"]
    if has_path(problems, "op") or op not in OPS:
        close = difflib.get_close_matches(str(op), OPS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ProtocolError(
            f"{who}: unknown op {shorten(op, 40)}{hint}; use one of: {listed}",
            request_id=request_id,
        )
    return cast(Op, op)


# ---- requests: the arguments


def _unknown(op: str, args: Mapping[str, Any]) -> list[str]:
    declared = argument_names(op)
    unknown = [shorten(name, 40) for name in args if name not in declared]
    if not unknown:
        return []
    if not declared:
        return [f"takes no arguments besides 'id' and 'op'; remove {', '.join(unknown)}"]
    known = ", ".join(f"'{name}'" for name in declared)
    return [f"does not take {', '.join(unknown)}; its arguments are {known}"]


def _missing(op: str, args: Mapping[str, Any]) -> list[str]:
    required = op_schemas()[op].get("required", [])
    return [f"needs {describe_argument(op, name)}" for name in required if name not in args]


def _exactly_one(op: str, args: Mapping[str, Any]) -> list[str]:
    choices = [b["required"][0] for b in op_schemas()[op].get("oneOf", []) if "required" in b]
    given = [name for name in choices if name in args]
    if not choices or len(given) == 1:
        return []
    if given:
        named = " and ".join(f"'{name}'" for name in given)
        return [f"needs exactly one of these arguments, but got {named}; send only one"]
    options = ", or ".join(describe_argument(op, name) for name in choices)
    return [f"needs exactly one of: {options}"]


def _invalid(op: str, args: Mapping[str, Any], problems: list[Problem]) -> list[str]:
    return [
        f"needs {describe_argument(op, name)}, but got {shorten(args[name])}"
        for name in argument_names(op)
        if name in args and has_path(problems, name)
    ]


def _not_a_date_time(value: object) -> str | None:
    try:
        datetime.fromisoformat(str(value))
    except ValueError as error:
        return str(error)
    return None


_VALUE_CHECKS: Final[dict[tuple[str, str], Callable[[object], str | None]]] = {
    ("clock", "set"): _not_a_date_time,
}
"""Checks a schema cannot express, by (op, argument); each returns why a value is wrong."""


def unreal(op: str, args: Mapping[str, Any], problems: list[Problem]) -> list[str]:
    found = []
    for (check_op, name), check in _VALUE_CHECKS.items():
        if check_op != op or name not in args or has_path(problems, name):
            continue
        why = check(args[name])
        if why is not None:
            shown = shorten(args[name])
            found.append(f"needs {describe_argument(op, name)}, but got {shown} ({why})")
    return found


def _argument_messages(op: Op, args: dict[str, Any], problems: list[Problem]) -> list[str]:
    messages = [
        *_unknown(op, args),
        *_missing(op, args),
        *_exactly_one(op, args),
        *_invalid(op, args, problems),
        *unreal(op, args, problems),
    ]
    if problems and not messages:  # a schema rule the helpers above do not name
        messages = [
            f"is wrong at {shorten_text(p.json_path)}: {shorten_text(p.message)}" for p in problems
        ]
    return messages


def _plain_request(data: dict[str, Any], op: Op) -> Request | None:
    """The request, if a schema-valid object passes the checks a schema cannot make.

    The common case on every step; anything else takes the slow path, which words the
    problem.
    """
    request_id = data["id"]
    if type(request_id) not in (int, str):  # bool, or 1.0, which the schema lets pass
        return None
    if not all(is_valid_text(text) for text in strings(data)):
        return None
    args = {name: value for name, value in data.items() if name not in ENVELOPE}
    if unreal(op, args, []):
        return None
    return Request(cast(RequestId, request_id), op, args)


def request_from_object(data: dict[str, Any]) -> Request:
    """Validates a decoded request object.

    Args:
        data: The JSON object of one request line.

    Returns:
        The request.

    Raises:
        ProtocolError: kind `bad_request`, naming the request, the op and what to send.
    """
    op = data.get("op")
    branch = op if isinstance(op, str) and op in OPS else None
    problems = schema_problems(data, REQUEST_SCHEMA, branch)
    if not problems and branch is not None:
        fast = _plain_request(data, branch)
        if fast is not None:
            return fast
    request_id = _request_id(data, problems)
    op = _op(data, request_id, problems)
    if not all(is_valid_text(text) for text in strings(data)):
        raise ProtocolError(
            f"{requester(request_id)}: op '{op}' has text that is not valid Unicode (a lone "
            "surrogate escape such as \\ud800); send valid text",
            request_id=request_id,
        )
    args = {name: value for name, value in data.items() if name not in ENVELOPE}
    messages = _argument_messages(op, args, problems)
    if messages:
        raise ProtocolError(
            f"{requester(request_id)}: op '{op}' " + "; ".join(messages), request_id=request_id
        )
    return Request(request_id, op, args)


def parse_request(line: str) -> Request:
    """Parses and fully validates one request line.

    Args:
        line: One line, with or without its line break.

    Returns:
        The request.

    Raises:
        ProtocolError: kind `bad_request`; `request_id` is set when the id could be read.
    """
    _check_line(line)
    return request_from_object(_parse_object(line))


# ---- the client side


def encode_request(request_id: RequestId, op: str, /, **args: Any) -> str:
    """Encodes one request line (no line break at the end), validated as the server would.

    Args:
        request_id: A string or an integer.
        op: The op.
        **args: The op's arguments.

    Returns:
        The line.

    Raises:
        ProtocolError: kind `bad_request`, as the server would answer it.
    """
    clash = [name for name in ENVELOPE if name in args]
    if clash:
        raise ProtocolError(
            f"{requester(request_id)}: pass {', '.join(clash)} positionally, not as an argument",
            request_id=request_id,
        )
    try:
        line = dumps({"id": request_id, "op": op, **args})
    except (TypeError, ValueError, RecursionError) as error:
        raise ProtocolError(
            f"{requester(request_id)}: op {shorten(op)} cannot be encoded as JSON ({error}); "
            "pass JSON data only",
            request_id=request_id,
        ) from None
    parse_request(line)
    return line
