"""Fixtures for the conform tests: sample feature directories and two full runs.

The full suite runs twice per session, both with `--no-generated` (generating the checks
takes a minute; their wiring is tested with a stand-in module): once in process, and once
as a matrix of the in-process reference and `otpspec serve` (the one subprocess run).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conform_helpers import CliRun, run_cli, serve_command


@pytest.fixture
def features_dir(tmp_path: Path) -> Callable[..., Path]:
    """Writes feature texts into a fresh directory and returns it."""

    def write(*texts: str) -> Path:
        folder = tmp_path / "features"
        folder.mkdir(exist_ok=True)
        for number, text in enumerate(texts, start=1):
            (folder / f"case{number}.feature").write_text(text, encoding="utf-8")
        return folder

    return write


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """`otpspec conform` on the shipped features against the in-process reference."""
    report = tmp_path_factory.mktemp("reference") / "reports"
    return run_cli("conform", "--no-generated", report=report)


@pytest.fixture(scope="session")
def matrix_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """The shipped features on the in-process reference and over `otpspec serve`."""
    report = tmp_path_factory.mktemp("matrix") / "reports"
    return run_cli(
        "conform",
        "--impl",
        "reference",
        "--impl",
        serve_command(),
        "--no-generated",
        report=report,
    )
