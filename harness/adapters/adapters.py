"""Adapters: one interface (`Implementation`) for every implementation the harness drives.

`InProcessAdapter` runs the reference app in this process; `SubprocessAdapter` runs any
implementation as one child process that speaks conformance protocol v1 (docs/protocol.md)
on its stdin and stdout. Each op returns the view; a request the implementation refuses
raises `ImplementationError` (the process is fine), and a broken process (it crashed, hung,
wrote garbage, ...) raises `ImplementationFailure`, after which the adapter kills it and the
next call starts a fresh one, so one misbehaving scenario does not sink a run.
"""

from __future__ import annotations

import abc
import contextlib
import itertools
import json
import os
import selectors
import shlex
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Final, Literal, Self, TypeAlias, cast

from harness.protocol.messages import (
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    ErrorKind,
    HelloInfo,
    Op,
    ProtocolError,
    Request,
    RequestId,
    Response,
    decode_response,
    dispatch,
    encode_request,
)
from statechart.app import ReferenceApp
from statechart.model import Spec

__all__ = [
    "FAILURE_KINDS",
    "REFERENCE",
    "Adapter",
    "CommandError",
    "FailureKind",
    "ImplementationError",
    "ImplementationFailure",
    "InProcessAdapter",
    "SubprocessAdapter",
    "adapter_for",
    "parse_impl_command",
]

FailureKind = Literal[
    "crashed", "timeout", "garbage", "wrong_id", "protocol_version", "flood", "refused_start"
]
FAILURE_KINDS: Final[tuple[FailureKind, ...]] = (
    "crashed",
    "timeout",
    "garbage",
    "wrong_id",
    "protocol_version",
    "flood",
    "refused_start",
)
REFERENCE: Final = "reference"
"""The `--impl` value (or None) that selects the in-process reference app."""

PathArg: TypeAlias = str | os.PathLike[str]

_HELLO_ID: Final = "hello"  # the handshake's id, apart from the caller's numbered requests
_CHUNK: Final = 64 * 1024
_SPIN_SECONDS: Final = 0.0005
"""How long to poll for an answer before waiting on the pipe (see `_spin_read`)."""
_TAIL_BYTES: Final = 8 * 1024
_TAIL_LINES: Final = 50
_SHOWN: Final = 200
_EXIT_WAIT: Final = 1.0  # how long a process that closed stdout gets to report its exit
_KILL_WAIT: Final = 5.0  # SIGKILL cannot be ignored; this only bounds a stuck kernel
_JOIN_WAIT: Final = 1.0
_DECODE_PREFIX: Final = "bad response from the implementation: "


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


# ---- in process


class InProcessAdapter(Adapter):
    """The reference app in this process, behind the same checks as `otpspec serve`.

    Requests go through `harness.protocol.messages.dispatch`, so arguments, errors and views are
    checked exactly as over the wire and both adapters answer alike.

    Args:
        spec: The loaded spec; the app is built once from it.
    """

    def __init__(self, spec: Spec) -> None:
        self.name = REFERENCE
        self._app = ReferenceApp(spec)
        self._ids = itertools.count(1)

    def close(self) -> None:
        """Does nothing: there is no process to end."""

    def _call(self, op: Op, args: dict[str, Any]) -> dict[str, Any]:
        response = dispatch(self._app, Request(next(self._ids), op, args))
        if response["ok"] is not True:
            error = response["error"]
            raise ImplementationError(cast(ErrorKind, error["kind"]), error["message"])
        if op == "hello":
            about = response["implementation"]
            return _hello_dict(about["name"], about["version"], response["capabilities"])
        return cast(dict[str, Any], response["view"])


def _hello_dict(name: str, version: str, capabilities: Sequence[str]) -> dict[str, Any]:
    return {"name": name, "version": version, "capabilities": list(capabilities)}


# ---- commands


def parse_impl_command(text: str) -> list[str]:
    """Splits an implementation command into words, as a POSIX shell would (no expansion).

    Raises:
        CommandError: The command is empty or its quotes are unbalanced.
    """
    try:
        argv = shlex.split(text)
    except ValueError as error:
        raise CommandError(
            f"the implementation command {text!r} cannot be split into words "
            f"({str(error).lower()}); balance its quotes, e.g. 'python \"my impl.py\"'"
        ) from None
    if not argv:
        raise CommandError(
            "the implementation command is empty; give a program and its arguments, "
            "e.g. 'python my_impl.py'"
        )
    return argv


def _argv(command: str | Sequence[str]) -> list[str]:
    if isinstance(command, str):
        return parse_impl_command(command)
    argv = [str(word) for word in command]
    if not argv:
        raise CommandError("the implementation command is an empty list; give a program")
    return argv


def adapter_for(impl: str | None, spec: Spec, *, timeout: float = 5.0) -> Adapter:
    """Returns the adapter for an `--impl` value.

    Args:
        impl: None or "reference" for the in-process reference app, else a command line.
        spec: The loaded spec (used by the reference).
        timeout: Seconds a subprocess gets to answer each request.

    Raises:
        CommandError: The command cannot be split into words.
    """
    if impl is None or impl.strip() == REFERENCE:
        return InProcessAdapter(spec)
    return SubprocessAdapter(parse_impl_command(impl), timeout=timeout)


# ---- a subprocess


class _Fault(Exception):
    """A broken process, found while talking to it (becomes an ImplementationFailure)."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(kind, message)
        self.kind: FailureKind = kind
        self.message = message


@dataclass(frozen=True)
class _Deadline:
    """When a request's answer is due."""

    seconds: float
    end: float

    @classmethod
    def after(cls, seconds: float) -> _Deadline:
        return cls(seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self, what: str) -> _Fault:
        return _Fault("timeout", f"{what} within {self.seconds:g} s")


def _shown(data: bytes | bytearray | str) -> str:
    """Quotes the start of a line for a message (the first 200 characters)."""
    text = data if isinstance(data, str) else bytes(data[: 4 * _SHOWN]).decode("utf-8", "replace")
    if len(text) <= _SHOWN and len(data) <= 4 * _SHOWN:
        return repr(text)
    return f"{text[:_SHOWN]!r} (the first {_SHOWN} characters)"


def _describe_exit(code: int) -> str:
    if code >= 0:
        return f"exited with status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = "an unknown signal"
    return f"was killed by signal {name} ({-code})"


class _StderrTail:
    """Drains a stream on a thread (so a chatty writer never blocks) and keeps its tail."""

    def __init__(self, stream: IO[bytes], pid: int) -> None:
        self._stream = stream
        self._data = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name=f"stderr-{pid}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the stream was closed under us
            while chunk := self._stream.read(_CHUNK):
                with self._lock:
                    self._data += chunk
                    if len(self._data) > 2 * _TAIL_BYTES:  # trimmed in batches, not per chunk
                        del self._data[:-_TAIL_BYTES]

    def text(self) -> str:
        """The last lines (at most 50 and about 8 KiB), decoded leniently."""
        with self._lock:
            data = bytes(self._data[-_TAIL_BYTES:])
        lines = data.decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-_TAIL_LINES:])

    def close(self) -> None:
        """Waits (bounded) for the end of the stream, then closes it."""
        self._thread.join(_JOIN_WAIT)
        if not self._thread.is_alive():  # closing under a blocked read would not wake it
            self._stream.close()


def _flooded(what: str) -> _Fault:
    return _Fault("flood", f"the implementation wrote {what}")


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    if stream is None:  # cannot happen with PIPE; keeps the types honest
        raise RuntimeError("the child process has no pipe")
    return stream


class _Process:
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
        self._stdin = _pipe(self.popen.stdin)
        self._stdout = _pipe(self.popen.stdout)
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
        self.stderr = _StderrTail(_pipe(self.popen.stderr), self.pid)

    def ask(self, line: str, seconds: float) -> str:
        """Sends one request line and returns the one answer line.

        Raises:
            _Fault: The process crashed, hung, flooded or answered undecodable bytes.
        """
        deadline = _Deadline.after(seconds)
        self._check_ready()
        self._send((line + "\n").encode("utf-8"), deadline)
        answer = self._read_line(deadline)
        self._take_waiting()
        if self._buffer:
            raise _flooded(f"more than one line; after the answer came {_shown(self._buffer)}")
        return answer

    def _check_ready(self) -> None:
        self._take_waiting()
        if self._buffer:  # arrived after the previous answer had been taken
            raise _flooded(f"a line nobody asked for: {_shown(self._buffer)}")
        if self._eof or self.popen.poll() is not None:
            raise self._crashed("before the request was sent")

    def _take_waiting(self) -> None:
        """Reads whatever is already waiting on stdout, without waiting for more."""
        while not self._eof and len(self._buffer) <= MAX_LINE_BYTES and self._readable.select(0):
            self._read_chunk()

    def _read_chunk(self) -> None:
        try:
            chunk = os.read(self._out, _CHUNK)
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
        until = time.perf_counter() + _SPIN_SECONDS
        while time.perf_counter() < until:
            try:
                chunk = os.read(self._out, _CHUNK)
            except BlockingIOError:
                continue
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
            return True
        return False

    def _send(self, data: bytes, deadline: _Deadline) -> None:
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

    def _read_line(self, deadline: _Deadline) -> str:
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
            raise _Fault(
                "garbage", f"the answer is not UTF-8 ({error.reason}): {_shown(raw)}"
            ) from None

    def _check_partial(self) -> None:
        """Checks the unfinished line in the buffer: not too long, and still coming."""
        if len(self._buffer) > MAX_LINE_BYTES + 1:  # + 1: room for a "\r" before the "\n"
            raise _flooded(f"a line of over {MAX_LINE_BYTES} bytes (1 MiB), the limit")
        if self._eof:
            inside = f" (in the middle of the line {_shown(self._buffer)})" if self._buffer else ""
            raise self._crashed(f"before answering{inside}")

    def _crashed(self, when: str) -> _Fault:
        return _Fault("crashed", f"the implementation {self._exit_text()} {when}")

    def _exit_text(self) -> str:
        try:
            code = self.popen.wait(timeout=_EXIT_WAIT)
        except subprocess.TimeoutExpired:
            return f"closed its stdout but was still running after {_EXIT_WAIT:g} s"
        return _describe_exit(code)

    def kill(self) -> None:
        """Kills the whole process group at once (after a failure: its state is unknown)."""
        if self._ended:
            return
        self._ended = True
        self._signal(signal.SIGKILL)
        self._wait(_KILL_WAIT)
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
        self._wait(_KILL_WAIT)
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


# ---- the subprocess adapter


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
            raise _Fault(
                "protocol_version",
                f"the implementation speaks protocol {claimed!r}; "
                f"this harness speaks protocol {PROTOCOL_VERSION}",
            )
    try:
        response = decode_response(line)
    except ProtocolError as error:
        reason = error.message.removeprefix(_DECODE_PREFIX)
        message = f"the answer is not a valid protocol v1 response ({reason}); the line: "
        raise _Fault("garbage", message + _shown(line)) from None
    if response.id != request_id and not (response.id is None and not response.ok):
        raise _Fault("wrong_id", f"the answer has id {response.id!r}, not {request_id!r}")
    if response.ok and (response.hello is None) == (op == "hello"):
        given = "a hello answer" if response.hello is not None else "a view"
        raise _Fault("garbage", f"op {op!r} was answered with {given}: {_shown(line)}")
    return response


def _payload(response: Response) -> dict[str, Any]:
    if response.error is not None:
        raise ImplementationError(response.error.kind, response.error.message)
    if response.hello is not None:
        hello = response.hello
        return _hello_dict(hello.name, hello.version, hello.capabilities)
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
    ) -> None:
        self._argv = _argv(command)
        self.name = shlex.join(self._argv)
        self.timeout = timeout
        self.start_timeout = timeout if start_timeout is None else start_timeout
        self.grace = grace
        self._env, self._cwd = env, cwd
        self._ids = itertools.count(1)
        self._process: _Process | None = None
        self._last: _Process | None = None  # the newest process, kept for its stderr tail
        self._finalizer: weakref.finalize[[float], SubprocessAdapter] | None = None
        self._pids: list[int] = []
        self._failures = 0
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

    def stderr_tail(self) -> str:
        """The last lines the newest process wrote to stderr ("" before the first start)."""
        return "" if self._last is None else self._last.stderr.text()

    def start(self) -> None:
        """Starts the process and greets it, unless it is running.

        Raises:
            ImplementationFailure: It cannot start or does not answer `hello` properly.
        """
        self._running(encode_request(_HELLO_ID, "hello"))

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
            response = _decoded(process.ask(line, self.timeout), request_id, op)
        except _Fault as fault:
            raise self._failed(process, fault, f"request {request_id} (op {op!r})", line) from None
        return _payload(response)

    def _running(self, line: str) -> _Process:
        if self._closed:
            raise ValueError(f"the adapter for {self.name!r} is closed; make a new one")
        if self._process is not None:
            return self._process
        process = self._spawn(line)
        self._pids.append(process.pid)
        self._process = self._last = process
        self._finalizer = weakref.finalize(self, process.stop, self.grace)  # the last resort
        self._greet(process)
        return process

    def _spawn(self, line: str) -> _Process:
        try:
            return _Process(self._argv, self._env, self._cwd)
        except OSError as error:
            self._failures += 1
            message = _refused(self._argv, self._cwd, error)
            raise ImplementationFailure("refused_start", message, "", line) from None

    def _greet(self, process: _Process) -> None:
        line = encode_request(_HELLO_ID, "hello")
        try:
            response = _decoded(process.ask(line, self.start_timeout), _HELLO_ID, "hello")
            if response.hello is None:
                refused = response.error.message if response.error is not None else "no answer"
                raise _Fault("protocol_version", f"the implementation refused hello ({refused})")
        except _Fault as fault:
            raise self._failed(process, fault, "hello (sent on start)", line) from None
        self.implementation = response.hello

    def _failed(
        self, process: _Process, fault: _Fault, who: str, line: str
    ) -> ImplementationFailure:
        process.kill()
        self._forget()
        self._failures += 1
        message = (
            f"{who}: {fault.message}; its process (pid {process.pid}) was stopped "
            "and the next call starts a fresh one"
        )
        return ImplementationFailure(fault.kind, message, process.stderr.text(), line)

    def _forget(self) -> None:
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = None
        self._process = None
