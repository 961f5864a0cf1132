"""Exits with status 3 on the first tap, after saying so on stderr."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import run, say


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Exits on tap."""
    if request.get("op") == "tap":
        say("crashes_on_tap: tapped; exiting with status 3")
        sys.exit(3)
    return None


if __name__ == "__main__":
    sys.exit(run(misbehave))
