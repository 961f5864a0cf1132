"""The plugin's command-line options and ini settings, and what they come to.

Every option starts with `--otpspec`; giving any of them (or `otpspec = true` in the ini
file) turns the plugin on. Without them an installed otpspec leaves other pytest runs alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import pytest

from harness.adapters import REFERENCE
from harness.resources import FEATURES_DIR
from statechart.files import directory_problem, file_problem, kind_of
from statechart.loader import DEFAULT_SPEC_DIR

__all__ = [
    "MAX_TIMEOUT",
    "MAX_WALKS",
    "RunOptions",
    "add_options",
    "enabled",
    "feature_path_problem",
    "impl_label",
    "read_options",
    "seconds_value",
    "walks_value",
]

MAX_TIMEOUT: Final = 3600.0
"""The longest timeout taken (an hour), per request or for the start: beyond, a hung
implementation is a hang."""
MAX_WALKS: Final = 100_000
"""The most differential walks tried from each starting point (25 by default)."""

_T = TypeVar("_T")
_D = TypeVar("_D")
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
        start_timeout: Seconds a freshly started implementation gets to answer `hello`
            (None: `timeout`, as the adapter does).
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
    start_timeout: float | None = None
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


def seconds_value(text: str) -> float:
    """A timeout option's value: seconds above 0 and at most MAX_TIMEOUT.

    Raises:
        ValueError: With the message to show after the option's name.
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not (value > 0 and math.isfinite(value)) or value > MAX_TIMEOUT:
        raise ValueError(f"give seconds above 0 and at most {MAX_TIMEOUT:g}, not {text}")
    return value


def walks_value(text: str) -> int:
    """A walks option's value: 1 to MAX_WALKS.

    Raises:
        ValueError: With the message to show after the option's name.
    """
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of walks") from None
    if not 0 < value <= MAX_WALKS:
        raise ValueError(
            f"give between 1 and {MAX_WALKS} walks from each starting point, not {text}"
        )
    return value


def feature_path_problem(path: Path) -> str:
    """Why a path cannot name features ('' when it is a file or a directory)."""
    kind = kind_of(path)
    if kind in ("a regular file", "a directory"):
        return ""
    if kind == "missing":
        return "does not exist"
    return f"is {kind}, not a feature file or a directory of them"


def _option(config: pytest.Config, name: str, parse: Callable[[str], _T], default: _D) -> _T | _D:
    """The value of `--name`, parsed, or the default when it is not given."""
    text = config.getoption(name.removeprefix("--").replace("-", "_"))
    if text is None:
        return default
    try:
        return parse(text)
    except ValueError as error:
        raise pytest.UsageError(f"{name}: {error}") from None


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
        "--otpspec-timeout",
        metavar="S",
        help=f"seconds an implementation gets per request (5; at most {MAX_TIMEOUT:g})",
    )
    group.addoption(
        "--otpspec-start-timeout",
        metavar="S",
        help="seconds a freshly started implementation gets to answer hello (default: the "
        f"--otpspec-timeout; at most {MAX_TIMEOUT:g})",
    )
    group.addoption("--otpspec-no-generated", action="store_true", help="skip the generated checks")
    group.addoption(
        "--otpspec-no-differential", action="store_true", help="skip the differential walks"
    )
    group.addoption("--otpspec-seed", metavar="N", type=int, help="the differential walks' seed")
    group.addoption(
        "--otpspec-walks",
        metavar="N",
        help=f"differential walks tried from each starting point (25; 1 to {MAX_WALKS})",
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
    why = directory_problem(spec_dir)
    if why:
        raise pytest.UsageError(f"--otpspec-spec: {spec_dir} {why}")
    features = tuple(get("otpspec_features") or (FEATURES_DIR,))
    wrong = [f"{path} {why}" for path in features if (why := feature_path_problem(path))]
    if wrong:
        raise pytest.UsageError(f"--otpspec-features: {'; '.join(wrong)}")
    impl = (get("otpspec_impl") or REFERENCE).strip() or REFERENCE
    declaration = get("otpspec_declaration")
    why = "" if declaration is None else file_problem(declaration)
    if why:
        raise pytest.UsageError(f"--otpspec-declaration: {declaration} {why}")
    return RunOptions(
        impl=impl,
        label=get("otpspec_label") or impl_label(impl),
        spec_dir=spec_dir,
        features=features,
        timeout=_option(config, "--otpspec-timeout", seconds_value, 5.0),
        start_timeout=_option(config, "--otpspec-start-timeout", seconds_value, None),
        generated=not get("otpspec_no_generated"),
        differential=not get("otpspec_no_differential"),
        seed=get("otpspec_seed") or 0,
        walks=_option(config, "--otpspec-walks", walks_value, 25),
        sections=tuple(get("otpspec_section") or ()),
        report_dir=get("otpspec_report"),
        diagrams=not get("otpspec_no_diagrams"),
        strict=bool(get("otpspec_strict")),
        declaration=declaration,
    )
