"""The reference app behind protocol v1, answering each request 20 ms late (or argv[1] ms).

A real device answers far slower than the in-process reference; the scaling benchmark
runs the suite against this to show what pytest-xdist's workers buy on such an
implementation.
"""

from __future__ import annotations

import sys
import time

from harness.protocol import handle_line
from statechart.app import ReferenceApp
from statechart.loader import load_spec


def main() -> int:
    """Serves until stdin ends."""
    delay = (float(sys.argv[1]) if len(sys.argv) > 1 else 20.0) / 1000
    app = ReferenceApp(load_spec())
    for line in sys.stdin:
        answer = handle_line(app, line, check_results=False)
        if answer is None:
            continue
        time.sleep(delay)
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
