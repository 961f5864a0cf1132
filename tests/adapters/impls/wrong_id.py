"""Answers launch with an id 1000 higher than the request's."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import encode, run, say


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Shifts the id of launch's answer."""
    if request.get("op") == "launch":
        say("wrong_id: answering launch with the wrong id")
        return [encode({**answer, "id": request["id"] + 1000})]
    return None


if __name__ == "__main__":
    sys.exit(run(misbehave))
