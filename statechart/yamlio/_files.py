"""Step 1 of reading a spec file: the file itself, checked before a byte is parsed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from statechart.files import FileRefused, read_bytes, size_text
from statechart.yamlio._common import MAX_FILE_BYTES, SIZE_HINT, refuse

__all__ = ["read_text"]

_TYPE_HINT: Final = "put the YAML file itself at this path"
# YAML 1.2 allows tab, line breaks, printable Unicode and the BOM; anything else is refused
# here, so that the location is exact whichever parser runs.
_FORBIDDEN: Final = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _read(path: Path, file: str) -> bytes:
    """Reads the file after checking its type and size; never blocks on a FIFO or device."""
    try:
        return read_bytes(path, MAX_FILE_BYTES)
    except FileRefused as refused:
        if refused.kind == "too large":
            message = (
                f"the file has {refused.size:,} bytes; a spec file may have at most "
                f"{size_text(MAX_FILE_BYTES)}"
            )
            raise refuse(file, message, SIZE_HINT) from None
        if refused.kind == "unreadable":  # its reason already says `cannot read it: …`
            reason = refused.reason.removeprefix("cannot read it: ")
            hint = "create the file or fix the path"
            raise refuse(file, f"cannot read the file: {reason}", hint) from None
        raise refuse(file, f"cannot read the file: {refused.reason}", _TYPE_HINT) from None


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
