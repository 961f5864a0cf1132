"""Writes 10 MB to stderr on launch, then answers correctly."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import run, say

LINE = "chatty_stderr: " + "blah " * 197  # about 1 kB a line: 10 MB in all
LINES = 10_000
LAST = "chatty_stderr: done"


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Fills stderr (far beyond a pipe's buffer) before answering launch."""
    if request.get("op") == "launch":
        sys.stderr.write((LINE + "\n") * LINES)
        say(LAST)
    return None


if __name__ == "__main__":
    sys.exit(run(misbehave))
