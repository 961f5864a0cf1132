"""Prints a debug line to stdout before its answer to launch (`split`: in a separate write)."""

from __future__ import annotations

import sys
import time
from typing import Any

from minimal_impl import encode, run, say

STRAY = "debug: launching the app"


def main(argv: list[str]) -> int:
    """Answers requests; launch's answer comes after a stray line."""
    split = "split" in argv[1:]

    def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
        if request.get("op") != "launch":
            return None
        say("stray_stdout: printing a debug line to stdout")
        if split:
            sys.stdout.write(STRAY + "\n")
            sys.stdout.flush()
            time.sleep(0.05)
            return [encode(answer)]
        return [STRAY, encode(answer)]

    return run(misbehave)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
