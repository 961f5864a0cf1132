"""`otpspec mutants [--json]` lists the mutants; `otpspec serve --mutant NAME` serves one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.mutants.catalogue import MUTANTS, mutant_named
from statechart.loader import load_spec
from statechart.problems import SpecInvalid

__all__ = ["add_mutants_command", "mutants_table", "run_mutants", "serve_mutant"]

_EXIT_OK = 0
_EXIT_USAGE = 2
_EXIT_INTERRUPTED = 130


def add_mutants_command(commands: Any) -> None:
    """Adds `mutants` to the subcommands (`commands` is argparse's subparsers action)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "mutants", help="list the non-conforming implementations (serve one with serve --mutant)"
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")


def mutants_table() -> list[dict[str, str]]:
    """Name, section and description of every mutant."""
    return [{"name": m.name, "section": m.section, "description": m.description} for m in MUTANTS]


def run_mutants(args: argparse.Namespace) -> int:
    """Prints the mutants, as a table or (`--json`) as a JSON list."""
    rows = mutants_table()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return _EXIT_OK
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        print(f"{row['name']:<{width}}  {row['section']:<10} {row['description']}")
    return _EXIT_OK


def serve_mutant(spec_dir: Path, name: str) -> int:
    """Serves the mutant `name` behind protocol v1 until stdin ends.

    Returns:
        0 at EOF, 1 when stdout fails, 2 for an unknown name or an invalid spec.
    """
    try:
        mutant = mutant_named(name)
    except KeyError:
        names = ", ".join(m.name for m in MUTANTS)
        print(f"otpspec serve: no mutant {name!r}; choose one of: {names}", file=sys.stderr)
        return _EXIT_USAGE
    from harness.protocol.serve import serve, text_streams

    try:
        spec = load_spec(spec_dir)
    except SpecInvalid as invalid:
        for problem in invalid.problems:
            print(problem.format(), file=sys.stderr)
        return _EXIT_USAGE
    text_streams(sys.stdin, sys.stdout)
    try:
        return serve(mutant.build(spec), sys.stdin, sys.stdout, sys.stderr, check_results=False)
    except KeyboardInterrupt:
        return _EXIT_INTERRUPTED
