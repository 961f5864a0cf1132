"""The `otpspec render` subcommand: diagrams, Mermaid docs and SCXML from the spec."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from harness.diagrams.draw import DEFAULT_OUT_DIR, RenderFailure, render_all
from harness.diagrams.export import to_mermaid, to_scxml, write_docs
from statechart.files import FileRefused, directory_problem, file_problem, read_bytes
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.problems import SpecInvalid

__all__ = [
    "COVERAGE_STATUSES",
    "MAX_COVERAGE_BYTES",
    "add_render_command",
    "load_coverage",
    "run_render",
]

COVERAGE_STATUSES = frozenset({"covered", "failing"})
MAX_COVERAGE_BYTES = 16 * 1024 * 1024
"""Largest coverage file read (a report's coverage.json has a few KB: one line per
transition of the spec)."""
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_HELP = (
    "exit status: 0 the files were written; 2 bad arguments (a --coverage that is not a "
    f"regular file of at most {MAX_COVERAGE_BYTES // 1024 // 1024} MiB holding a coverage "
    "object; an --out, --docs or --spec "
    "that is not a directory), an invalid spec, Graphviz or its font missing, or a file "
    "that cannot be written"
)


class RenderError(Exception):
    """A problem the user can fix, reported as one line."""


def add_render_command(commands: Any) -> None:
    """Adds `render [--out DIR] [--coverage FILE] [--spec DIR]` to the subcommands.

    Args:
        commands: The object returned by `ArgumentParser.add_subparsers`.
    """
    render = commands.add_parser(
        "render",
        help="draw the screen-flow diagrams, their Mermaid text and the SCXML",
        epilog=EXIT_HELP,
    )
    render.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT_DIR,
        metavar="DIR",
        help="where to write the diagrams, screen-flow.md and the SCXML; nothing is written"
        " elsewhere (default: reports/diagrams/ of the working directory)",
    )
    render.add_argument(
        "--docs",
        type=Path,
        default=None,
        metavar="DIR",
        help="also refresh screen-flow.md and screen-flow-overview.png in DIR (for the"
        " repository's docs/)",
    )
    render.add_argument(
        "--coverage",
        type=Path,
        default=None,
        metavar="FILE",
        help='JSON object: transition id ("owner#index") -> "covered" | "failing"',
    )
    render.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC_DIR, metavar="DIR", help="the spec directory"
    )


def load_coverage(path: Path) -> dict[str, str]:
    """Reads a coverage file: a JSON object of transition id -> "covered" | "failing".

    Raises:
        RenderError: if the file is missing, not a regular file (a FIFO, a device), larger
            than MAX_COVERAGE_BYTES, not JSON, or not such an object.
    """
    why = file_problem(path)
    if why:
        raise RenderError(f"coverage file {path} {why}; give coverage.json of a report")
    try:
        data = json.loads(read_bytes(path, MAX_COVERAGE_BYTES).decode("utf-8"))
    except FileRefused as refused:
        why = f"{refused.reason}; give coverage.json of a report"
        raise RenderError(f"coverage file {path}: {why}") from None
    except UnicodeDecodeError as error:
        raise RenderError(f"coverage file {path}: not UTF-8 (byte {error.start:,})") from None
    except json.JSONDecodeError as error:
        message = f"coverage file {path}: not JSON ({error.msg}, line {error.lineno})"
        raise RenderError(message) from error
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and value in COVERAGE_STATUSES for key, value in data.items()
    ):
        raise RenderError(
            f'coverage file {path}: expected {{"owner#index": "covered" | "failing", ...}}'
        )
    return {str(key): str(value) for key, value in data.items()}


def _check_directories(args: argparse.Namespace) -> None:
    """Refuses an --out, --docs or --spec that is not a directory (a file, a FIFO, …),
    before anything is read or drawn."""
    why = directory_problem(args.spec)
    if why:
        raise RenderError(f"--spec {args.spec} {why}; give the spec directory")
    out: Path = args.out
    if out.exists() or out.is_symlink():
        why = directory_problem(out)
        if why:
            raise RenderError(f"--out {out} {why}; give a directory (it is made if need be)")
    if args.docs is not None:
        why = directory_problem(args.docs)
        if why:
            raise RenderError(f"--docs {args.docs} {why}; give the repository's docs/ directory")
        if not os.access(args.docs, os.W_OK | os.X_OK):
            raise RenderError(f"--docs {args.docs}: cannot write into this directory")


def _render(args: argparse.Namespace) -> list[Path]:
    _check_directories(args)
    coverage = None if args.coverage is None else load_coverage(args.coverage)
    try:
        spec = load_spec(args.spec)
    except SpecInvalid as invalid:
        raise RenderError(f"spec {args.spec} is invalid: run `otpspec validate`") from invalid
    out: Path = args.out
    written = render_all(spec, out, coverage)
    mermaid = out / "screen-flow.mmd"
    mermaid.write_text(to_mermaid(spec), encoding="utf-8")
    scxml = out / "statechart.scxml"
    scxml.write_text(to_scxml(spec), encoding="utf-8")
    written += [mermaid, scxml, write_docs(spec, out)]
    if args.docs is not None:  # the repository's docs/: the README shows the overview
        overview = args.docs / "screen-flow-overview.png"
        shutil.copyfile(out / "overview.png", overview)
        written += [write_docs(spec, args.docs), overview]
    return written


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_render(args: argparse.Namespace) -> int:
    """Runs `otpspec render`: prints the files written; one-line errors exit with 2."""
    try:
        written = _render(args)
    except (RenderError, RenderFailure) as error:
        print(f"otpspec render: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"otpspec render: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(_shown(path))
    return EXIT_OK
