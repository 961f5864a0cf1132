"""Responses: built from an implementation's result or error (server side), and decoded
(client side)."""

from __future__ import annotations

import json
from typing import Any, cast

from harness.protocol.types import (
    ERROR_KINDS,
    LOG,
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    RESPONSE_SCHEMA,
    VIEW_SCHEMA,
    ErrorInfo,
    ErrorKind,
    HelloInfo,
    ProtocolError,
    Request,
    RequestId,
    Response,
)
from harness.protocol.wire import (
    dumps,
    json_kind,
    loads,
    one_line,
    requester,
    schema_problems,
    shorten,
    shorten_text,
    utf8_size,
)
from statechart.problems import Location, Problem

# ---- responses


def error_response(request_id: RequestId | None, kind: ErrorKind, message: str) -> dict[str, Any]:
    """Returns an error response object."""
    text = one_line(message) or kind
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
    why = (
        f"the implementation reported the unknown error kind {shorten(kind)} (use one of: {known})"
    )
    return "internal", f"{why}: {message}"


def failure(request: Request, error: Exception) -> dict[str, Any]:
    reported = reported_error(error)
    if reported is not None:
        return error_response(request.id, *reported)
    who = requester(request.id)
    LOG.error("%s: op '%s' raised inside the implementation", who, request.op, exc_info=error)
    detail = one_line(f"{type(error).__name__}: {error}", 500)
    return error_response(
        request.id,
        "internal",
        f"{who}: op '{request.op}' failed inside the implementation with {detail}; "
        "its traceback is logged on the server's stderr",
    )


def _broken(request: Request, what: str, problems: list[Problem]) -> dict[str, Any]:
    shown = "; ".join(
        f"{shorten_text(p.json_path)}: {shorten_text(p.message)}" for p in problems[:3]
    )
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    message = (
        f"{requester(request.id)}: op '{request.op}': the implementation returned {what}: "
        f"{shown}{more}; fix the implementation"
    )
    LOG.error("%s", message)
    return error_response(request.id, "internal", message)


def _json_copy(result: object) -> object:
    """Returns a JSON-pure copy of a result.

    Raises:
        TypeError, ValueError, RecursionError: The result is not JSON data.
    """
    return json.loads(dumps(result))


def _hello_response(request: Request, result: object) -> dict[str, Any]:
    info = result if isinstance(result, dict) else {}
    return {
        "id": request.id,
        "ok": True,
        "protocol": PROTOCOL_VERSION,
        "implementation": {"name": info.get("name"), "version": info.get("version")},
        "capabilities": info.get("capabilities"),
    }


def success(request: Request, result: object, check_results: bool = True) -> dict[str, Any]:
    if not check_results and request.op != "hello":
        return {"id": request.id, "ok": True, "view": result}
    try:
        copied = _json_copy(result)
    except (TypeError, ValueError, RecursionError) as error:
        problem = Problem(Location(""), "$", one_line(f"not JSON data: {error}", 200), "")
        return _broken(request, "a result that is not JSON", [problem])
    if request.op == "hello":
        response = _hello_response(request, copied)
        problems = schema_problems(response, RESPONSE_SCHEMA)
        what = "a hello answer that breaks protocol-response.schema.json"
        return _broken(request, what, problems) if problems else response
    problems = schema_problems(copied, VIEW_SCHEMA)
    if problems:
        return _broken(
            request, "a view that does not match spec/schemas/view.schema.json", problems
        )
    return {"id": request.id, "ok": True, "view": copied}


def _bad_response(message: str) -> ProtocolError:
    return ProtocolError(f"bad response from the implementation: {message}", kind="bad_response")


def _response_object(line: str) -> dict[str, Any]:
    if utf8_size(line.removesuffix("\n").removesuffix("\r")) > MAX_LINE_BYTES:
        raise _bad_response(f"the line is over the limit of {MAX_LINE_BYTES} bytes (1 MiB)")
    try:
        data = loads(line)
    except ValueError as error:
        raise _bad_response(f"the line is not JSON ({error}): {shorten(line)}") from None
    if not isinstance(data, dict):
        raise _bad_response(f"the line is {json_kind(data)}, not an object: {shorten(line)}")
    return data


def _check_response(data: dict[str, Any]) -> None:
    problems = schema_problems(data, RESPONSE_SCHEMA)
    if data.get("ok") is True and isinstance(data.get("view"), dict):
        problems += [
            Problem(p.location, "$.view" + p.json_path[1:], p.message, p.hint)
            for p in schema_problems(data["view"], VIEW_SCHEMA)
        ]
    if isinstance(data.get("id"), float):
        problems.append(Problem(Location(""), "$.id", "a number with a fraction", ""))
    if problems:
        shown = "; ".join(
            f"{shorten_text(p.json_path)}: {shorten_text(p.message)}" for p in problems[:5]
        )
        raise _bad_response(f"{shown} (in {shorten(data, 120)})")


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
