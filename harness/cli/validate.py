"""`otpspec validate [PATH] [--json] [--features PATH]... [--manual FILE]`: checks a spec.

The spec's files against their schemas and each other, the guard, action and contract
names against the Python side (both directions: every name the spec uses is implemented,
every implementation is named in the spec), the feature files (each step a phrase and a
path the statechart allows), and, given the manual's text, every cited section heading
against it. Exit status: 0 the spec is valid, 2 it is not (or the arguments are wrong), 3
an internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from harness.contracts import CONTRACTS
from harness.resources import FEATURES_DIR
from harness.run.replay import check_features
from statechart.checks import check_spec, coverage
from statechart.files import FileRefused, file_problem, read_bytes, size_text
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec
from statechart.problems import Problem, SpecInvalid
from statechart.registry import ACTIONS, GUARDS

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "MAX_MANUAL_BYTES",
    "add_validate_command",
    "registry",
    "run_validate",
    "summary",
]

EXIT_OK: Final = 0
EXIT_INVALID: Final = 2
MAX_MANUAL_BYTES: Final = 8 * 1024 * 1024
"""Largest manual text read by `--manual` (the manual's text is 79 KB)."""
EXIT_HELP: Final = "exit status: 0 the spec is valid, 2 it is not or the arguments are wrong"


def add_validate_command(commands: Any) -> None:
    """Adds `validate` to the subcommands."""
    validate = commands.add_parser(
        "validate", help="validate the spec files (and the features)", epilog=EXIT_HELP
    )
    validate.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        metavar="PATH",
        help="the spec directory (default: the shipped spec)",
    )
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.add_argument(
        "--features",
        action="append",
        type=Path,
        default=None,
        metavar="PATH",
        help="feature files or directories to check too (default: the shipped features, "
        "with the shipped spec)",
    )
    validate.add_argument(
        "--manual",
        type=Path,
        default=None,
        metavar="FILE",
        help="the manual's text (docs/manual/otp-app-user-manual-ja.txt in the repository): "
        "check every cited section heading against it",
    )


def registry() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The guard, action and contract names the Python side implements (tests may
    substitute)."""
    return frozenset(GUARDS), frozenset(ACTIONS), frozenset(CONTRACTS)


def _count(spec: Spec, *kinds: str) -> int:
    return sum(1 for state in spec.statechart.iter_states() if state.kind in kinds)


def summary(spec: Spec) -> dict[str, object]:
    """Returns the one-screen summary of a valid spec as plain data."""
    chart = spec.statechart
    states = list(chart.iter_states())
    covered = coverage(spec)
    return {
        "valid": True,
        "spec": str(spec.directory) if spec.directory is not None else None,
        "screens": _count(spec, "screen"),
        "dialogs": _count(spec, "dialog", "error_dialog"),
        "error_dialogs": _count(spec, "error_dialog"),
        "states": len(states),
        "transitions": sum(len(state.transitions) for state in states),
        "elements": sum(len(state.elements) for state in states),
        "error_codes": len(spec.error_codes()),
        "error_entries": len(spec.errors),
        "assumptions": len(spec.assumptions),
        "contracts": len(spec.contracts),
        "sections": {
            "covered": len(covered.covered),
            "in_scope": covered.total,
            "percent": covered.percent,
            "uncovered": list(covered.uncovered),
        },
    }


def _print_summary(data: dict[str, Any]) -> None:
    sections = data["sections"]
    lines = [
        f"spec {data['spec']}: valid",
        f"  screens       {data['screens']}",
        f"  dialogs       {data['dialogs']} (error dialogs {data['error_dialogs']})",
        f"  states        {data['states']}",
        f"  transitions   {data['transitions']}",
        f"  elements      {data['elements']}",
        f"  error codes   {data['error_codes']} ({data['error_entries']} catalogue entries)",
        f"  assumptions   {data['assumptions']}",
        f"  contracts     {data['contracts']}: contract names checked both ways",
        f"  sections      {sections['covered']}/{sections['in_scope']} covered"
        f" = {sections['percent']}%",
        f"  uncovered     {', '.join(map(str, sections['uncovered'])) or '-'}",
        f"  manual        {data['manual']}",
    ]
    features = data.get("features")
    if isinstance(features, dict):
        lines.append(
            f"  features      {features['files']} files, {features['scenarios']} scenarios:"
            " every step a path the statechart allows"
        )
    print("\n".join(lines))


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    errors = sum(1 for problem in problems if problem.is_error)
    if problems:
        print(f"{errors} error(s), {len(problems) - errors} warning(s)", file=sys.stderr)


def _spec_dir(path: Path | None) -> Path:
    """The spec directory: PATH, or the directory of a spec file named as PATH (another
    file is refused by the loader as a file, not a directory)."""
    if path is None:
        return DEFAULT_SPEC_DIR
    if path.is_file() and (path.parent / "statechart.yaml").is_file():
        return path.parent
    return path


def _manual_problem(manual: Path) -> str:
    """Why the manual's text cannot be checked against ('' when it can), to follow its
    path: what the path really is, its size, its encoding. The heading check itself skips
    a file it cannot read, so this is where such a file is refused, not passed as checked."""
    why = file_problem(manual)
    if why:
        return why
    try:
        read_bytes(manual, MAX_MANUAL_BYTES).decode("utf-8")
    except FileRefused as refused:
        if refused.kind == "too large":
            return f"has {refused.size:,} bytes; at most {size_text(MAX_MANUAL_BYTES)} are read"
        return f"cannot be read ({refused.reason})"
    except UnicodeDecodeError as error:
        return f"is not UTF-8 text (byte {error.start:,})"
    return ""


def _default_features(spec_dir: Path) -> list[Path]:
    """The shipped features when the spec is the shipped one (another spec has its own)."""
    return [FEATURES_DIR] if spec_dir.resolve() == DEFAULT_SPEC_DIR.resolve() else []


def run_validate(args: argparse.Namespace) -> int:
    """Runs `otpspec validate`; prints the summary (or JSON) and every problem, located."""
    manual: Path | None = args.manual
    refused = _manual_problem(manual) if manual is not None else ""
    if refused:
        print(
            f"otpspec validate: --manual {manual} {refused}; give the manual's text "
            "(in the repository: docs/manual/otp-app-user-manual-ja.txt)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    spec_dir = _spec_dir(args.path)
    spec: Spec | None = None
    try:
        spec = load_spec(spec_dir)
    except SpecInvalid as invalid:
        problems = list(invalid.problems)
    else:
        guards, actions, contracts = registry()
        problems = check_spec(spec, guards, actions, manual=manual, contracts=contracts)
    checked = None
    if spec is not None and not any(problem.is_error for problem in problems):
        # Scenarios are checked against a valid spec only: a broken one would blame them.
        checked = check_features(spec, args.features or _default_features(spec_dir))
        problems += checked.problems
    _print_problems(problems)
    if spec is None or any(problem.is_error for problem in problems):
        if args.json:
            print(json.dumps({"valid": False, "problems": [p.as_dict() for p in problems]}))
        return EXIT_INVALID
    data = summary(spec)
    data["manual"] = f"headings checked against {manual}" if manual else "not checked (--manual)"
    data["warnings"] = [problem.as_dict() for problem in problems]
    if checked is not None and checked.files:
        data["features"] = checked.as_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_summary(data)
    return EXIT_OK
