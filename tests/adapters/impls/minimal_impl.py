"""A minimal, correct protocol v1 implementation that the misbehaving scripts build on.

It answers `hello` with protocol 1 and every other op with a closed app's view. A script
passes `misbehave(request, answer)`, which returns the lines to write instead of the answer
(None: the answer as it is), or ends the process itself. Standard library only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["VIEW", "Misbehave", "answer_to", "encode", "run", "say"]

Misbehave = Callable[[dict[str, Any], dict[str, Any]], list[str] | None]

VIEW: dict[str, Any] = {
    "app": "closed",
    "screen": None,
    "dialog": None,
    "error": None,
    "elements": [],
    "fields": {},
    "texts": [],
    "otp": None,
    "token": None,
    "tokens": [],
    "browser": None,
}


def answer_to(request: dict[str, Any]) -> dict[str, Any]:
    """The correct answer to a request."""
    if request.get("op") == "hello":
        return {
            "id": request.get("id"),
            "ok": True,
            "protocol": 1,
            "implementation": {"name": "minimal", "version": "0"},
            "capabilities": [],
        }
    return {"id": request.get("id"), "ok": True, "view": VIEW}


def encode(answer: dict[str, Any]) -> str:
    """One response line, without its line break."""
    return json.dumps(answer, ensure_ascii=False)


def say(text: str) -> None:
    """Writes one line to stderr, at once (the adapter shows stderr's tail in failures)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def run(misbehave: Misbehave | None = None) -> int:
    """Answers request lines until EOF; returns the exit status."""
    while line := sys.stdin.buffer.readline():
        if not line.strip():
            continue
        request = json.loads(line)
        answer = answer_to(request)
        lines = None if misbehave is None else misbehave(request, answer)
        text = "".join(f"{item}\n" for item in ([encode(answer)] if lines is None else lines))
        sys.stdout.buffer.write(text.encode("utf-8"))  # one write: extra lines arrive together
        sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(run())
