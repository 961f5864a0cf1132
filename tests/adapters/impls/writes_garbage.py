"""Answers launch with a long line that is not JSON."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import run, say

GARBAGE = "NOT JSON " + "x" * 500


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Writes garbage for launch."""
    if request.get("op") == "launch":
        say("writes_garbage: answering launch with garbage")
        return [GARBAGE]
    return None


if __name__ == "__main__":
    sys.exit(run(misbehave))
