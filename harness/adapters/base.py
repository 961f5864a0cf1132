"""The adapter interface, its constants and its two errors: refused, or broken."""

from __future__ import annotations

import abc
import os
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeAlias, get_args

from harness.protocol import (
    ErrorKind,
    Op,
)

FailureKind = Literal[
    "crashed",
    "timeout",
    "garbage",
    "wrong_id",
    "stray_output",
    "protocol_version",
    "flood",
    "refused_start",
    "broken",
]
FAILURE_KINDS: Final[tuple[FailureKind, ...]] = get_args(FailureKind)
REFERENCE: Final = "reference"
"""The `--impl` value (or None) that selects the in-process reference app."""

PathArg: TypeAlias = str | os.PathLike[str]

HELLO_ID: Final = "hello"  # the handshake's id, apart from the caller's numbered requests
CHUNK: Final = 64 * 1024
SPIN_SECONDS: Final = 0.0005
"""How long to poll for an answer before waiting on the pipe (see `_spin_read`)."""
TAIL_BYTES: Final = 8 * 1024
TAIL_LINES: Final = 50
SHOWN_BYTES: Final = 200
EXIT_WAIT: Final = 1.0  # how long a process that closed stdout gets to report its exit
EXIT_POLL: Final = 0.05  # how often a wait for an answer checks that the process still runs
STRAY_WAIT: Final = 0.2  # how long to wait for the answer after a line that is not one
BREAK_AFTER: Final = 3
"""Consecutive failures (no good answer between them) after which an implementation counts
as broken and no further process is started (see SubprocessAdapter, max_failures)."""
KILL_WAIT: Final = 5.0  # SIGKILL cannot be ignored; this only bounds a stuck kernel
JOIN_WAIT: Final = 1.0
DECODE_PREFIX: Final = "bad response from the implementation: "


class CommandError(ValueError):
    """An implementation command that cannot be run: empty, or with unbalanced quotes."""


class ImplementationError(Exception):
    """A request the implementation refused (an `ok: false` answer); the process is fine.

    Attributes:
        kind: `not_found`, `bad_request`, `unsupported` or `internal`.
        message: The implementation's one-line message.
    """

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(kind, message)
        self.kind: ErrorKind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class ImplementationFailure(Exception):
    """The implementation's process broke the protocol; it was stopped.

    Attributes:
        kind: One of FAILURE_KINDS.
        message: What happened, in one line.
        stderr_tail: The last lines the process wrote to stderr ("" if none).
        request: The request line it failed on, or None.
    """

    def __init__(
        self, kind: FailureKind, message: str, stderr_tail: str = "", request: str | None = None
    ) -> None:
        super().__init__(kind, message, stderr_tail, request)
        self.kind: FailureKind = kind
        self.message = message
        self.stderr_tail = stderr_tail
        self.request = request

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class Adapter(abc.ABC):
    """An implementation behind the `Implementation` ops; close it (or use `with`) when done.

    Each op returns the view (`hello`: name, version, capabilities) or raises
    ImplementationError; subprocess adapters may also raise ImplementationFailure.
    """

    name: str

    @property
    def broken(self) -> str:
        """Why the implementation counts as broken (every call now fails at once), or ""."""
        return ""

    def hello(self) -> dict[str, Any]:
        """Returns `{"name", "version", "capabilities": [...]}`."""
        return self._call("hello", {})

    def reset(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """Starts over from a fixture."""
        return self._call("reset", {"fixture": fixture})

    def launch(self) -> dict[str, Any]:
        """Launches the app."""
        return self._call("launch", {})

    def tap(self, target: str) -> dict[str, Any]:
        """Taps the label `target`."""
        return self._call("tap", {"target": target})

    def enter(self, field: str, value: str) -> dict[str, Any]:
        """Types `value` into the field labelled `field`."""
        return self._call("enter", {"field": field, "value": value})

    def key(self, key: str) -> dict[str, Any]:
        """Presses the device key `back` or `home`."""
        return self._call("key", {"key": key})

    def observe(self) -> dict[str, Any]:
        """Returns the view."""
        return self._call("observe", {})

    def clock(self, *, advance: float | None = None, set: str | None = None) -> dict[str, Any]:
        """Moves the clock forward by `advance` seconds, or sets it to `set`."""
        given = {"advance": advance, "set": set}
        return self._call("clock", {name: v for name, v in given.items() if v is not None})

    def network(self, online: bool) -> dict[str, Any]:
        """Takes the device online or offline."""
        return self._call("network", {"online": online})

    def server(self, operation: str, code: str) -> dict[str, Any]:
        """Makes the server answer the next `operation` with `code`."""
        return self._call("server", {"operation": operation, "code": code})

    def notify(self, transaction: str) -> dict[str, Any]:
        """Delivers a push notification for `transaction`."""
        return self._call("notify", {"transaction": transaction})

    def biometric(self, result: str) -> dict[str, Any]:
        """Answers the biometric prompt: `success`, `failure` or `cancel`."""
        return self._call("biometric", {"result": result})

    @abc.abstractmethod
    def close(self) -> None:
        """Releases the implementation."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @abc.abstractmethod
    def _call(self, op: Op, args: dict[str, Any]) -> dict[str, Any]:
        """Carries out one request and returns its payload (see the class docstring)."""
