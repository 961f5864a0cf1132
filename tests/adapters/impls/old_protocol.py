"""Says protocol 0 in its answer to hello."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import encode, run, say


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Answers hello with protocol 0."""
    if request.get("op") == "hello":
        say("old_protocol: speaking protocol 0")
        return [encode({**answer, "protocol": 0})]
    return None


if __name__ == "__main__":
    sys.exit(run(misbehave))
