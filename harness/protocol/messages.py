"""Conformance protocol v1: the JSON Lines messages that drive an implementation of the app.

The server side parses and validates one request line (`parse_request`), calls the
implementation (`dispatch`) and encodes one response line (`handle_line` does all three and
never raises). The client side encodes requests (`encode_request`) and decodes responses
(`decode_response`). Messages are checked against `spec/schemas/protocol-request`,
`protocol-response` and `view` (`.schema.json`) through `statechart.schema.validate`; the
wire format is described in docs/protocol.md.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, Protocol, TypeAlias, cast, get_args

from statechart.problems import JsonPath, Location, Problem, format_json_path
from statechart.schema import is_valid, schema_path, validate

__all__ = [
    "CALLS",
    "ERROR_KINDS",
    "MAX_LINE_BYTES",
    "OPS",
    "PROTOCOL_VERSION",
    "ErrorInfo",
    "ErrorKind",
    "HelloInfo",
    "Implementation",
    "Op",
    "ProtocolError",
    "ReportedError",
    "Request",
    "RequestId",
    "Response",
    "View",
    "decode_response",
    "dispatch",
    "encode_request",
    "encode_response",
    "error_response",
    "handle_line",
    "parse_request",
    "reported_error",
    "request_from_object",
]

PROTOCOL_VERSION: Final = 1
MAX_LINE_BYTES: Final = 1024 * 1024
"""The longest request line, in UTF-8 bytes without the line break (1 MiB)."""

REQUEST_SCHEMA: Final = "protocol-request"
RESPONSE_SCHEMA: Final = "protocol-response"
VIEW_SCHEMA: Final = "view"

RequestId: TypeAlias = str | int
View: TypeAlias = dict[str, Any]
Op = Literal[
    "hello",
    "reset",
    "launch",
    "tap",
    "enter",
    "key",
    "observe",
    "clock",
    "network",
    "server",
    "notify",
    "biometric",
]
OPS: Final[tuple[Op, ...]] = get_args(Op)
ErrorKind = Literal["bad_request", "not_found", "unsupported", "internal"]
ERROR_KINDS: Final[tuple[ErrorKind, ...]] = get_args(ErrorKind)

_ENVELOPE: Final = ("id", "op")
_NO_ID: Final = "request without a valid id"
_LINE: Final = "request line"
_EXAMPLE: Final = '{"id": 1, "op": "hello"}'
_MAX_MESSAGE: Final = 2000
_LOG = logging.getLogger(__name__)


class Implementation(Protocol):
    """An implementation of the app, driven as a person would; each call returns the view.

    A call that cannot be carried out raises an exception with `kind` and `message`
    (see ReportedError) and leaves the app as it was.
    """

    def hello(self) -> dict[str, Any]:
        """Returns `{"name", "version", "capabilities": [...]}`."""
        ...

    def reset(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """Starts over from a fixture."""
        ...

    def launch(self) -> dict[str, Any]:
        """Launches the app."""
        ...

    def tap(self, target: str) -> dict[str, Any]:
        """Taps the label `target`."""
        ...

    def enter(self, field: str, value: str) -> dict[str, Any]:
        """Types `value` into the field labelled `field`."""
        ...

    def key(self, key: str) -> dict[str, Any]:
        """Presses the device key `back` or `home`."""
        ...

    def observe(self) -> dict[str, Any]:
        """Returns the view."""
        ...

    def clock(self, *, advance: float | None = None, set: str | None = None) -> dict[str, Any]:
        """Moves the clock forward by `advance` seconds, or sets it to `set`."""
        ...

    def network(self, online: bool) -> dict[str, Any]:
        """Takes the device online or offline."""
        ...

    def server(self, operation: str, code: str) -> dict[str, Any]:
        """Makes the server answer the next `operation` with `code`."""
        ...

    def notify(self, transaction: str) -> dict[str, Any]:
        """Delivers a push notification for `transaction`."""
        ...

    def biometric(self, result: str) -> dict[str, Any]:
        """Answers the biometric prompt: `success`, `failure` or `cancel`."""
        ...


class ReportedError(Protocol):
    """An exception an implementation raises on purpose: it has a kind and a message."""

    kind: str
    message: str


class ProtocolError(Exception):
    """A message that breaks the protocol.

    Attributes:
        kind: `bad_request` (a request line) or `bad_response` (a response line).
        message: Who, what, why and what to do, in one line.
        request_id: The request's id when it could be read, else None.
    """

    def __init__(
        self, message: str, *, kind: str = "bad_request", request_id: RequestId | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.request_id = request_id


@dataclass(frozen=True)
class Request:
    """One valid request: its id, op and the op's arguments (no `id`/`op` in `args`)."""

    id: RequestId
    op: Op
    args: dict[str, Any] = field(default_factory=dict)

    def to_object(self) -> dict[str, Any]:
        """Returns the request as the JSON object sent on the wire."""
        return {"id": self.id, "op": self.op, **self.args}


@dataclass(frozen=True)
class ErrorInfo:
    """The `error` of a failed response."""

    kind: ErrorKind
    message: str


@dataclass(frozen=True)
class HelloInfo:
    """The answer to `hello`."""

    protocol: int
    name: str
    version: str
    capabilities: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    """One decoded response: exactly one of view, hello (both when ok) or error is set."""

    id: RequestId | None
    ok: bool
    view: View | None = None
    hello: HelloInfo | None = None
    error: ErrorInfo | None = None


class _Nowhere:
    """Locates every path of a message at the message itself (it has no lines)."""

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Returns the one location of a protocol message."""
        return Location("<protocol message>")


class _Rejected(ValueError):
    """A JSON text that json.loads would take but the protocol does not."""


# ---- schemas


@functools.cache
def _schema(kind: str) -> dict[str, Any]:
    data = json.loads(schema_path(kind).read_text(encoding="utf-8"))
    return cast(dict[str, Any], data)


@functools.cache
def _op_schemas() -> dict[str, dict[str, Any]]:
    """Returns each op's argument schema (the `then` of its if/then branch)."""
    schema = _schema(REQUEST_SCHEMA)
    found: dict[str, dict[str, Any]] = {}
    for branch in schema["allOf"]:
        op = branch["if"]["properties"]["op"]["const"]
        name = branch["then"]["$ref"].removeprefix("#/$defs/")
        found[op] = schema["$defs"][name]
    return found


def _problems(data: object, kind: str, branch: str | None = None) -> list[Problem]:
    if is_valid(data, kind, branch=branch):
        return []
    return validate(data, kind, _Nowhere())


def _argument_names(op: str) -> list[str]:
    return [name for name in _op_schemas()[op].get("properties", {}) if name not in _ENVELOPE]


def _describe_argument(op: str, name: str) -> str:
    description = _op_schemas()[op]["properties"][name].get("description", "")
    return f"'{name}', {description}" if description else f"'{name}'"


# ---- small helpers


def _shown(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    if not _is_valid_text(text):
        text = json.dumps(value, default=repr)  # lone surrogates, shown as escapes
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _who(request_id: RequestId | None) -> str:
    return _NO_ID if request_id is None else f"request {_shown(request_id, 40)}"


def _is_valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings(data: object) -> Iterator[str]:
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


def _utf8_size(text: str) -> int:
    if len(text) * 4 <= MAX_LINE_BYTES:
        return len(text)  # a lower bound that is already small enough
    return len(text.encode("utf-8", "surrogatepass"))


def _is_blank(line: str) -> bool:
    return not line.strip(" \t\r\n")


# ---- JSON text


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Rejected(f"the key {_shown(key)} appears twice in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> object:
    raise _Rejected(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _Rejected(f"the number {text[:40]} is too large")
    return number


def _loads(text: str) -> object:
    """Parses strict JSON: no NaN/Infinity, no overflowing numbers, no repeated keys.

    Raises:
        ValueError: With a short reason.
    """
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as error:
        raise ValueError(f"{error.msg} at column {error.colno}") from None
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


def _dumps(data: object) -> str:
    """Encodes one JSON line: UTF-8 text, no line breaks of any kind inside.

    Raises:
        TypeError, ValueError: The data is not JSON (or not valid Unicode).
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # lone surrogates raise UnicodeEncodeError, a ValueError
    for raw, escaped in (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085")):
        text = text.replace(raw, escaped)  # only inside strings; splitlines() splits on them
    return text


# ---- requests: the envelope


def _check_line(line: str) -> None:
    size = _utf8_size(line.rstrip("\n"))
    if size > MAX_LINE_BYTES:
        raise ProtocolError(
            f"{_LINE}: it has {size} bytes, over the limit of {MAX_LINE_BYTES} (1 MiB); "
            "it was not read; send a smaller request"
        )
    if not _is_valid_text(line):
        raise ProtocolError(f"{_LINE}: it is not valid UTF-8 text; send UTF-8 JSON")


def _parse_object(line: str) -> dict[str, Any]:
    try:
        data = _loads(line)
    except ValueError as error:
        raise ProtocolError(
            f"{_LINE}: it is not valid JSON ({error}); send one JSON object per line, "
            f"e.g. {_EXAMPLE}"
        ) from None
    if not isinstance(data, dict):
        raise ProtocolError(
            f"{_LINE}: it is {_json_kind(data)}, not an object; send one JSON object per "
            f"line, e.g. {_EXAMPLE}"
        )
    return data


def _json_kind(data: object) -> str:
    kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(data), "a number")


def _has_path(problems: list[Problem], name: str) -> bool:
    base = format_json_path((name,))
    return any(
        p.json_path == base or p.json_path.startswith((base + ".", base + "[")) for p in problems
    )


def _request_id(data: dict[str, Any], problems: list[Problem]) -> RequestId:
    if "id" not in data:
        raise ProtocolError(
            f"{_NO_ID}: 'id' is missing; add 'id', a string or an integer, which the "
            "response echoes"
        )
    request_id = data["id"]
    valid = isinstance(request_id, int | str) and not isinstance(request_id, bool)
    if not valid or _has_path(problems, "id") or not _is_valid_text(str(request_id)):
        raise ProtocolError(
            f"{_NO_ID}: 'id' is {_shown(request_id, 40)}; use a string or an integer "
            "(no fraction, no exponent), which the response echoes"
        )
    return cast(RequestId, request_id)


def _op(data: dict[str, Any], request_id: RequestId, problems: list[Problem]) -> Op:
    who = _who(request_id)
    listed = ", ".join(OPS)
    if "op" not in data:
        raise ProtocolError(
            f"{who}: 'op' is missing; add 'op', one of: {listed}", request_id=request_id
        )
    op = data["op"]
    if _has_path(problems, "op") or op not in OPS:
        close = difflib.get_close_matches(str(op), OPS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ProtocolError(
            f"{who}: unknown op {_shown(op, 40)}{hint}; use one of: {listed}",
            request_id=request_id,
        )
    return cast(Op, op)


# ---- requests: the arguments


def _unknown(op: str, args: Mapping[str, Any]) -> list[str]:
    declared = _argument_names(op)
    unknown = [_shown(name, 40) for name in args if name not in declared]
    if not unknown:
        return []
    if not declared:
        return [f"takes no arguments besides 'id' and 'op'; remove {', '.join(unknown)}"]
    known = ", ".join(f"'{name}'" for name in declared)
    return [f"does not take {', '.join(unknown)}; its arguments are {known}"]


def _missing(op: str, args: Mapping[str, Any]) -> list[str]:
    required = _op_schemas()[op].get("required", [])
    return [f"needs {_describe_argument(op, name)}" for name in required if name not in args]


def _exactly_one(op: str, args: Mapping[str, Any]) -> list[str]:
    choices = [b["required"][0] for b in _op_schemas()[op].get("oneOf", []) if "required" in b]
    given = [name for name in choices if name in args]
    if not choices or len(given) == 1:
        return []
    if given:
        named = " and ".join(f"'{name}'" for name in given)
        return [f"needs exactly one of these arguments, but got {named}; send only one"]
    options = ", or ".join(_describe_argument(op, name) for name in choices)
    return [f"needs exactly one of: {options}"]


def _invalid(op: str, args: Mapping[str, Any], problems: list[Problem]) -> list[str]:
    return [
        f"needs {_describe_argument(op, name)}, but got {_shown(args[name])}"
        for name in _argument_names(op)
        if name in args and _has_path(problems, name)
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


def _unreal(op: str, args: Mapping[str, Any], problems: list[Problem]) -> list[str]:
    found = []
    for (check_op, name), check in _VALUE_CHECKS.items():
        if check_op != op or name not in args or _has_path(problems, name):
            continue
        why = check(args[name])
        if why is not None:
            shown = _shown(args[name])
            found.append(f"needs {_describe_argument(op, name)}, but got {shown} ({why})")
    return found


def _argument_messages(op: Op, args: dict[str, Any], problems: list[Problem]) -> list[str]:
    messages = [
        *_unknown(op, args),
        *_missing(op, args),
        *_exactly_one(op, args),
        *_invalid(op, args, problems),
        *_unreal(op, args, problems),
    ]
    if problems and not messages:  # a schema rule the helpers above do not name
        messages = [f"is wrong at {p.json_path}: {p.message}" for p in problems]
    return messages


def _plain_request(data: dict[str, Any], op: Op) -> Request | None:
    """The request, if a schema-valid object passes the checks a schema cannot make.

    The common case on every step; anything else takes the slow path, which words the
    problem.
    """
    request_id = data["id"]
    if type(request_id) not in (int, str):  # bool, or 1.0, which the schema lets pass
        return None
    if not all(_is_valid_text(text) for text in _strings(data)):
        return None
    args = {name: value for name, value in data.items() if name not in _ENVELOPE}
    if _unreal(op, args, []):
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
    problems = _problems(data, REQUEST_SCHEMA, branch)
    if not problems and branch is not None:
        fast = _plain_request(data, branch)
        if fast is not None:
            return fast
    request_id = _request_id(data, problems)
    op = _op(data, request_id, problems)
    if not all(_is_valid_text(text) for text in _strings(data)):
        raise ProtocolError(
            f"{_who(request_id)}: op '{op}' has text that is not valid Unicode (a lone "
            "surrogate escape such as \\ud800); send valid text",
            request_id=request_id,
        )
    args = {name: value for name, value in data.items() if name not in _ENVELOPE}
    messages = _argument_messages(op, args, problems)
    if messages:
        raise ProtocolError(
            f"{_who(request_id)}: op '{op}' " + "; ".join(messages), request_id=request_id
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


# ---- responses


def error_response(request_id: RequestId | None, kind: ErrorKind, message: str) -> dict[str, Any]:
    """Returns an error response object."""
    text = _one_line(message) or kind
    return {"id": request_id, "ok": False, "error": {"kind": kind, "message": text}}


def _attribute(error: BaseException, name: str) -> object:
    try:
        return getattr(error, name, None)
    except Exception:  # a property that fails is as good as none
        return None


def reported_error(error: BaseException) -> tuple[ErrorKind, str] | None:
    """Returns the kind and message of an error an implementation raised on purpose.

    Args:
        error: Any exception.

    Returns:
        (kind, message) when the error has a str `kind` and a str `message` (an unknown kind
        becomes `internal`, saying so), else None.
    """
    kind, message = _attribute(error, "kind"), _attribute(error, "message")
    if not isinstance(kind, str) or not isinstance(message, str):
        return None
    if kind in ERROR_KINDS:
        return kind, message or f"{kind} (the implementation gave no message)"
    known = ", ".join(ERROR_KINDS)
    why = f"the implementation reported the unknown error kind {_shown(kind)} (use one of: {known})"
    return "internal", f"{why}: {message}"


def _failure(request: Request, error: Exception) -> dict[str, Any]:
    reported = reported_error(error)
    if reported is not None:
        return error_response(request.id, *reported)
    who = _who(request.id)
    _LOG.error("%s: op '%s' raised inside the implementation", who, request.op, exc_info=error)
    detail = _one_line(f"{type(error).__name__}: {error}", 500)
    return error_response(
        request.id,
        "internal",
        f"{who}: op '{request.op}' failed inside the implementation with {detail}; "
        "its traceback is logged on the server's stderr",
    )


def _broken(request: Request, what: str, problems: list[Problem]) -> dict[str, Any]:
    shown = "; ".join(f"{p.json_path}: {p.message}" for p in problems[:3])
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    message = (
        f"{_who(request.id)}: op '{request.op}': the implementation returned {what}: "
        f"{shown}{more}; fix the implementation"
    )
    _LOG.error("%s", message)
    return error_response(request.id, "internal", message)


def _json_copy(result: object) -> object:
    """Returns a JSON-pure copy of a result.

    Raises:
        TypeError, ValueError, RecursionError: The result is not JSON data.
    """
    return json.loads(_dumps(result))


def _hello_response(request: Request, result: object) -> dict[str, Any]:
    info = result if isinstance(result, dict) else {}
    return {
        "id": request.id,
        "ok": True,
        "protocol": PROTOCOL_VERSION,
        "implementation": {"name": info.get("name"), "version": info.get("version")},
        "capabilities": info.get("capabilities"),
    }


def _success(request: Request, result: object, check_results: bool = True) -> dict[str, Any]:
    if not check_results and request.op != "hello":
        return {"id": request.id, "ok": True, "view": result}
    try:
        copied = _json_copy(result)
    except (TypeError, ValueError, RecursionError) as error:
        problem = Problem(Location(""), "$", _one_line(f"not JSON data: {error}", 200), "")
        return _broken(request, "a result that is not JSON", [problem])
    if request.op == "hello":
        response = _hello_response(request, copied)
        problems = _problems(response, RESPONSE_SCHEMA)
        what = "a hello answer that breaks protocol-response.schema.json"
        return _broken(request, what, problems) if problems else response
    problems = _problems(copied, VIEW_SCHEMA)
    if problems:
        return _broken(
            request, "a view that does not match spec/schemas/view.schema.json", problems
        )
    return {"id": request.id, "ok": True, "view": copied}


def _call_clock(impl: Implementation, args: dict[str, Any]) -> object:
    if "advance" in args:
        return impl.clock(advance=float(args["advance"]))
    return impl.clock(set=args["set"])


CALLS: Final[dict[str, Callable[[Implementation, dict[str, Any]], Any]]] = {
    "hello": lambda impl, args: impl.hello(),
    "reset": lambda impl, args: impl.reset(args["fixture"]),
    "launch": lambda impl, args: impl.launch(),
    "tap": lambda impl, args: impl.tap(args["target"]),
    "enter": lambda impl, args: impl.enter(args["field"], args["value"]),
    "key": lambda impl, args: impl.key(args["key"]),
    "observe": lambda impl, args: impl.observe(),
    "clock": _call_clock,
    "network": lambda impl, args: impl.network(args["online"]),
    "server": lambda impl, args: impl.server(args["operation"], args["code"]),
    "notify": lambda impl, args: impl.notify(args["transaction"]),
    "biometric": lambda impl, args: impl.biometric(args["result"]),
}


def _dispatch_valid(
    impl: Implementation, request: Request, check_results: bool = True
) -> dict[str, Any]:
    try:
        result = CALLS[request.op](impl, request.args)
    except Exception as error:  # the implementation's failure is reported, never raised
        return _failure(request, error)
    return _success(request, result, check_results)


def dispatch(impl: Implementation, request: Request) -> dict[str, Any]:
    """Carries out one request on an implementation.

    The request is validated again first (a Request can be built by hand), so a bad one
    never reaches the implementation.

    Args:
        impl: The implementation.
        request: The request.

    Returns:
        The response object (JSON-ready, valid against protocol-response.schema.json).
    """
    clash = [name for name in _ENVELOPE if name in request.args]
    if clash:
        message = f"{_who(request.id)}: op '{request.op}': args must not hold {clash}"
        return error_response(request.id, "bad_request", message)
    try:
        checked = request_from_object(request.to_object())
    except ProtocolError as error:
        return error_response(error.request_id, "bad_request", error.message)
    return _dispatch_valid(impl, checked)


def encode_response(response: Mapping[str, Any]) -> str:
    """Encodes a response object as one line (no line break at the end).

    Falls back to an `internal` error for the same id if the object is not JSON.
    """
    try:
        return _dumps(response)
    except (TypeError, ValueError, RecursionError) as error:
        request_id = response.get("id")
        valid_id = request_id if isinstance(request_id, str | int) else None
        message = f"{_who(valid_id)}: the response could not be encoded: {error}"
        return _dumps(error_response(valid_id, "internal", _one_line(message, 500)))


def _handle(impl: Implementation, line: str, check_results: bool) -> str:
    try:
        request = parse_request(line)
    except ProtocolError as error:
        return encode_response(error_response(error.request_id, "bad_request", error.message))
    return encode_response(_dispatch_valid(impl, request, check_results))


def handle_line(impl: Implementation, line: str, *, check_results: bool = True) -> str | None:
    """Answers one request line; never raises.

    Args:
        impl: The implementation.
        line: One line, with or without its line break.
        check_results: Check each view against view.schema.json before sending it. A
            trusted implementation (the reference, whose views the tests check) may skip
            it: every client checks the views it receives anyway.

    Returns:
        One response line without a line break, or None for a blank line.
    """
    if _is_blank(line):
        return None
    try:
        return _handle(impl, line, check_results)
    except Exception as error:  # a bug here must not end the session
        _LOG.error("the protocol layer failed on a line", exc_info=error)
        message = f"{_LINE}: the protocol layer failed ({type(error).__name__}); see stderr"
        return encode_response(error_response(None, "internal", message))


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
    clash = [name for name in _ENVELOPE if name in args]
    if clash:
        raise ProtocolError(
            f"{_who(request_id)}: pass {', '.join(clash)} positionally, not as an argument",
            request_id=request_id,
        )
    try:
        line = _dumps({"id": request_id, "op": op, **args})
    except (TypeError, ValueError, RecursionError) as error:
        raise ProtocolError(
            f"{_who(request_id)}: op {_shown(op)} cannot be encoded as JSON ({error}); "
            "pass JSON data only",
            request_id=request_id,
        ) from None
    parse_request(line)
    return line


def _bad_response(message: str) -> ProtocolError:
    return ProtocolError(f"bad response from the implementation: {message}", kind="bad_response")


def _response_object(line: str) -> dict[str, Any]:
    if _utf8_size(line.rstrip("\n")) > MAX_LINE_BYTES:
        raise _bad_response(f"the line is over the limit of {MAX_LINE_BYTES} bytes (1 MiB)")
    try:
        data = _loads(line)
    except ValueError as error:
        raise _bad_response(f"the line is not JSON ({error}): {_shown(line)}") from None
    if not isinstance(data, dict):
        raise _bad_response(f"the line is {_json_kind(data)}, not an object: {_shown(line)}")
    return data


def _check_response(data: dict[str, Any]) -> None:
    problems = _problems(data, RESPONSE_SCHEMA)
    if data.get("ok") is True and isinstance(data.get("view"), dict):
        problems += [
            Problem(p.location, "$.view" + p.json_path[1:], p.message, p.hint)
            for p in _problems(data["view"], VIEW_SCHEMA)
        ]
    if isinstance(data.get("id"), float):
        problems.append(Problem(Location(""), "$.id", "a number with a fraction", ""))
    if problems:
        shown = "; ".join(f"{p.json_path}: {p.message}" for p in problems[:5])
        raise _bad_response(f"{shown} (in {_shown(data, 120)})")


def _typed(data: dict[str, Any]) -> Response:
    request_id = cast(RequestId | None, data["id"])
    if data["ok"] is False:
        error = ErrorInfo(cast(ErrorKind, data["error"]["kind"]), data["error"]["message"])
        return Response(request_id, False, error=error)
    if "protocol" in data:
        implementation = data["implementation"]
        hello = HelloInfo(
            data["protocol"],
            implementation["name"],
            implementation["version"],
            tuple(data["capabilities"]),
        )
        return Response(request_id, True, hello=hello)
    return Response(request_id, True, view=data["view"])


def decode_response(line: str) -> Response:
    """Decodes and validates one response line.

    Args:
        line: One line, with or without its line break.

    Returns:
        The response.

    Raises:
        ProtocolError: kind `bad_response`, saying what is wrong with the line.
    """
    data = _response_object(line)
    _check_response(data)
    return _typed(data)
