"""Dispatch: one request line in, one response line out, never raising."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from harness.protocol.requests import parse_request, request_from_object
from harness.protocol.responses import error_response, failure, success
from harness.protocol.types import (
    ENVELOPE,
    LINE,
    LOG,
    MAX_LINE_BYTES,
    Implementation,
    ProtocolError,
    Request,
)
from harness.protocol.wire import dumps, is_blank, one_line, requester, utf8_size


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
        return failure(request, error)
    return success(request, result, check_results)


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
    clash = [name for name in ENVELOPE if name in request.args]
    if clash:
        message = f"{requester(request.id)}: op '{request.op}': args must not hold {clash}"
        return error_response(request.id, "bad_request", message)
    try:
        checked = request_from_object(request.to_object())
    except ProtocolError as error:
        return error_response(error.request_id, "bad_request", error.message)
    return _dispatch_valid(impl, checked)


def encode_response(response: Mapping[str, Any]) -> str:
    """Encodes a response object as one line (no line break at the end).

    Falls back to an `internal` error for the same id if the object is not JSON, or if its
    line would be longer than MAX_LINE_BYTES (no client would read it: the whole answer
    goes to the log, i.e. the server's stderr, and only there).
    """
    request_id = response.get("id")
    valid_id = request_id if isinstance(request_id, str | int) else None
    try:
        text = dumps(response)
    except (TypeError, ValueError, RecursionError) as error:
        message = f"{requester(valid_id)}: the response could not be encoded: {error}"
        return dumps(error_response(valid_id, "internal", one_line(message, 500)))
    size = utf8_size(text)
    if size <= MAX_LINE_BYTES:
        return text
    message = (
        f"{requester(valid_id)}: the answer has {size} bytes, over the line limit of "
        f"{MAX_LINE_BYTES} (1 MiB), and was not sent; the whole answer is on the server's "
        "stderr; the implementation must answer within the limit"
    )
    LOG.error("%s; the answer:\n%s", message, text)
    return dumps(error_response(valid_id, "internal", message))


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
    if is_blank(line):
        return None
    try:
        return _handle(impl, line, check_results)
    except RecursionError:  # a fallback: wire.loads refuses deep nesting before parsing
        message = f"{LINE}: it is nested too deeply to be read; send a flatter request"
        return encode_response(error_response(None, "bad_request", message))
    except Exception as error:  # a bug here must not end the session
        LOG.error("the protocol layer failed on a line", exc_info=error)
        message = f"{LINE}: the protocol layer failed ({type(error).__name__}); see stderr"
        return encode_response(error_response(None, "internal", message))
