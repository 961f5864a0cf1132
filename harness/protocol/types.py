"""The protocol's vocabulary: ops, error kinds, the implementation interface, typed messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, TypeAlias, get_args

PROTOCOL_VERSION: Final = 1
MAX_LINE_BYTES: Final = 1024 * 1024
"""The longest request line, in UTF-8 bytes without the line break (1 MiB)."""
MAX_DEPTH: Final = 64
"""The deepest nesting of arrays and objects a message may have (the deepest valid request,
a reset with a fixture, nests 5 deep)."""
MAX_SHOWN: Final = 60
"""The most characters of a value a message echoes ("but got …")."""

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

ENVELOPE: Final = ("id", "op")
NO_ID: Final = "request without a valid id"
LINE: Final = "request line"
EXAMPLE: Final = '{"id": 1, "op": "hello"}'
MAX_MESSAGE: Final = 2000
LOG = logging.getLogger(__name__)


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
