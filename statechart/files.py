"""Paths a user names (spec files, feature files, the manual, a coverage file, directories):
what they are, and reading one with its type and size checked before a byte is read.

A FIFO or a device in place of a file would block a reader or feed it without end, and a
huge file would take minutes; every reader of such a path goes through `read_bytes`, and
every command that wants a file or a directory says what the path really is when it is
not one (`file_problem`, `directory_problem`), never only "no such file".
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Final

__all__ = [
    "FileRefused",
    "directory_problem",
    "file_problem",
    "kind_of",
    "read_bytes",
    "size_text",
]

_KINDS: Final[tuple[tuple[Callable[[int], bool], str], ...]] = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(Exception):
    """A path that cannot be read as the file asked for.

    Attributes:
        reason: Why, in a few words: `it is a named pipe (FIFO), not a regular file`,
            `the file has 5,000,000 bytes; at most 1,048,576 (1 MiB) are read`,
            `cannot read it: Permission denied`.
        kind: What the path is (`a directory`, `a named pipe (FIFO)`, … as `kind_of`
            says), `too large`, or `unreadable`.
        size: The file's size in bytes when it is too large, else 0.
    """

    def __init__(self, reason: str, kind: str, size: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.size = size


def _mode_kind(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _via(path: Path) -> str:
    """` (a symbolic link to …)` when the path is one: what it points at surprises."""
    return f" (a symbolic link to {os.path.realpath(path)})" if path.is_symlink() else ""


def kind_of(path: Path) -> str:
    """What a path is: `a regular file`, `a directory`, `a named pipe (FIFO)`, `a character
    device`, `a block device`, `a socket`, or `missing` (nothing there, or it cannot be
    looked at)."""
    try:
        return _mode_kind(path.stat().st_mode)
    except (OSError, ValueError):
        return "missing"


def size_text(size: int) -> str:
    """`1,048,576 (1 MiB)`, for limits in messages."""
    mib = size / 1024 / 1024
    return f"{size:,} ({mib:g} MiB)"


def file_problem(path: Path) -> str:
    """Why a path is not a file to read ('' when it is a regular file): `does not exist`,
    `is a directory, not a file`, `is a named pipe (FIFO), not a regular file`, …"""
    kind = kind_of(path)
    if kind == "a regular file":
        return ""
    if kind == "missing":
        return "does not exist" if not path.is_symlink() else "is a broken symbolic link"
    if kind == "a directory":
        return f"is a directory, not a file{_via(path)}"
    return f"is {kind}, not a regular file{_via(path)}"


def directory_problem(path: Path) -> str:
    """Why a path is not a directory ('' when it is one): `does not exist`, `is a file,
    not a directory`, `is a named pipe (FIFO), not a directory`, …"""
    kind = kind_of(path)
    if kind == "a directory":
        return ""
    if kind == "missing":
        return "does not exist" if not path.is_symlink() else "is a broken symbolic link"
    if kind == "a regular file":
        return f"is a file, not a directory{_via(path)}"
    return f"is {kind}, not a directory{_via(path)}"


def _too_large(size: int, limit: int) -> FileRefused:
    reason = f"the file has {size:,} bytes; at most {size_text(limit)} are read"
    return FileRefused(reason, "too large", size)


def _check_mode(mode: int, path: Path) -> None:
    if not stat.S_ISREG(mode):
        kind = _mode_kind(mode)
        raise FileRefused(f"it is {kind}{_via(path)}, not a regular file", kind)


def read_bytes(path: Path, limit: int) -> bytes:
    """Reads a regular file of at most `limit` bytes; never blocks on a FIFO or a device.

    Raises:
        FileRefused: The path is not a regular file, is larger than `limit`, or cannot
            be read (missing, no permission, …).
    """
    try:
        info = path.stat()
        _check_mode(info.st_mode, path)
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        # O_NONBLOCK: should the path have become a FIFO since stat, opening must not wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            _check_mode(os.fstat(handle.fileno()).st_mode, path)
            raw = handle.read(limit + 1)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise FileRefused(f"cannot read it: {reason}", "unreadable") from None
    if len(raw) > limit:  # it grew after stat
        raise _too_large(len(raw), limit)
    return raw
