"""Answers hello properly, then `{"id": …, "ok": true}` (no view) to every other request."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import encode, run


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Drops the view from every answer but hello's."""
    if request.get("op") == "hello":
        return None
    return [encode({"id": request.get("id"), "ok": True})]


if __name__ == "__main__":
    sys.exit(run(misbehave))
