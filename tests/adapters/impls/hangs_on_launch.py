"""Never answers launch: it blocks until it is killed."""

from __future__ import annotations

import sys
import threading
from typing import Any

from minimal_impl import run, say


def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
    """Blocks forever on launch."""
    if request.get("op") == "launch":
        say("hangs_on_launch: not answering launch")
        threading.Event().wait()
    return None


if __name__ == "__main__":
    sys.exit(run(misbehave))
