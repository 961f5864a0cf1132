"""What the harness reads from an implementation's pipes: deadlines, faults, stderr's tail."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass
from typing import IO

from harness.adapters.base import (
    CHUNK,
    JOIN_WAIT,
    SHOWN_BYTES,
    TAIL_BYTES,
    TAIL_LINES,
    FailureKind,
)

__all__ = ["Deadline", "Fault", "StderrTail", "describe_exit", "flooded", "pipe", "shown_bytes"]


class Fault(Exception):
    """A broken process, found while talking to it (becomes an ImplementationFailure)."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(kind, message)
        self.kind: FailureKind = kind
        self.message = message


@dataclass(frozen=True)
class Deadline:
    """When a request's answer is due."""

    seconds: float
    end: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self, what: str) -> Fault:
        return Fault("timeout", f"{what} within {self.seconds:g} s")


def shown_bytes(data: bytes | bytearray | str) -> str:
    """Quotes the start of a line for a message (the first 200 characters)."""
    text = (
        data if isinstance(data, str) else bytes(data[: 4 * SHOWN_BYTES]).decode("utf-8", "replace")
    )
    if len(text) <= SHOWN_BYTES and len(data) <= 4 * SHOWN_BYTES:
        return repr(text)
    return f"{text[:SHOWN_BYTES]!r} (the first {SHOWN_BYTES} characters)"


def describe_exit(code: int) -> str:
    if code >= 0:
        return f"exited with status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = "an unknown signal"
    return f"was killed by signal {name} ({-code})"


class StderrTail:
    """Drains a stream on a thread (so a chatty writer never blocks) and keeps its tail."""

    def __init__(self, stream: IO[bytes], pid: int) -> None:
        self._stream = stream
        self._data = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name=f"stderr-{pid}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the stream was closed under us
            while chunk := self._stream.read(CHUNK):
                with self._lock:
                    self._data += chunk
                    if len(self._data) > 2 * TAIL_BYTES:  # trimmed in batches, not per chunk
                        del self._data[:-TAIL_BYTES]

    def text(self) -> str:
        """The last lines (at most 50 and about 8 KiB), decoded leniently."""
        with self._lock:
            data = bytes(self._data[-TAIL_BYTES:])
        lines = data.decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-TAIL_LINES:])

    def close(self) -> None:
        """Waits (bounded) for the end of the stream, then closes it."""
        self._thread.join(JOIN_WAIT)
        if not self._thread.is_alive():  # closing under a blocked read would not wake it
            self._stream.close()


def flooded(what: str) -> Fault:
    return Fault("flood", f"the implementation wrote {what}")


def pipe(stream: IO[bytes] | None) -> IO[bytes]:
    if stream is None:  # cannot happen with PIPE; keeps the types honest
        raise RuntimeError("the child process has no pipe")
    return stream
