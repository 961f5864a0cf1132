"""Step 1 of reading a spec file: the file itself, checked before a byte is parsed."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Final

from statechart.yamlio._common import MAX_FILE_BYTES, SIZE_HINT, refuse

__all__ = ["read_text"]

_FILE_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_TYPE_HINT: Final = "put the YAML file itself at this path"
# YAML 1.2 allows tab, line breaks, printable Unicode and the BOM; anything else is refused
# here, so that the location is exact whichever parser runs.
_FORBIDDEN: Final = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _not_regular(mode: int, path: Path) -> str | None:
    for test, kind in _FILE_KINDS:
        if test(mode):
            via = f" (a symbolic link to {os.path.realpath(path)})" if path.is_symlink() else ""
            return f"cannot read the file: it is {kind}{via}, not a regular file"
    return None if stat.S_ISREG(mode) else "cannot read the file: it is not a regular file"


def _too_big(size: int) -> str:
    return (
        f"the file has {size:,} bytes; a spec file may have at most {MAX_FILE_BYTES:,} "
        f"({MAX_FILE_BYTES // 1024 // 1024} MiB)"
    )


def _read(path: Path, file: str) -> bytes:
    """Reads the file after checking its type and size; never blocks on a FIFO or device."""
    try:
        info = path.stat()
        refusal = _not_regular(info.st_mode, path)
        if refusal is not None:
            raise refuse(file, refusal, _TYPE_HINT)
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(file, _too_big(info.st_size), SIZE_HINT)
        # O_NONBLOCK: should the path have become a FIFO since stat, opening must not wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            refusal = _not_regular(os.fstat(handle.fileno()).st_mode, path)
            if refusal is not None:
                raise refuse(file, refusal, _TYPE_HINT)
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        hint = "create the file or fix the path"
        raise refuse(file, f"cannot read the file: {reason}", hint) from None
    if len(raw) > MAX_FILE_BYTES:  # it grew after stat
        raise refuse(file, _too_big(len(raw)), SIZE_HINT)
    return raw


def _position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def read_text(path: Path, file: str) -> str:
    """Returns the text of a spec file.

    Raises:
        Refused: Not a regular file, larger than MAX_FILE_BYTES, unreadable, not UTF-8,
            or holding a character YAML does not allow; located where known.
    """
    raw = _read(path, file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        hint = "save the file as UTF-8"
        raise refuse(file, "the file is not UTF-8 text", hint, line, column) from None
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        message = f"the file holds the character U+{ord(bad.group()):04X}, which YAML forbids"
        hint = "remove it, or write it as an escape in a double-quoted string"
        raise refuse(file, message, hint, *_position(text, bad.start()))
    return text
