"""The protocol server loop: JSON Lines requests on stdin, one response line each on stdout."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, TextIO

from harness.protocol import (
    MAX_LINE_BYTES,
    Implementation,
    encode_response,
    error_response,
    handle_line,
)

__all__ = ["Overlong", "read_line", "serve", "text_streams"]

_CHUNK: Final = 64 * 1024
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Overlong:
    """A line longer than the limit, read to its end and dropped.

    Attributes:
        size: Its length in UTF-8 bytes, without the line break.
    """

    size: int


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def read_line(stream: TextIO, max_bytes: int = MAX_LINE_BYTES) -> str | Overlong | None:
    """Reads one line in chunks, holding at most about `max_bytes` of it.

    Args:
        stream: A text stream.
        max_bytes: The longest line kept, in UTF-8 bytes without the line break (`\\n`, or
            `\\r\\n`: a `\\r` just before the `\\n` belongs to the line break).

    Returns:
        The line without its line break, an Overlong for a longer line (consumed), or None
        at EOF.
    """
    parts: list[str] = []
    size = 0
    carriage = False  # whether the line so far ends with "\r" (a chunk may end between)
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk and not parts and size == 0:
            return None
        newline = chunk.endswith("\n")
        text = chunk.removesuffix("\n")
        if text:
            carriage = text.endswith("\r")
        size += _size(text)
        if size <= max_bytes + 1:  # + 1: room for the "\r" of a "\r\n"
            parts.append(text)
        else:
            parts.clear()
        if newline or not chunk:
            crlf = newline and carriage
            size -= crlf
            if size > max_bytes:
                return Overlong(size)
            line = "".join(parts)
            return line[:-1] if crlf else line


def _overlong_response(line: Overlong) -> str:
    message = (
        f"request line: it has {line.size} bytes, over the limit of {MAX_LINE_BYTES} (1 MiB); "
        "it was not read; send a smaller request"
    )
    return encode_response(error_response(None, "bad_request", message))


def _undecodable_response(error: UnicodeDecodeError) -> str:
    message = (
        f"request line: the input is not UTF-8 ({error.reason} at byte "
        f"{error.start} of a chunk); the server stops because the rest cannot be read; "
        "send UTF-8 text"
    )
    return encode_response(error_response(None, "bad_request", message))


def _step(
    impl: Implementation, stdin: TextIO, check_results: bool
) -> tuple[str | None, int | None]:
    """Reads and answers one line: (the answer or None, the exit status when serving ends)."""
    try:
        line = read_line(stdin)
    except UnicodeDecodeError as error:
        return _undecodable_response(error), 1
    if line is None:
        return None, 0
    if isinstance(line, Overlong):
        return _overlong_response(line), None
    return handle_line(impl, line, check_results=check_results), None


def _write(stdout: TextIO, answer: str) -> bool:
    try:
        stdout.write(answer + "\n")
        stdout.flush()
    except (OSError, ValueError) as error:  # a closed pipe or stream
        _LOG.error("cannot write to stdout (%s); stopping", error)
        return False
    return True


@contextlib.contextmanager
def _logging_to(stderr: TextIO) -> Iterator[None]:
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("otpspec serve: %(levelname)s: %(message)s"))
    logger = logging.getLogger("harness")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def serve(
    impl: Implementation,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    *,
    check_results: bool = True,
) -> int:
    """Answers requests until EOF; never raises on bad input.

    While serving, anything the implementation prints goes to `stderr`, so `stdout`
    carries only response lines; each is flushed as it is written.

    Args:
        impl: The implementation.
        stdin: Request lines (UTF-8 text).
        stdout: Response lines.
        stderr: Logs.
        check_results: Check each view against the view schema before sending it.

    Returns:
        0 at EOF; 1 when stdout fails or stdin is not UTF-8.
    """
    with _logging_to(stderr), contextlib.redirect_stdout(stderr):
        while True:
            answer, status = _step(impl, stdin, check_results)
            if answer is not None and not _write(stdout, answer):
                return 1
            if status is not None:
                return status


def text_streams(stdin: TextIO, stdout: TextIO) -> None:
    """Sets the process's stdin and stdout to UTF-8 with `\\n` line breaks, before any use.

    Bytes that are not UTF-8 come through as lone surrogates (`surrogateescape`), which the
    protocol answers with `bad_request` instead of failing to read. Streams that are not
    io.TextIOWrapper (e.g. io.StringIO) are left alone.
    """
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(encoding="utf-8", errors="surrogateescape", newline="\n")
    if isinstance(stdout, io.TextIOWrapper):
        stdout.reconfigure(encoding="utf-8", errors="strict", newline="\n")
