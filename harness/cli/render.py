"""The `otpspec render` subcommand: diagrams, Mermaid docs and SCXML from the spec."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from harness.diagrams.draw import DEFAULT_OUT_DIR, RenderFailure, render_all
from harness.diagrams.export import to_mermaid, to_scxml, write_docs
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.problems import SpecInvalid

__all__ = ["COVERAGE_STATUSES", "add_render_command", "load_coverage", "run_render"]

COVERAGE_STATUSES = frozenset({"covered", "failing"})
EXIT_OK = 0
EXIT_USAGE = 2


class RenderError(Exception):
    """A problem the user can fix, reported as one line."""


def add_render_command(commands: Any) -> None:
    """Adds `render [--out DIR] [--coverage FILE] [--spec DIR]` to the subcommands.

    Args:
        commands: The object returned by `ArgumentParser.add_subparsers`.
    """
    render = commands.add_parser(
        "render", help="draw the screen-flow diagrams, their Mermaid text and the SCXML"
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
        RenderError: if the file is missing, not JSON, or not such an object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RenderError(f"coverage file {path}: {error.strerror or error}") from error
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


def _render(args: argparse.Namespace) -> list[Path]:
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
