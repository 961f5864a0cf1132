"""Floods stdout on launch: `long` writes a 2 MiB line, `twice` writes the answer twice."""

from __future__ import annotations

import sys
from typing import Any

from minimal_impl import encode, run, say

MODES = ("long", "twice")


def flood(mode: str, answer: dict[str, Any]) -> list[str]:
    """The lines written for launch."""
    if mode == "long":
        return [encode({**answer, "padding": "x" * (2 * 1024 * 1024)})]
    return [encode(answer), encode(answer)]


def main(argv: list[str]) -> int:
    """Runs the implementation in the mode named by the one argument."""
    mode = argv[1] if len(argv) == 2 else ""
    if mode not in MODES:
        say(f"usage: floods_stdout.py {'|'.join(MODES)}")
        return 2

    def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
        if request.get("op") == "launch":
            say(f"floods_stdout: flooding launch ({mode})")
            return flood(mode, answer)
        return None

    return run(misbehave)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
