"""Writes half an answer to launch, then `hang`s or `exit`s (the argument)."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from minimal_impl import encode, run, say


def main(argv: list[str]) -> int:
    """Answers requests; launch's answer is cut in the middle."""
    mode = argv[1] if len(argv) == 2 else "hang"

    def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
        if request.get("op") != "launch":
            return None
        half = encode(answer)[:20]
        sys.stdout.write(half)
        sys.stdout.flush()
        say(f"partial_line: wrote {half!r}, then {mode}")
        if mode == "exit":
            os._exit(5)
        threading.Event().wait()
        return None

    return run(misbehave)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
