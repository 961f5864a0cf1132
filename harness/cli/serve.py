"""`otpspec serve [--spec DIR] [--mutant NAME]`: the reference app behind protocol v1.

JSON Lines on stdin and stdout (docs/protocol.md) until stdin ends. Exit status: 0 at the
end of input, 1 when stdin or stdout is closed, stdout cannot be written or stdin is not
UTF-8, 2 bad arguments or an invalid spec, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Final

from harness.cli.mutants import serve_mutant
from harness.protocol.serve import serve, text_streams
from statechart.app import ReferenceApp
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.problems import SpecInvalid

__all__ = ["add_serve_command", "run_serve"]

EXIT_STREAMS: Final = 1
EXIT_INVALID: Final = 2
EXIT_INTERRUPTED: Final = 130
EXIT_HELP: Final = (
    "exit status: 0 at the end of input, 1 stdin or stdout is closed or fails (stdout cannot "
    "be written, stdin is not UTF-8), 2 bad arguments or an invalid spec, 130 interrupted"
)


def add_serve_command(commands: Any) -> None:
    """Adds `serve` to the subcommands."""
    parser = commands.add_parser(
        "serve",
        help="run the reference app behind protocol v1 (JSON Lines on stdin/stdout)",
        epilog=EXIT_HELP,
    )
    parser.add_argument("--spec", type=Path, default=None, metavar="DIR", help="the spec directory")
    parser.add_argument("--mutant", metavar="NAME", help="serve a mutant instead (otpspec mutants)")


def closed_streams() -> str:
    """Why serving cannot start ("" when it can): a standard stream that was closed.

    A program started with its stdin or stdout closed (`otpspec serve >&-`) gets None for
    them in Python; stderr closed too leaves nowhere to say so, and sys.stderr is then
    pointed at os.devnull so that nothing else fails on it.
    """
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
    closed = [name for name in ("stdin", "stdout") if getattr(sys, name) is None]
    if not closed:
        return ""
    streams = " and ".join(closed)
    return (
        f"otpspec serve: {streams} {'is' if len(closed) == 1 else 'are'} closed; run it with "
        "stdin and stdout connected (requests in, responses out), e.g. from the harness"
    )


def run_serve(args: argparse.Namespace) -> int:
    """Serves the reference app (or a mutant) until stdin ends."""
    closed = closed_streams()
    if closed:
        print(closed, file=sys.stderr)
        return EXIT_STREAMS
    spec_dir: Path = args.spec or DEFAULT_SPEC_DIR
    if args.mutant is not None:
        return serve_mutant(spec_dir, args.mutant)
    try:
        spec = load_spec(spec_dir)
    except SpecInvalid as invalid:
        for problem in invalid.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_INVALID
    text_streams(sys.stdin, sys.stdout)
    try:
        # The reference's views are checked by its tests and by every client that decodes
        # them; checking them here again would double the protocol's cost per step.
        return serve(ReferenceApp(spec), sys.stdin, sys.stdout, sys.stderr, check_results=False)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
