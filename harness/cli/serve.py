"""`otpspec serve [--spec DIR] [--mutant NAME]`: the reference app behind protocol v1.

JSON Lines on stdin and stdout (docs/protocol.md) until stdin ends. Exit status: 0 at the
end of input, 1 when stdout cannot be written or stdin is not UTF-8, 2 bad arguments or an
invalid spec, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Final

from harness.cli.mutants import serve_mutant
from harness.protocol.serve import serve, text_streams
from statechart.app import ReferenceApp
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.problems import SpecInvalid

__all__ = ["add_serve_command", "run_serve"]

EXIT_INVALID: Final = 2
EXIT_INTERRUPTED: Final = 130
EXIT_HELP: Final = (
    "exit status: 0 at the end of input, 1 stdout cannot be written or stdin is not UTF-8, "
    "2 bad arguments or an invalid spec, 130 interrupted"
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


def run_serve(args: argparse.Namespace) -> int:
    """Serves the reference app (or a mutant) until stdin ends."""
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
