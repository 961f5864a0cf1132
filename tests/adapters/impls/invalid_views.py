"""Answers hello properly, then every request with a view that lacks `elements`."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import encode, run


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Drops `elements` from every view."""
    if request.get("op") == "hello":
        return None
    view = {key: value for key, value in answer["view"].items() if key != "elements"}
    return [encode({**answer, "view": view})]


if __name__ == "__main__":
    sys.exit(run(misbehave))
