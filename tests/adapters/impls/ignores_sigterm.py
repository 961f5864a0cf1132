"""Ignores EOF and SIGTERM, and starts a child that ignores SIGTERM too; only SIGKILL ends them.

It reports the child's pid on stderr (`ignores_sigterm: child <pid>`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType

from minimal_impl import run, say

CHILD = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: signal.pause()"


def _ignore(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"ignores_sigterm: ignoring SIGTERM\n")


def main() -> int:
    """Answers until EOF, then keeps running whatever happens."""
    signal.signal(signal.SIGTERM, _ignore)
    child = subprocess.Popen([sys.executable, "-c", CHILD])
    say(f"ignores_sigterm: child {child.pid}")
    run()
    say("ignores_sigterm: stdin ended; staying")
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
