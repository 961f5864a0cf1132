"""How long loading the shipped spec takes: each YAML file, and the whole `load_spec`.

Run: `python benchmarks/spec_load.py [ROUNDS]` from the repository root. Prints the median
of ROUNDS (default 20) for each file's `load_yaml` and for `load_spec` (read, validate
against the schemas, build the model). Not a timed test: the figures go in reports.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.yamlio import load_yaml


def _median_ms(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    total = 0.0
    for path in sorted(DEFAULT_SPEC_DIR.glob("*.yaml")):
        ms = _median_ms(lambda path=path: load_yaml(path), rounds)
        total += ms
        print(f"load_yaml {path.name:<18} {path.stat().st_size:>7} B  {ms:8.1f} ms")
    print(f"load_yaml all files{'':>19}{total:8.1f} ms")
    print(f"load_spec (read, validate, build){'':>5}{_median_ms(load_spec, rounds):8.1f} ms")
    print(f"(median of {rounds}; spec {Path(DEFAULT_SPEC_DIR)})")


if __name__ == "__main__":
    main()
