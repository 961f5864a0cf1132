"""The `otpspec` command line: validate, serve, render, steps and conform."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.cli.conform import add_conform_command, run_conform
from harness.cli.mutants import add_mutants_command, run_mutants, serve_mutant
from harness.cli.render import add_render_command, run_render
from harness.cli.steps import add_steps_command, run_steps
from harness.scenarios.replay import check_features, default_feature_paths
from statechart.checks import check_spec, coverage
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec
from statechart.problems import Problem, SpecInvalid

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "main", "summary"]

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INTERNAL = 3

_REGISTRY_MODULE = "statechart.registry"

Registry = tuple[frozenset[str] | None, frozenset[str] | None]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="otpspec", description="Check and run the OTP app's executable specification."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    validate = commands.add_parser("validate", help="validate the spec files")
    validate.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        metavar="PATH",
        help="the spec directory (default: the repo's spec/)",
    )
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.add_argument(
        "--features",
        action="append",
        type=Path,
        default=None,
        metavar="PATH",
        help="feature files or directories to check too (default: features/ with the repo's spec)",
    )
    serve = commands.add_parser(
        "serve", help="run the reference app behind protocol v1 (JSON Lines on stdin/stdout)"
    )
    serve.add_argument("--spec", type=Path, default=None, metavar="PATH", help="the spec directory")
    serve.add_argument("--mutant", metavar="NAME", help="serve a mutant instead (otpspec mutants)")
    add_render_command(commands)
    add_mutants_command(commands)
    add_steps_command(commands)
    add_conform_command(commands)
    return parser


def _names(module: object, attribute: str) -> frozenset[str] | None:
    names = getattr(module, attribute, None)
    return None if names is None else frozenset(str(name) for name in names)


def _registry() -> Registry:
    """Returns the implemented guard and action names, or (None, None) if not there yet."""
    if importlib.util.find_spec(_REGISTRY_MODULE) is None:
        return None, None
    module = importlib.import_module(_REGISTRY_MODULE)
    return _names(module, "GUARDS"), _names(module, "ACTIONS")


def _count(spec: Spec, *kinds: str) -> int:
    return sum(1 for state in spec.statechart.iter_states() if state.kind in kinds)


def summary(spec: Spec, registry: Registry) -> dict[str, object]:
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
        "sections": {
            "covered": len(covered.covered),
            "in_scope": covered.total,
            "percent": covered.percent,
            "uncovered": list(covered.uncovered),
        },
        "registry_checked": registry != (None, None),
    }


def _print_summary(data: dict[str, object]) -> None:
    sections = data["sections"]
    assert isinstance(sections, dict)
    uncovered = sections["uncovered"]
    assert isinstance(uncovered, list)
    registry = "checked" if data["registry_checked"] else f"not checked (no {_REGISTRY_MODULE})"
    lines = [
        f"spec {data['spec']}: valid",
        f"  screens       {data['screens']}",
        f"  dialogs       {data['dialogs']} (error dialogs {data['error_dialogs']})",
        f"  states        {data['states']}",
        f"  transitions   {data['transitions']}",
        f"  elements      {data['elements']}",
        f"  error codes   {data['error_codes']} ({data['error_entries']} catalogue entries)",
        f"  assumptions   {data['assumptions']}",
        f"  sections      {sections['covered']}/{sections['in_scope']} covered"
        f" = {sections['percent']}%",
        f"  uncovered     {', '.join(str(ident) for ident in uncovered) or '-'}",
        f"  guard/action names {registry}",
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
    warnings = len(problems) - errors
    if problems:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)


def _print_json(data: dict[str, object]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _spec_dir(path: Path | None) -> Path:
    if path is None:
        return DEFAULT_SPEC_DIR
    return path.parent if path.is_file() else path


def _check(spec_dir: Path) -> tuple[Spec | None, list[Problem], Registry]:
    registry = _registry()
    try:
        spec = load_spec(spec_dir)
    except SpecInvalid as invalid:
        return None, list(invalid.problems), registry
    return spec, check_spec(spec, *registry), registry


def _validate(path: Path | None, as_json: bool, features: list[Path] | None = None) -> int:
    spec, problems, registry = _check(_spec_dir(path))
    checked = None
    if spec is not None and not any(problem.is_error for problem in problems):
        # Scenarios are checked against a valid spec only: a broken one would blame them.
        checked = check_features(spec, features or default_feature_paths(_spec_dir(path)))
        problems += checked.problems
    _print_problems(problems)
    failed = spec is None or any(problem.is_error for problem in problems)
    if failed or spec is None:
        if as_json:
            _print_json({"valid": False, "problems": [p.as_dict() for p in problems]})
        return EXIT_INVALID
    data = summary(spec, registry)
    data["warnings"] = [problem.as_dict() for problem in problems]
    if checked is not None and checked.files:
        data["features"] = checked.as_dict()
    if as_json:
        _print_json(data)
    else:
        _print_summary(data)
    return EXIT_OK


def _serve(path: Path | None) -> int:
    """Serves the reference app (docs/protocol.md) until stdin ends."""
    try:
        from statechart.app import ReferenceApp
    except ImportError as error:
        print(
            f"otpspec serve: the reference app (statechart.app.ReferenceApp) cannot be loaded"
            f" yet: {error}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    from harness.protocol.serve import serve, text_streams

    try:
        spec = load_spec(_spec_dir(path))
    except SpecInvalid as invalid:
        _print_problems(invalid.problems)
        return EXIT_INVALID
    text_streams(sys.stdin, sys.stdout)
    try:
        # The reference's views are checked by its tests and by every client that decodes
        # them; checking them here again would double the protocol's cost per step.
        return serve(ReferenceApp(spec), sys.stdin, sys.stdout, sys.stderr, check_results=False)
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "validate":
        return _validate(args.path, bool(args.json), args.features)
    if args.command == "serve":
        if args.mutant is not None:
            return serve_mutant(_spec_dir(args.spec), args.mutant)
        return _serve(args.spec)
    if args.command == "mutants":
        return run_mutants(args)
    if args.command == "render":
        return run_render(args)
    if args.command == "steps":
        return run_steps(args)
    if args.command == "conform":
        return run_conform(args)
    parser.print_help(sys.stderr)
    return EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    """Runs the `otpspec` command.

    Args:
        argv: The arguments without the program name (default: sys.argv[1:]).

    Returns:
        0 when the spec is valid, 2 when it is not (or the arguments are wrong),
        3 on an internal error.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(args, parser)
    except Exception as error:  # the one place that turns any failure into a message
        print(f"otpspec: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
