"""The `otpspec conform` subcommand: argument wiring, progress lines, the summary.

`otpspec conform [--impl CMD]... [--report DIR] [--features PATH]... [--timeout S]
[--no-differential] [--no-generated] [--seed N]` exits 0 when everything passed, 1 when
anything failed, 2 on bad arguments and 3 when an implementation could not start.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from harness.reports.writers import run_outcome, write_reports
from harness.run.conform import (
    DEFAULT_REPORT_DIR,
    CheckOutcome,
    ConformError,
    ConformOptions,
    ConformRun,
    ImplRun,
    Progress,
    ScenarioRun,
    conform,
)
from harness.scenarios.gherkin import Feature
from harness.scenarios.replay import DEFAULT_FEATURES_DIR, shown_path

__all__ = ["EXIT_USAGE", "ProgressPrinter", "add_conform_command", "run_conform", "summary_line"]

EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130
_BAR_WIDTH: Final = 30


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the timeout must be above 0 seconds, not {text}")
    return value


def add_conform_command(commands: Any) -> None:
    """Adds `conform` to the subcommands.

    Args:
        commands: The object returned by `ArgumentParser.add_subparsers`.
    """
    parser = commands.add_parser(
        "conform",
        help="run the scenarios and checks against implementations and write reports",
        description="Runs every scenario of the feature files, the generated checks and the "
        "differential check against each implementation, and writes the reports.",
    )
    parser.add_argument(
        "--impl",
        action="append",
        default=[],
        metavar="CMD",
        help="an implementation's command line (protocol v1 on stdin/stdout); repeat for a "
        "matrix (default: the reference, in process)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        metavar="DIR",
        help="where to write the reports (default: reports/)",
    )
    parser.add_argument(
        "--features",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="feature files or directories (default: features/)",
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=5.0, metavar="S", help="seconds per request (5)"
    )
    parser.add_argument(
        "--no-differential", action="store_true", help="skip the differential check"
    )
    parser.add_argument("--no-generated", action="store_true", help="skip the generated checks")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="the differential seed")


def summary_line(counts: dict[str, int]) -> str:
    """`N passed, N failed`, then `, N skipped` / `, N undefined` when there are any."""
    line = f"{counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed"
    for kind in ("skipped", "undefined"):
        if counts.get(kind):
            line += f", {counts[kind]} {kind}"
    return line


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


class ProgressPrinter(Progress):
    """Prints one line per feature file (a progress bar instead on a terminal)."""

    def __init__(self, out: TextIO, *, tty: bool | None = None) -> None:
        self._out = out
        self._tty = out.isatty() if tty is None else tty
        self._total = 0
        self._done = 0

    def _print(self, text: str) -> None:
        self._clear()
        print(text, file=self._out, flush=True)

    def _clear(self) -> None:
        if self._tty:
            self._out.write("\r\033[K")

    def begin(self, run: ImplRun, total: int) -> None:
        """Names the implementation."""
        self._total, self._done = total, 0
        self._print(f"{run.impl}: {run.name} {run.version}, {total} scenarios")

    def scenario(self, done: ScenarioRun) -> None:
        """Moves the bar; a failure is printed at once."""
        self._done += 1
        if not done.passed:
            self._print(f"  FAILED {done.result.location} {done.result.name}")
            self._print(f"    {_first_line(done.result.message)}")
        if self._tty:
            filled = _BAR_WIDTH * self._done // max(self._total, 1)
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            self._clear()
            self._out.write(f"  [{bar}] {self._done}/{self._total}")
            self._out.flush()

    def feature(self, feature: Feature, runs: Sequence[ScenarioRun]) -> None:
        """One line per feature file with its counts (not on a terminal: the bar says it)."""
        if self._tty:
            return
        passed = sum(1 for run in runs if run.passed)
        failed = f", {len(runs) - passed} failed" if passed < len(runs) else ""
        self._print(f"  {Path(feature.path).name}: {len(runs)} scenarios, {passed} passed{failed}")

    def check(self, name: str, outcome: CheckOutcome | None) -> None:
        """Says a check started, and how it went."""
        if outcome is None:
            self._clear()
            self._out.write(f"  {name}: running…" + ("" if self._tty else "\n"))
            self._out.flush()
            return
        self._print(f"  {name}: {outcome.summary}")

    def end(self, run: ImplRun) -> None:
        """Prints the implementation's outcome."""
        for check in () if run.start_failure else (run.generated, run.differential):
            if check.status == "not run":
                self._print(f"  {check.name}: {check.summary}")
        self._print(f"{run.impl}: {run_outcome(run)}")


def _options(args: argparse.Namespace) -> ConformOptions:
    return ConformOptions(
        impls=tuple(args.impl),
        report_dir=args.report,
        features=tuple(args.features) or (shown_path(DEFAULT_FEATURES_DIR),),
        timeout=args.timeout,
        differential=not args.no_differential,
        generated=not args.no_generated,
        seed=args.seed,
    )


def _report_dir_ok(path: Path) -> str:
    """Why the report directory cannot be used ("" if it can)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot make the report directory {path}: {error.strerror or error}"
    return ""


def _finish(result: ConformRun, report_dir: Path, out: TextIO) -> int:
    """Writes the reports and prints the summary line last; 2 if a report cannot be written."""
    code = result.exit_code
    try:
        written = write_reports(result, report_dir)
    except OSError as error:
        print(f"otpspec conform: cannot write the reports: {error}", file=sys.stderr)
        code = EXIT_USAGE
    else:
        names = sorted({path.name for path in written})
        if written:
            print(f"reports: {report_dir}/ ({', '.join(names)})", file=out)
    totals = {"passed": 0, "failed": 0, "skipped": 0, "undefined": 0}
    for run in result.runs:
        for kind, count in run.counts.items():
            totals[kind] += count
    print(summary_line(totals), file=out, flush=True)
    return code


def run_conform(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Runs `otpspec conform`; bad input is one line on stderr and exit status 2."""
    out = out or sys.stdout
    options = _options(args)
    problem = _report_dir_ok(options.report_dir)
    if problem:
        print(f"otpspec conform: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = conform(options, ProgressPrinter(out))
    except ConformError as error:
        print(f"otpspec conform: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # the adapters have stopped their processes on the way out
        print("\notpspec conform: interrupted; no reports written", file=sys.stderr)
        return EXIT_INTERRUPTED
    for run in result.runs:
        if run.start_failure:
            print(
                f"otpspec conform: cannot start {run.impl!r}: {run.start_failure}", file=sys.stderr
            )
    return _finish(result, options.report_dir, out)
