"""One implementation process: its pipes, deadlines, stderr tail and how it is stopped."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from harness.adapters.base import (
    CHUNK,
    EXIT_WAIT,
    JOIN_WAIT,
    KILL_WAIT,
    SHOWN_BYTES,
    SPIN_SECONDS,
    TAIL_BYTES,
    TAIL_LINES,
    FailureKind,
    PathArg,
)
from harness.protocol import (
    MAX_LINE_BYTES,
)


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


class Process:
    """One running implementation: its pipes, its stderr tail, and how to end it."""

    def __init__(self, argv: list[str], env: Mapping[str, str] | None, cwd: PathArg | None):
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its own process group: killpg reaches its children too
        )
        self.pid = self.popen.pid
        self._stdin = pipe(self.popen.stdin)
        self._stdout = pipe(self.popen.stdout)
        self._in, self._out = self._stdin.fileno(), self._stdout.fileno()
        os.set_blocking(self._in, False)  # a process that stops reading cannot block us
        os.set_blocking(self._out, False)  # polled briefly before waiting (_spin_read)
        self._readable = selectors.DefaultSelector()
        self._readable.register(self._out, selectors.EVENT_READ)
        self._writable = selectors.DefaultSelector()
        self._writable.register(self._in, selectors.EVENT_WRITE)
        self._buffer = bytearray()
        self._eof = False
        self._ended = False
        self.stderr = StderrTail(pipe(self.popen.stderr), self.pid)

    def ask(self, line: str, seconds: float) -> str:
        """Sends one request line and returns the one answer line.

        Raises:
            Fault: The process crashed, hung, flooded or answered undecodable bytes.
        """
        deadline = Deadline.after(seconds)
        self._check_ready()
        self._send((line + "\n").encode("utf-8"), deadline)
        answer = self._read_line(deadline)
        self._take_waiting()
        if self._buffer:
            raise flooded(f"more than one line; after the answer came {shown_bytes(self._buffer)}")
        return answer

    def _check_ready(self) -> None:
        self._take_waiting()
        if self._buffer:  # arrived after the previous answer had been taken
            raise flooded(f"a line nobody asked for: {shown_bytes(self._buffer)}")
        if self._eof or self.popen.poll() is not None:
            raise self._crashed("before the request was sent")

    def _take_waiting(self) -> None:
        """Reads whatever is already waiting on stdout, without waiting for more."""
        while not self._eof and len(self._buffer) <= MAX_LINE_BYTES and self._readable.select(0):
            self._read_chunk()

    def _read_chunk(self) -> None:
        try:
            chunk = os.read(self._out, CHUNK)
        except BlockingIOError:  # readable, yet taken already: nothing lost
            return
        if chunk:
            self._buffer += chunk
        else:
            self._eof = True

    def _spin_read(self) -> bool:
        """Polls stdout without sleeping for a moment; True if it read something (or EOF).

        Most answers come within a fraction of a millisecond, and waking a waiter that went
        to sleep on the pipe costs more than the answer itself on these machines (a step
        over `otpspec serve`: about 110 µs polling, 200 µs sleeping).
        """
        until = time.perf_counter() + SPIN_SECONDS
        while time.perf_counter() < until:
            try:
                chunk = os.read(self._out, CHUNK)
            except BlockingIOError:
                continue
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
            return True
        return False

    def _send(self, data: bytes, deadline: Deadline) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self._in, view) :]
            except BlockingIOError:
                pass  # the pipe is full: wait below until the process reads
            except (BrokenPipeError, ConnectionResetError):
                raise self._crashed("before reading the request") from None
            if view and not self._writable.select(deadline.remaining()):
                raise deadline.expired("the implementation did not read the request")

    def _read_line(self, deadline: Deadline) -> str:
        scanned = 0
        while (end := self._buffer.find(b"\n", scanned)) < 0:
            self._check_partial()
            scanned = len(self._buffer)
            if self._spin_read():
                continue
            if not self._readable.select(max(deadline.remaining(), 0)):
                raise deadline.expired("no answer")
            self._read_chunk()
        raw = bytes(self._buffer[:end]).removesuffix(b"\r")
        del self._buffer[: end + 1]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Fault(
                "garbage", f"the answer is not UTF-8 ({error.reason}): {shown_bytes(raw)}"
            ) from None

    def _check_partial(self) -> None:
        """Checks the unfinished line in the buffer: not too long, and still coming."""
        if len(self._buffer) > MAX_LINE_BYTES + 1:  # + 1: room for a "\r" before the "\n"
            raise flooded(f"a line of over {MAX_LINE_BYTES} bytes (1 MiB), the limit")
        if self._eof:
            inside = (
                f" (in the middle of the line {shown_bytes(self._buffer)})" if self._buffer else ""
            )
            raise self._crashed(f"before answering{inside}")

    def _crashed(self, when: str) -> Fault:
        return Fault("crashed", f"the implementation {self._exit_text()} {when}")

    def _exit_text(self) -> str:
        try:
            code = self.popen.wait(timeout=EXIT_WAIT)
        except subprocess.TimeoutExpired:
            return f"closed its stdout but was still running after {EXIT_WAIT:g} s"
        return describe_exit(code)

    def kill(self) -> None:
        """Kills the whole process group at once (after a failure: its state is unknown)."""
        if self._ended:
            return
        self._ended = True
        self._signal(signal.SIGKILL)
        self._wait(KILL_WAIT)
        self._release()

    def stop(self, grace: float) -> None:
        """Ends the process group: EOF on stdin, then SIGTERM, then SIGKILL, `grace` s apart."""
        if self._ended:
            return
        self._ended = True
        with contextlib.suppress(OSError):
            self._stdin.close()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self._wait(grace):
                break
            self._signal(sig)
        self._wait(KILL_WAIT)
        self._signal(signal.SIGKILL)  # children it left behind in its group
        self._release()

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
            os.killpg(self.pid, sig)

    def _wait(self, seconds: float) -> bool:
        try:
            self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _release(self) -> None:
        self.stderr.close()
        for stream in (self._stdin, self._stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self._readable.close()
        self._writable.close()
