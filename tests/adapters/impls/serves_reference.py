"""Serves the reference app (otpspec serve) after writing its pid to the file named by argv[1].

The xdist test counts the processes a run starts: one per worker.
"""

from __future__ import annotations

import os
import sys

from harness.cli.commands import main

if __name__ == "__main__":
    with open(sys.argv[1], "a", encoding="utf-8") as pids:
        pids.write(f"{os.getpid()}\n")
    sys.exit(main(["serve"]))
