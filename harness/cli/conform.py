"""`otpspec conform`: the conformance run, a thin front door over the pytest plugin.

For each `--impl` (default: the reference, in process) it runs pytest with the otpspec
plugin on the features and the spec's generated checks, isolated from any pytest
configuration in the working directory, and writes every report of that run into the
report directory (a subdirectory per implementation when there are several, and a matrix):
results.json, report.html, traceability.md, coverage.json, the diagrams, junit.xml and
cucumber.json. The console is pytest's. Anything after `--` goes to pytest as it is.

Exit status: 0 everything passed (deviations too, unless --strict); 1 a fail or an error;
2 bad arguments, nothing selected, or reports that cannot be written; 3 an implementation
could not be started; 130 interrupted (SIGINT or SIGTERM: the implementation is stopped and
the reports describe the run so far, see harness.cli.interrupts).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

import pytest

from harness.adapters import REFERENCE, CommandError, parse_impl_command
from harness.cli.interrupts import Interrupts
from harness.reports.html import render_matrix
from harness.reports.matrix import load_summary, matrix_md
from harness.reports.publish import ReportDirError, check_writable, publish
from harness.resources import FEATURES_DIR
from harness.run.options import (
    MAX_TIMEOUT,
    MAX_WALKS,
    feature_path_problem,
    impl_label,
    seconds_value,
    walks_value,
)
from statechart.files import directory_problem, file_problem
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.problems import SpecInvalid

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_STARTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "add_conform_command",
    "pytest_arguments",
    "run_conform",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_NOT_STARTED: Final = 3
EXIT_INTERRUPTED: Final = 130

EXIT_HELP: Final = (
    "exit status: 0 everything passed (deviations too, unless --strict); 1 a fail or an "
    "error; 2 bad arguments, nothing selected, or reports that cannot be written; 3 an "
    "implementation could not be started; 130 interrupted (SIGINT or SIGTERM: the reports "
    'describe the run so far, with "interrupted": true in results.json)'
)
_PYTEST_EXIT: Final = {
    pytest.ExitCode.OK: EXIT_OK,
    pytest.ExitCode.TESTS_FAILED: EXIT_FAILED,
    pytest.ExitCode.INTERRUPTED: EXIT_INTERRUPTED,
    pytest.ExitCode.INTERNAL_ERROR: EXIT_USAGE,
    pytest.ExitCode.USAGE_ERROR: EXIT_USAGE,
    pytest.ExitCode.NO_TESTS_COLLECTED: EXIT_USAGE,
}


def _seconds(text: str) -> float:
    try:
        return seconds_value(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _walks(text: str) -> int:
    try:
        return walks_value(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _workers(text: str) -> str:
    if text == "auto" or (text.isdigit() and 0 < int(text) <= 256):
        return text
    raise argparse.ArgumentTypeError(f"-n takes a number of workers (1-256) or auto, not {text!r}")


def add_conform_command(commands: Any) -> None:
    """Adds `conform` to the subcommands.

    Args:
        commands: The object returned by `ArgumentParser.add_subparsers`.
    """
    parser = commands.add_parser(
        "conform",
        help="run the scenarios and checks against implementations and write reports",
        description="Runs every scenario of the feature files, the generated checks and the "
        "differential walks against each implementation (with pytest and the otpspec "
        "plugin), and writes the reports. Arguments after -- go to pytest.",
        epilog=EXIT_HELP,
    )
    add = parser.add_argument
    add(
        "--impl",
        action="append",
        default=[],
        metavar="CMD",
        help="an implementation's command line (protocol v1 on stdin/stdout); repeat for a "
        "matrix (default: the reference, in process)",
    )
    add(
        "--report",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where to write the reports (default: reports/ of the working directory)",
    )
    add(
        "--spec",
        type=Path,
        default=None,
        metavar="DIR",
        help="the spec directory (default: the shipped spec)",
    )
    add(
        "--features",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="feature files or directories (repeatable; default: the shipped features)",
    )
    add(
        "--timeout",
        type=_seconds,
        default=5.0,
        metavar="S",
        help=f"seconds per request (5; at most {MAX_TIMEOUT:g})",
    )
    add(
        "--start-timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds a freshly started implementation gets to answer hello (default: the "
        f"--timeout; at most {MAX_TIMEOUT:g})",
    )
    add("--no-differential", action="store_true", help="skip the differential walks")
    add("--no-generated", action="store_true", help="skip the generated checks")
    add("--no-diagrams", action="store_true", help="no diagrams in the report")
    add("--seed", type=int, default=0, metavar="N", help="the differential walks' seed")
    add(
        "--walks",
        type=_walks,
        default=25,
        metavar="N",
        help=f"differential walks from each starting point (25; 1 to {MAX_WALKS})",
    )
    add("-k", dest="keyword", metavar="EXPR", help="only items matching the expression (pytest -k)")
    add(
        "-m",
        dest="markers",
        metavar="EXPR",
        help="only items with these markers (pytest -m), e.g. 'section-3.4 or ASM-012'",
    )
    add(
        "--section",
        action="append",
        default=[],
        metavar="ID",
        help="only items of this manual section and its subsections (repeatable)",
    )
    add(
        "-n",
        dest="workers",
        type=_workers,
        metavar="N",
        help="run on N pytest-xdist workers, one implementation process each",
    )
    add(
        "--strict",
        action="store_true",
        help="deviations the declaration does not accept fail the run (exit 1)",
    )
    add(
        "--declaration",
        type=Path,
        default=None,
        metavar="FILE",
        help="the vendor's declaration: capabilities not offered, deviations accepted "
        "(docs/declaration.md)",
    )
    add(
        "pytest_args",
        nargs=argparse.REMAINDER,
        metavar="-- PYTEST_ARGS",
        help="further pytest arguments",
    )


def pytest_arguments(
    args: argparse.Namespace, impl: str, label: str, report: Path, spec_dir: Path
) -> list[str]:
    """The pytest command line of one implementation's run."""
    features = [str(path) for path in (args.features or [FEATURES_DIR])]
    argv = [
        *features,
        str(spec_dir),
        "-c",
        os.devnull,  # the working directory's pytest configuration is not ours
        "--rootdir",
        str(Path.cwd()),
        "-o",
        f"cache_dir={report / '.pytest_cache'}",
        "-o",
        "junit_family=xunit2",
        "-p",
        "no:randomly",
        # This process imported pytest-bdd (through the harness) before pytest could mark
        # it for assertion rewriting; its step functions do not assert, so nothing is lost.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        # Nothing a conformance run executes relies on rewritten asserts (verdicts are
        # raised, not asserted); rewriting the harness's modules cost ~0.6 s per process.
        "--assert=plain",
        "--otpspec-impl",
        impl,
        "--otpspec-label",
        label,
        "--otpspec-spec",
        str(spec_dir),
        "--otpspec-report",
        str(report),
        "--otpspec-timeout",
        repr(args.timeout),
        "--otpspec-seed",
        str(args.seed),
        "--otpspec-walks",
        str(args.walks),
        "--junitxml",
        str(report / "junit.xml"),
        "--cucumberjson",
        str(report / "cucumber.json"),
    ]
    flags = {
        "--otpspec-strict": args.strict,
        "--otpspec-no-generated": args.no_generated,
        "--otpspec-no-differential": args.no_differential,
        "--otpspec-no-diagrams": args.no_diagrams,
    }
    argv += [flag for flag, wanted in flags.items() if wanted]
    for section in args.section:
        argv += ["--otpspec-section", section]
    if args.declaration is not None:
        argv += ["--otpspec-declaration", str(args.declaration)]
    if args.start_timeout is not None:
        argv += ["--otpspec-start-timeout", repr(args.start_timeout)]
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.markers:
        argv += ["-m", args.markers]
    if args.workers:
        argv += ["-n", args.workers]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        argv += ["-p", "harness.run.plugin", "-p", "pytest_bdd.plugin", "-p", "xdist.plugin"]
    extra = list(args.pytest_args)
    return argv + (extra[1:] if extra[:1] == ["--"] else extra)


def _labels(impls: Sequence[str]) -> list[str]:
    labels: list[str] = []
    for impl in impls:
        base = impl_label(impl)
        label, number = base, 2
        while label in labels:
            label, number = f"{base}-{number}", number + 1
        labels.append(label)
    return labels


def _check(args: argparse.Namespace, err: TextIO) -> Path | None:
    """The spec directory, once the arguments hold up (None: a message was printed)."""
    for impl in args.impl:
        if impl.strip() != REFERENCE:
            try:
                parse_impl_command(impl)
            except CommandError as error:
                print(f"otpspec conform: --impl {impl!r}: {error}", file=err)
                return None
    why = "" if args.declaration is None else file_problem(args.declaration)
    if why:
        print(f"otpspec conform: --declaration {args.declaration} {why}", file=err)
        return None
    wrong = [f"{path} {why}" for path in args.features if (why := feature_path_problem(path))]
    if wrong:
        print(f"otpspec conform: --features {'; '.join(wrong)}", file=err)
        return None
    spec_dir: Path = args.spec or DEFAULT_SPEC_DIR
    why = directory_problem(spec_dir)
    if not why and not (spec_dir / "statechart.yaml").is_file():
        why = "holds no statechart.yaml"
    if why:
        print(f"otpspec conform: --spec {spec_dir} {why}; give the spec directory", file=err)
        return None
    try:
        check_writable(args.report)
    except ReportDirError as error:
        print(f"otpspec conform: {error}", file=err)
        return None
    return spec_dir


class _StartSeen:
    """A pytest plugin that keeps whether the implementation could be started, from the
    run's own record (reading it back from results.json took 0.3 s after the full run)."""

    def __init__(self) -> None:
        self.failure = ""

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Reads the run's start failure (empty: it started, or never got that far)."""
        from harness.run.plugin import STATE  # here: every otpspec command imports conform

        run = session.config.stash.get(STATE, None)
        self.failure = run.implementation().start_failure if run is not None else ""


def _matrix(spec_dir: Path, reports: Sequence[Path], root: Path) -> None:
    try:
        spec = load_spec(spec_dir)
    except SpecInvalid:
        return
    summaries = [load_summary(spec, report / "results.json") for report in reports]
    found = [summary for summary in summaries if summary is not None]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    publish(
        {"matrix.md": matrix_md(spec, found), "matrix.html": render_matrix(spec, found, stamp)},
        root,
    )


def run_conform(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Runs `otpspec conform`; see the module docstring for the exit status."""
    err = err or sys.stderr
    spec_dir = _check(args, err)
    if spec_dir is None:
        return EXIT_USAGE
    started = time.time()
    with Interrupts() as interrupts:
        code = _run_all(args, spec_dir, err, interrupts)
    if interrupts.signum is not None:
        if _reported_since(args.report, started):
            said = f"the implementation was stopped; the reports in {args.report} describe "
            said += "the run so far"
        else:  # while pytest loaded the spec: it ends such a session without its hooks
            said = f"the run had not begun: no reports were written ({args.report} keeps "
            said += "any earlier run's)"
        print(f"otpspec conform: interrupted ({interrupts.name}); {said}", file=err)
        return EXIT_INTERRUPTED
    return code


def _reported_since(report: Path, started: float) -> bool:
    """Whether this run wrote results.json (one implementation's or several's)."""
    for results in (report / "results.json", *report.glob("*/results.json")):
        try:
            if results.stat().st_mtime >= started:
                return True
        except OSError:
            continue
    return False


def _run_all(args: argparse.Namespace, spec_dir: Path, err: TextIO, interrupts: Interrupts) -> int:
    """Runs pytest for each implementation, then writes the matrix."""
    impls = [impl.strip() for impl in args.impl] or [REFERENCE]
    labels = _labels(impls)
    several = len(impls) > 1
    codes: list[int] = []
    reports: list[Path] = []
    for impl, label in zip(impls, labels, strict=True):
        report = args.report / label if several else args.report
        reports.append(report)
        start = _StartSeen()
        code = pytest.main(
            pytest_arguments(args, impl, label, report, spec_dir), plugins=[interrupts, start]
        )
        mapped = _PYTEST_EXIT.get(pytest.ExitCode(code), EXIT_FAILED)
        if mapped == EXIT_INTERRUPTED or interrupts.signum is not None:
            return EXIT_INTERRUPTED
        if start.failure:
            print(f"otpspec conform: cannot start {impl!r}; see {report}/report.html", file=err)
            mapped = EXIT_NOT_STARTED
        codes.append(mapped)
    if several:
        try:
            _matrix(spec_dir, reports, args.report)
        except ReportDirError as error:
            print(f"otpspec conform: {error}", file=err)
            codes.append(EXIT_USAGE)
    return max(codes)
