"""Starts a helper that leaves its session (setsid) and keeps the implementation's stdout open.

`double` (the argument) makes the helper fork a grandchild and exit, as a daemon does: the
grandchild, re-parented to init at once, is the one that holds stdout. `crash` exits on the
first tap (the helper still holding stdout). The helper's pid is said on stderr
(`setsid_helper: helper <pid>`).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from minimal_impl import run, say


def _helper(double: bool) -> int:
    """Forks the helper (and, if `double`, its grandchild); returns the holder's pid."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.setsid()
        if double and os.fork() != 0:
            os._exit(0)  # the middle process ends: the grandchild is an orphan
        os.write(write, f"{os.getpid()}\n".encode())
        os.close(write)
        while True:  # holds stdout, stdin and stderr, inherited
            time.sleep(60)
    os.close(write)
    holder = int(os.read(read, 64).decode())
    os.close(read)
    if double:
        os.waitpid(pid, 0)
    return holder


def main(argv: list[str]) -> int:
    """Starts the helper, then answers requests."""
    mode = set(argv[1:])
    say(f"setsid_helper: helper {_helper('double' in mode)}")

    def misbehave(request: dict[str, Any], answer: dict[str, Any]) -> list[str] | None:
        if "crash" in mode and request.get("op") == "tap":
            say("setsid_helper: exiting on tap")
            os._exit(4)
        return None

    return run(misbehave)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
