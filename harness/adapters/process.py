"""One implementation process: its pipes, what it answers, and how it and its helpers end."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import FrameType
from typing import Any

from harness.adapters.base import (
    CHUNK,
    EXIT_POLL,
    EXIT_WAIT,
    KILL_WAIT,
    SPIN_SECONDS,
    PathArg,
)
from harness.adapters.streams import (
    Deadline,
    Fault,
    StderrTail,
    describe_exit,
    flooded,
    pipe,
    shown_bytes,
)
from harness.adapters.tree import ProcessTree, marked_environment
from harness.protocol import (
    MAX_LINE_BYTES,
)

__all__ = ["Fault", "Process", "shown_bytes", "signals_deferred"]

_DEFERRED = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Holds SIGINT and SIGTERM back while the block runs, then delivers the first one held.

    Stopping an implementation must not be cut short by a second Ctrl-C (or a CI's SIGTERM):
    that would leave it running. The block is bounded in time (grace periods and KILL_WAIT).
    Outside the main thread (where Python runs signal handlers) it holds nothing back.
    """
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _DEFERRED:
            with contextlib.suppress(ValueError, TypeError, OSError):  # e.g. at shutdown
                handler = signal.getsignal(sig)
                if handler is not None:  # None: set outside Python, left alone
                    signal.signal(sig, hold)
                    previous[sig] = handler
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if held:
            signal.raise_signal(held[0])  # now its own handler acts (KeyboardInterrupt, …)


class Process:
    """One running implementation: its pipes, its stderr tail, its helpers, how to end it.

    It runs in a session of its own, with a mark in its environment, so that ending it
    reaches every process it started (harness.adapters.tree).
    """

    def __init__(self, argv: list[str], env: Mapping[str, str] | None, cwd: PathArg | None):
        environment, token = marked_environment(env)
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            env=environment,
            cwd=cwd,
            start_new_session=True,  # its own process group: killpg reaches its children too
        )
        self.pid = self.popen.pid
        self.tree = ProcessTree(self.pid, token)
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
        self.left: list[int] = []
        """Processes of its tree still running after it was ended (none, normally)."""
        self.stderr = StderrTail(pipe(self.popen.stderr), self.pid)

    # ---- asking

    def ask(self, line: str, seconds: float) -> str:
        """Sends one request line and returns the first line that comes back.

        The caller decodes it, then checks that nothing else came (`check_alone`).

        Raises:
            Fault: The process crashed, hung, flooded or answered undecodable bytes.
        """
        deadline = Deadline.after(seconds)
        self._check_ready()
        self._send((line + "\n").encode("utf-8"), deadline)
        return self._read_line(deadline)

    def following(self, seconds: float) -> str | None:
        """The next line, if one comes within `seconds` (to tell stray output from an answer)."""
        try:
            return self._read_line(Deadline.after(seconds))
        except Fault:
            return None

    def check_alone(self) -> None:
        """Checks that nothing came after the answer (so far).

        Raises:
            Fault: `flood`, quoting what came.
        """
        self._take_waiting()
        if self._buffer:
            raise flooded(f"more than one line; after the answer came {shown_bytes(self._buffer)}")

    def _check_ready(self) -> None:
        self._take_waiting()
        if self._buffer:  # arrived after the previous answer had been taken
            raise flooded(f"a line nobody asked for: {shown_bytes(self._buffer)}")
        if self.popen.poll() is not None:
            raise self._exited("before the request was sent")
        if self._eof:
            raise self._closed("stdout", "before the request was sent")

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
                raise self._closed("stdin", "before reading the request") from None
            if view and not self._writable.select(max(deadline.remaining(), 0)):
                raise deadline.expired("the implementation did not read the request")

    def _read_line(self, deadline: Deadline) -> str:
        scanned = 0
        while (end := self._buffer.find(b"\n", scanned)) < 0:
            self._check_partial()
            scanned = len(self._buffer)
            if self._spin_read():
                continue
            self._wait_readable(deadline)
            self._read_chunk()
        raw = bytes(self._buffer[:end]).removesuffix(b"\r")
        del self._buffer[: end + 1]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Fault(
                "garbage", f"the answer is not UTF-8 ({error.reason}): {shown_bytes(raw)}"
            ) from None

    def _wait_readable(self, deadline: Deadline) -> None:
        """Waits for stdout, watching the process: one that ended while a process it started
        holds its stdout open would otherwise be found only at the deadline."""
        while not self._readable.select(min(max(deadline.remaining(), 0), EXIT_POLL)):
            if self.popen.poll() is not None and not self._readable.select(0):
                held = "; a process it started still holds its stdout open"
                raise self._exited(f"before answering{self._inside()}{held}")
            if deadline.remaining() <= 0:
                raise deadline.expired("no answer")

    def _check_partial(self) -> None:
        """Checks the unfinished line in the buffer: not too long, and still coming."""
        if len(self._buffer) > MAX_LINE_BYTES + 1:  # + 1: room for a "\r" before the "\n"
            raise flooded(f"a line of over {MAX_LINE_BYTES} bytes (1 MiB), the limit")
        if self._eof:
            raise self._closed("stdout", f"before answering{self._inside()}")

    def _inside(self) -> str:
        return f" (in the middle of the line {shown_bytes(self._buffer)})" if self._buffer else ""

    def _exited(self, when: str) -> Fault:
        code = self.popen.wait()  # it has ended: this only reaps it
        return Fault("crashed", f"the implementation {describe_exit(code)} {when}")

    def _closed(self, stream: str, when: str) -> Fault:
        """A pipe the process closed: because it ended, or while still running."""
        try:
            code = self.popen.wait(timeout=EXIT_WAIT)
        except subprocess.TimeoutExpired:
            return Fault(
                "crashed",
                f"the implementation closed its {stream} {when} and was still running "
                f"{EXIT_WAIT:g} s later",
            )
        return Fault("crashed", f"the implementation {describe_exit(code)} {when}")

    # ---- ending

    def kill(self) -> None:
        """Kills it and every process it started, at once (after a failure: its state is
        unknown)."""
        with signals_deferred():
            if not self._ended:
                self._end()

    def stop(self, grace: float) -> None:
        """Ends it: EOF on stdin, then SIGTERM to it and every process it started, then
        SIGKILL to whatever is left, `grace` seconds apart."""
        with signals_deferred():
            if self._ended:
                return
            with contextlib.suppress(OSError):
                self._stdin.close()
            if not self._wait(grace):
                self.tree.signal(signal.SIGTERM)
                self._wait(grace)
            self._end()

    def _end(self) -> None:
        """Kills what is left of the tree, reaps the process and closes the pipes."""
        self.left = self.tree.kill(KILL_WAIT)
        self._wait(KILL_WAIT)
        self._release()
        self._ended = True

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
