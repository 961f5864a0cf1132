"""A target for signal tests: says where it is in files, and can be hard to stop.

Usage: signal_target.py DIR [hang] [stubborn]. It writes its pid and its child's pid to
DIR/pids at start; `hang` blocks on launch after writing DIR/launch; at the end of stdin it
writes DIR/eof and exits. `stubborn` ignores SIGTERM (and EOF: it then stays), and its
child ignores SIGTERM too: only SIGKILL ends them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from minimal_impl import run, say

CHILD = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: signal.pause()"


def main(argv: list[str]) -> int:
    """Runs until the end of stdin (or forever, if stubborn)."""
    where, modes = Path(argv[1]), set(argv[2:])
    stubborn = "stubborn" in modes
    if stubborn:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD if stubborn else "input()"], stdin=subprocess.PIPE
    )
    (where / "pids").write_text(f"{os.getpid()} {child.pid}\n")

    def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
        if "hang" in modes and request.get("op") == "launch":
            (where / "launch").write_text("launch\n")
            say("signal_target: hanging on launch")
            threading.Event().wait()
        return None

    status = run(misbehave)
    (where / "eof").write_text("eof\n")
    if stubborn:
        threading.Event().wait()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
