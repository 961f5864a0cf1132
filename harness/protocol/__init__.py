"""Conformance protocol v1: the JSON Lines messages that drive an implementation of the app.

The server side parses and validates one request line, calls the implementation and
encodes one response line (`handle_line` does all three and never raises). The client side
encodes requests (`encode_request`) and decodes responses (`decode_response`). Messages are
checked against `spec/schemas/protocol-request`, `protocol-response` and `view`
(`.schema.json`); the wire format is described in docs/protocol.md.
"""

from __future__ import annotations

from harness.protocol.dispatch import (
    CALLS,
    dispatch,
    encode_response,
    handle_line,
)
from harness.protocol.requests import (
    encode_request,
    parse_request,
    request_from_object,
)
from harness.protocol.responses import (
    decode_response,
    error_response,
    reported_error,
)
from harness.protocol.types import (
    ERROR_KINDS,
    MAX_LINE_BYTES,
    OPS,
    PROTOCOL_VERSION,
    ErrorInfo,
    ErrorKind,
    HelloInfo,
    Implementation,
    Op,
    ProtocolError,
    ReportedError,
    Request,
    RequestId,
    Response,
    View,
)

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
