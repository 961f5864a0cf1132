"""The `otpspec` command line: validate, serve, render, steps, mutants and conform."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Final

from harness.cli.conform import add_conform_command, run_conform
from harness.cli.mutants import add_mutants_command, run_mutants
from harness.cli.render import add_render_command, run_render
from harness.cli.serve import add_serve_command, run_serve
from harness.cli.steps import add_steps_command, run_steps
from harness.cli.validate import add_validate_command, run_validate

__all__ = ["EXIT_INTERNAL", "EXIT_USAGE", "main", "otpspec_version"]

EXIT_USAGE: Final = 2
EXIT_INTERNAL: Final = 3
_EPILOG: Final = """\
exit status:
  every command  0 success, 2 bad arguments or bad input (an invalid spec, a missing
                 file, a path of the wrong kind: a FIFO, a device or a directory for a
                 file, or a file over its size limit), 3 an internal error
  conform        0 everything passed (deviations too, unless --strict), 1 a fail or an
                 error, 2 bad arguments, nothing selected or unwritable reports, 3 an
                 implementation could not be started, 130 interrupted (the reports say
                 "interrupted": true and describe the run so far)
  serve          0 at the end of input, 1 stdout or stdin failed, 130 interrupted"""


def otpspec_version() -> str:
    """The installed otpspec's version."""
    try:
        return version("otpspec")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="otpspec",
        description="The executable specification and conformance harness of the OTP app.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"otpspec {otpspec_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_validate_command(commands)
    add_serve_command(commands)
    add_render_command(commands)
    add_mutants_command(commands)
    add_steps_command(commands)
    add_conform_command(commands)
    return parser


_RUN: Final = {
    "validate": run_validate,
    "serve": run_serve,
    "render": run_render,
    "mutants": run_mutants,
    "steps": run_steps,
    "conform": run_conform,
}


def main(argv: list[str] | None = None) -> int:
    """Runs the `otpspec` command.

    Args:
        argv: The arguments without the program name (default: sys.argv[1:]).

    Returns:
        The exit status (see `otpspec --help`).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    run = _RUN.get(args.command or "")
    if run is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return run(args)
    except KeyboardInterrupt:
        print("otpspec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`otpspec steps | head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # the one place that turns any failure into a message
        print(f"otpspec: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
