"""The plugin's command-line options and ini settings, and what they come to.

Every option starts with `--otpspec`; giving any of them (or `otpspec = true` in the ini
file) turns the plugin on. Without them an installed otpspec leaves other pytest runs alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from harness.adapters import REFERENCE
from harness.resources import FEATURES_DIR
from statechart.loader import DEFAULT_SPEC_DIR

__all__ = ["MAX_TIMEOUT", "RunOptions", "add_options", "enabled", "impl_label", "read_options"]

MAX_TIMEOUT: Final = 3600.0
"""The longest per-request timeout taken (an hour): beyond, a hung implementation is a hang."""

_ENABLING: Final = (
    "otpspec",
    "otpspec_impl",
    "otpspec_features",
    "otpspec_spec",
    "otpspec_report",
    "otpspec_section",
    "otpspec_declaration",
    "otpspec_strict",
)


@dataclass(frozen=True)
class RunOptions:
    """What an otpspec run runs, against what, and where it reports.

    Attributes:
        impl: The implementation's command line, or `reference` (in process).
        spec_dir: The spec directory.
        features: Feature files or directories (used when pytest is given no paths).
        timeout: Seconds an implementation gets per request.
        generated: Run the generated checks.
        differential: Run the differential walks.
        seed: The differential walks' seed.
        walks: Differential walks tried from each starting point.
        sections: Only items of these manual sections (and their subsections).
        report_dir: Where to write results.json, report.html, traceability and coverage;
            None writes nothing beyond what pytest's own options ask for.
        diagrams: Render the diagrams into the report directory.
        label: A file-name-safe name of the implementation (for a conformance matrix).
        strict: Deviations the declaration does not accept fail the run.
        declaration: The vendor's declaration (docs/declaration.md), if any.
    """

    impl: str = REFERENCE
    spec_dir: Path = DEFAULT_SPEC_DIR
    features: tuple[Path, ...] = (FEATURES_DIR,)
    timeout: float = 5.0
    generated: bool = True
    differential: bool = True
    seed: int = 0
    walks: int = 25
    sections: tuple[str, ...] = ()
    report_dir: Path | None = None
    diagrams: bool = True
    label: str = "reference"
    strict: bool = False
    declaration: Path | None = None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise pytest.UsageError(f"--otpspec-timeout: {text!r} is not a number of seconds") from None
    if not (value > 0 and math.isfinite(value)) or value > MAX_TIMEOUT:
        raise pytest.UsageError(
            f"--otpspec-timeout: {text} is out of range; give seconds above 0 and at most "
            f"{MAX_TIMEOUT:g}"
        )
    return value


def add_options(parser: pytest.Parser) -> None:
    """Adds the `--otpspec-…` options and the `otpspec` ini setting."""
    group = parser.getgroup("otpspec", "otpspec conformance run")
    group.addoption(
        "--otpspec",
        action="store_true",
        help="run the otpspec conformance suite (the shipped features and checks when no "
        "paths are given)",
    )
    group.addoption(
        "--otpspec-impl",
        metavar="CMD",
        help="the implementation's command line (protocol v1 on stdin/stdout); default: "
        "the reference app, in process. One process per pytest-xdist worker",
    )
    group.addoption("--otpspec-spec", metavar="DIR", type=Path, help="the spec directory")
    group.addoption(
        "--otpspec-features",
        metavar="PATH",
        type=Path,
        action="append",
        help="feature files or directories, when pytest is given no paths (repeatable; "
        "default: the shipped features)",
    )
    group.addoption(
        "--otpspec-timeout", metavar="S", help="seconds an implementation gets per request (5)"
    )
    group.addoption("--otpspec-no-generated", action="store_true", help="skip the generated checks")
    group.addoption(
        "--otpspec-no-differential", action="store_true", help="skip the differential walks"
    )
    group.addoption("--otpspec-seed", metavar="N", type=int, help="the differential walks' seed")
    group.addoption(
        "--otpspec-walks",
        metavar="N",
        type=int,
        help="differential walks tried from each starting point (25)",
    )
    group.addoption(
        "--otpspec-section",
        metavar="ID",
        action="append",
        help="only items of this manual section and its subsections (repeatable), e.g. 3.9",
    )
    group.addoption(
        "--otpspec-report",
        metavar="DIR",
        type=Path,
        help="write results.json, report.html, traceability.md, coverage.json and the "
        "diagrams into DIR",
    )
    group.addoption(
        "--otpspec-no-diagrams", action="store_true", help="no diagrams in the report directory"
    )
    group.addoption(
        "--otpspec-label", metavar="NAME", help="the implementation's name in the reports"
    )
    group.addoption(
        "--otpspec-strict",
        action="store_true",
        help="deviations (broken expectations that rest only on assumptions) fail the run, "
        "unless the declaration accepts them",
    )
    group.addoption(
        "--otpspec-declaration",
        metavar="FILE",
        type=Path,
        help="the vendor's declaration: capabilities not offered, deviations accepted "
        "(docs/declaration.md)",
    )
    parser.addini("otpspec", "turn the otpspec plugin on (true/false)", type="bool", default=False)


def impl_label(impl: str) -> str:
    """A file-name-safe name for an implementation command: `otpspec-serve`, `reference`."""
    words = impl.split()
    base = re.sub(r"[^A-Za-z0-9._]+", "-", "-".join(Path(w).name or w for w in words))
    return base.strip("-.")[:60] or "impl"


def enabled(config: pytest.Config) -> bool:
    """True if the run asks for otpspec (an option, or `otpspec = true` in the ini file)."""
    return bool(config.getini("otpspec")) or any(config.getoption(name) for name in _ENABLING)


def read_options(config: pytest.Config) -> RunOptions:
    """The options of an enabled run.

    Raises:
        pytest.UsageError: An option is out of range, or a path does not exist.
    """
    get = config.getoption
    spec_dir: Path = get("otpspec_spec") or DEFAULT_SPEC_DIR
    if not spec_dir.is_dir():
        raise pytest.UsageError(f"--otpspec-spec: {spec_dir} is not a directory")
    features = tuple(get("otpspec_features") or (FEATURES_DIR,))
    missing = [str(path) for path in features if not path.exists()]
    if missing:
        raise pytest.UsageError(f"--otpspec-features: not found: {', '.join(missing)}")
    walks = get("otpspec_walks")
    if walks is not None and walks < 1:
        raise pytest.UsageError(f"--otpspec-walks: {walks} is not a number of walks (1 or more)")
    timeout = get("otpspec_timeout")
    impl = (get("otpspec_impl") or REFERENCE).strip() or REFERENCE
    declaration = get("otpspec_declaration")
    if declaration is not None and not declaration.is_file():
        raise pytest.UsageError(f"--otpspec-declaration: {declaration}: no such file")
    return RunOptions(
        impl=impl,
        label=get("otpspec_label") or impl_label(impl),
        spec_dir=spec_dir,
        features=features,
        timeout=5.0 if timeout is None else _seconds(timeout),
        generated=not get("otpspec_no_generated"),
        differential=not get("otpspec_no_differential"),
        seed=get("otpspec_seed") or 0,
        walks=walks or 25,
        sections=tuple(get("otpspec_section") or ()),
        report_dir=get("otpspec_report"),
        diagrams=not get("otpspec_no_diagrams"),
        strict=bool(get("otpspec_strict")),
        declaration=declaration,
    )
