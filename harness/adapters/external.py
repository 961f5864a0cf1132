"""Any implementation as one child process speaking protocol v1 on stdin and stdout."""

from __future__ import annotations

import itertools
import json
import os
import shlex
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from harness.adapters.base import (
    DECODE_PREFIX,
    HELLO_ID,
    STRAY_WAIT,
    Adapter,
    ImplementationError,
    ImplementationFailure,
    PathArg,
)
from harness.adapters.commands import argv_of
from harness.adapters.inprocess import hello_dict
from harness.adapters.process import Fault, Process, shown_bytes
from harness.protocol import (
    PROTOCOL_VERSION,
    HelloInfo,
    Op,
    ProtocolError,
    RequestId,
    Response,
    decode_response,
    encode_request,
)


def _refused(argv: list[str], cwd: PathArg | None, error: OSError) -> str:
    program = "it" if len(argv) == 1 else repr(argv[0])  # the command is named just before
    if cwd is not None and not os.path.isdir(cwd):
        reason = f"its working directory {os.fspath(cwd)!r} does not exist"
    elif isinstance(error, FileNotFoundError):
        reason = f"{program} was not found; check the path, or that it is on PATH"
    elif isinstance(error, PermissionError):
        reason = (
            f"{program} is not executable ({error.strerror}); make it executable, "
            "or run it through its interpreter, e.g. 'python my_impl.py'"
        )
    else:
        reason = f"{program} could not be run ({error.strerror or error})"
    return f"cannot start the implementation {shlex.join(argv)!r}: {reason}"


def _claimed_protocol(line: str) -> object:
    """The `protocol` a hello answer claims, or None if it claims none."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data.get("protocol") if isinstance(data, dict) else None


def _decoded(line: str, request_id: RequestId, op: Op) -> Response:
    """Decodes the answer to one request and checks that it answers that request."""
    if op == "hello":
        claimed = _claimed_protocol(line)
        if claimed is not None and claimed != PROTOCOL_VERSION:
            raise Fault(
                "protocol_version",
                f"the implementation speaks protocol {claimed!r}; "
                f"this harness speaks protocol {PROTOCOL_VERSION}",
            )
    try:
        response = decode_response(line)
    except ProtocolError as error:
        reason = error.message.removeprefix(DECODE_PREFIX)
        message = f"the answer is not a valid protocol v1 response ({reason}); the line: "
        raise Fault("garbage", message + shown_bytes(line)) from None
    if response.id != request_id and not (response.id is None and not response.ok):
        raise Fault("wrong_id", f"the answer has id {response.id!r}, not {request_id!r}")
    if response.ok and (response.hello is None) == (op == "hello"):
        given = "a hello answer" if response.hello is not None else "a view"
        raise Fault("garbage", f"op {op!r} was answered with {given}: {shown_bytes(line)}")
    return response


def _answers(line: str, request_id: RequestId, op: Op) -> bool:
    try:
        _decoded(line, request_id, op)
    except Fault:
        return False
    return True


def _answer(process: Process, line: str, request_id: RequestId, op: Op, seconds: float) -> Response:
    """Sends a request and returns its decoded answer, telling stray output from it.

    Raises:
        Fault: No valid answer (`stray_output` when a line that is not one came first).
    """
    first = process.ask(line, seconds)
    try:
        response = _decoded(first, request_id, op)
    except Fault as fault:
        second = process.following(STRAY_WAIT) if fault.kind in ("garbage", "wrong_id") else None
        if second is None or not _answers(second, request_id, op):
            raise
        raise Fault(
            "stray_output",
            f"the implementation wrote stray output to stdout before its answer: "
            f"{shown_bytes(first)}; the answer came next: {shown_bytes(second)}; stdout must "
            "carry only response lines (write logs to stderr)",
        ) from None
    process.check_alone()
    return response


def _payload(response: Response) -> dict[str, Any]:
    if response.error is not None:
        raise ImplementationError(response.error.kind, response.error.message)
    if response.hello is not None:
        hello = response.hello
        return hello_dict(hello.name, hello.version, hello.capabilities)
    return response.view or {}


def _encoded(request_id: RequestId, op: Op, args: dict[str, Any]) -> str:
    try:
        return encode_request(request_id, op, **args)
    except ProtocolError as error:  # refused here exactly as the server would refuse it
        raise ImplementationError("bad_request", error.message) from None


class SubprocessAdapter(Adapter):
    """An implementation run as one child process that speaks protocol v1 on stdin/stdout.

    The process starts on the first call (or `start()`) and is greeted with `hello`. After
    an ImplementationFailure it is killed and the next call starts a fresh one (the caller's
    next `reset` restores the state). Not thread-safe: one caller at a time.

    Args:
        command: The program and its arguments: a list, or one string split like a shell.
        timeout: Seconds each request gets for its answer.
        start_timeout: Seconds a fresh process gets to answer `hello` (default: `timeout`).
        grace: Seconds `close()` waits after EOF on stdin, and again after SIGTERM.
        env: The environment of the process (default: this one's).
        cwd: Its working directory (default: this one's).
        max_failures: After this many ImplementationFailures in a row (no good answer to
            a request other than `hello` between them) the implementation counts as
            broken: every later call raises ImplementationFailure `broken`, with the
            evidence, at once, and no further process is started. None: never.

    Raises:
        CommandError: The command is empty or its quotes are unbalanced.
    """

    def __init__(
        self,
        command: str | Sequence[str],
        *,
        timeout: float = 5.0,
        start_timeout: float | None = None,
        grace: float = 2.0,
        env: Mapping[str, str] | None = None,
        cwd: PathArg | None = None,
        max_failures: int | None = None,
    ) -> None:
        self._argv = argv_of(command)
        self.name = shlex.join(self._argv)
        self.timeout = timeout
        self.start_timeout = timeout if start_timeout is None else start_timeout
        self.grace = grace
        self._env, self._cwd = env, cwd
        self._ids = itertools.count(1)
        self._process: Process | None = None
        self._last: Process | None = None  # the newest process, kept for its stderr tail
        self._finalizer: weakref.finalize[[float], SubprocessAdapter] | None = None
        self._pids: list[int] = []
        self._failures = 0
        self.max_failures = max_failures
        self._streak: list[str] = []  # the failures since the last good answer, in short
        self._closed = False
        self.implementation: HelloInfo | None = None
        """What the newest process said in answer to `hello`."""

    @property
    def pid(self) -> int | None:
        """The running process's id, or None."""
        return None if self._process is None else self._process.pid

    @property
    def pids(self) -> tuple[int, ...]:
        """The ids of every process started so far, oldest first."""
        return tuple(self._pids)

    @property
    def restarts(self) -> int:
        """How many processes were started after the first one."""
        return max(len(self._pids) - 1, 0)

    @property
    def failures(self) -> int:
        """How many ImplementationFailures were raised."""
        return self._failures

    @property
    def broken(self) -> str:
        """Why the implementation counts as broken (see `max_failures`), or ""."""
        if self.max_failures is None or len(self._streak) < self.max_failures:
            return ""
        evidence = "; ".join(
            f"({number}) {failure}" for number, failure in enumerate(self._streak, 1)
        )
        return (
            f"implementation broken after {len(self._streak)} consecutive failures: "
            f"{evidence}; no further process is started"
        )

    def stderr_tail(self) -> str:
        """The last lines the newest process wrote to stderr ("" before the first start)."""
        return "" if self._last is None else self._last.stderr.text()

    def start(self) -> None:
        """Starts the process and greets it, unless it is running.

        Raises:
            ImplementationFailure: It cannot start or does not answer `hello` properly.
        """
        self._running(encode_request(HELLO_ID, "hello"))

    def close(self) -> None:
        """Ends the process (EOF, SIGTERM, SIGKILL) and refuses further calls."""
        self._closed = True
        if self._finalizer is not None:
            self._finalizer()  # runs process.stop once, and never again at exit
        self._forget()

    def _call(self, op: Op, args: dict[str, Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        line = _encoded(request_id, op, args)
        process = self._running(line)
        try:
            response = _answer(process, line, request_id, op, self.timeout)
        except Fault as fault:
            raise self._failed(process, fault, f"request {request_id} (op {op!r})", line) from None
        if op != "hello":  # a fresh process's greeting proves little: count real requests
            self._streak.clear()
        return _payload(response)

    def _running(self, line: str) -> Process:
        if self._closed:
            raise ValueError(f"the adapter for {self.name!r} is closed; make a new one")
        if self.broken:
            raise ImplementationFailure("broken", self.broken, self.stderr_tail(), line)
        if self._process is not None:
            return self._process
        process = self._spawn(line)
        self._pids.append(process.pid)
        self._process = self._last = process
        self._finalizer = weakref.finalize(self, process.stop, self.grace)  # the last resort
        self._greet(process)
        return process

    def _spawn(self, line: str) -> Process:
        try:
            return Process(self._argv, self._env, self._cwd)
        except OSError as error:
            self._failures += 1
            message = _refused(self._argv, self._cwd, error)
            self._streak.append(f"refused_start: {message}")
            raise ImplementationFailure("refused_start", message, "", line) from None

    def _greet(self, process: Process) -> None:
        line = encode_request(HELLO_ID, "hello")
        try:
            response = _answer(process, line, HELLO_ID, "hello", self.start_timeout)
            if response.hello is None:
                refused = response.error.message if response.error is not None else "no answer"
                raise Fault("protocol_version", f"the implementation refused hello ({refused})")
        except Fault as fault:
            raise self._failed(process, fault, "hello (sent on start)", line) from None
        self.implementation = response.hello

    def _failed(self, process: Process, fault: Fault, who: str, line: str) -> ImplementationFailure:
        process.kill()
        self._forget()
        self._failures += 1
        self._streak.append(f"{fault.kind}: {who}: {fault.message}")
        then = (
            "no further process is started" if self.broken else "the next call starts a fresh one"
        )
        message = f"{who}: {fault.message}; its process (pid {process.pid}) was stopped and {then}"
        return ImplementationFailure(fault.kind, message, process.stderr.text(), line)

    def _forget(self) -> None:
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = None
        self._process = None
