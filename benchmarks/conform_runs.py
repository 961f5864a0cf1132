"""Whole conformance runs, each in a fresh process as a user starts it: through pytest on
one worker and on two, the runner it replaced (from a checkout of that commit, or its kept
figure), and the speed-up of pytest-xdist on an implementation that takes 20 ms per request.

Run: `python benchmarks/conform_runs.py [--baseline DIR] [--repeat N]` (DIR: a checkout of
the last commit with the hand-written runner, 4f8926a, with its own .venv; without it, the
kept figure of benchmarks/baseline.json). Also run by `tox -e bench`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
KEPT: Final = HERE / "baseline.json"
"""Today's runner's figure, kept when the runner was removed (measured as below)."""

_OLD_RUN: Final = """
import sys, tempfile, pathlib
from harness.run.conform import ConformOptions, conform
with tempfile.TemporaryDirectory() as report:
    run = conform(ConformOptions(report_dir=pathlib.Path(report), diagrams=False))
counts = run.runs[0].counts
print(counts["passed"] + counts["failed"], run.exit_code)
"""


def _timed(argv: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}")
    return seconds


def _otpspec(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness.cli", *args]


def pytest_run(workers: int, *extra: str) -> float:
    """`otpspec conform` from an empty directory, cold (a fresh report directory)."""
    with tempfile.TemporaryDirectory() as work:
        argv = _otpspec("conform", "--no-diagrams", "--report", "reports", *extra)
        if workers > 1:
            argv += ["-n", str(workers)]
        return _timed(argv, Path(work))


def old_run(baseline: Path) -> float:
    """The hand-written runner of `baseline`, in process, cold, as its conform ran it."""
    python = baseline / ".venv" / "bin" / "python"
    return _timed([str(python), "-c", _OLD_RUN], baseline)


def scaling(delay_ms: int = 20, workers: tuple[int, ...] = (1, 2, 4)) -> dict[int, float]:
    """Wall time against workers on an implementation that answers `delay_ms` late."""
    impl = shlex.join([sys.executable, str(HERE / "sleepy_impl.py"), str(delay_ms)])
    subset = ("--impl", impl, "--section", "3.4", "--section", "3.12", "--no-differential")
    return {n: round(pytest_run(n, *subset), 2) for n in workers}


def measure(baseline: Path | None, repeat: int = 3) -> dict[str, Any]:
    """Every figure of this module. The runs compared side by side take turns, `repeat`
    times, and each keeps its best: a shared 2-core VM varies by a second between runs."""
    kept = json.loads(KEPT.read_text(encoding="utf-8"))
    olds: list[float] = []
    ones: list[float] = []
    twos: list[float] = []
    for _ in range(repeat):
        if baseline is not None:
            olds.append(old_run(baseline))
        ones.append(pytest_run(1))
        twos.append(pytest_run(2))
    old = min(olds) if olds else float(kept["old_runner_s"])
    one, two = min(ones), min(twos)
    speeds = scaling()
    return {
        "repeat": repeat,
        "old_runner_s": round(old, 2),
        "old_runner_source": "measured now" if baseline is not None else "kept (baseline.json)",
        "pytest_1_worker_s": round(one, 2),
        "pytest_2_workers_s": round(two, 2),
        "pytest_1_over_old": round(one / old, 2),
        "pytest_2_over_old": round(two / old, 2),
        "sleepy_20ms_by_workers_s": speeds,
        "sleepy_speedup_2": round(speeds[1] / speeds[2], 2),
        "sleepy_speedup_4": round(speeds[1] / speeds[4], 2),
    }


def main() -> int:
    """Prints the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, help="a checkout of 4f8926a with its .venv")
    parser.add_argument("--repeat", type=int, default=3, help="turns of the compared runs (3)")
    args = parser.parse_args()
    print(json.dumps(measure(args.baseline, max(args.repeat, 1)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
