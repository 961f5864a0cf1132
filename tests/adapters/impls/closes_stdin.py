"""Answers launch, then closes its stdin and keeps running."""

from __future__ import annotations

import json
import os
import sys
import time

from minimal_impl import answer_to, encode, say


def main() -> int:
    """Answers requests until launch; then closes stdin and waits to be ended."""
    while line := sys.stdin.buffer.readline():
        request = json.loads(line)
        if request.get("op") == "launch":
            # Closed before the answer goes out, so the next request always finds it closed
            # (closing after answering raced the harness's next write).
            os.close(0)
            say("closes_stdin: closed stdin after launch")
        sys.stdout.write(encode(answer_to(request)) + "\n")
        sys.stdout.flush()
        if request.get("op") == "launch":
            while True:
                time.sleep(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
