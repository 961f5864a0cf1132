"""Shared fixtures of the spec-checker tests: the minimal spec and its registry."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from statechart.checks import check_spec
from statechart.loader import load_spec
from statechart.model import Spec
from statechart.problems import Problem, SpecInvalid

HERE = Path(__file__).resolve().parent
MINIMAL_DIR = HERE / "minimal"
BROKEN_DIR = HERE / "broken"
MANUAL = HERE.parent.parent / "docs" / "manual" / "otp-app-user-manual-ja.txt"
"""The manual, kept in the repository (not in the package: its notice forbids reproduction)."""
MINIMAL_GUARDS = frozenset({"has_pin", "pin_wrong"})
MINIMAL_ACTIONS = frozenset({"verify_pin"})
MINIMAL_CONTRACTS = frozenset({"pin_masked"})

SpecCopy = Callable[..., Path]


@pytest.fixture
def minimal_dir() -> Path:
    """The minimal valid spec directory (do not modify it)."""
    return MINIMAL_DIR


@pytest.fixture
def spec_copy(tmp_path: Path) -> SpecCopy:
    """Copies the minimal spec to a temporary directory, applying text replacements.

    Call it as `spec_copy(("statechart.yaml", "old", "new"), ...)`.
    """

    def make(*edits: tuple[str, str, str]) -> Path:
        target = tmp_path / "spec"
        shutil.copytree(MINIMAL_DIR, target)
        for file, old, new in edits:
            path = target / file
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {file}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return target

    return make


@pytest.fixture
def minimal_spec() -> Spec:
    """The minimal spec, loaded."""
    return load_spec(MINIMAL_DIR)


def problems_of(
    spec_dir: Path,
    guards: frozenset[str] | None = MINIMAL_GUARDS,
    actions: frozenset[str] | None = MINIMAL_ACTIONS,
    contracts: frozenset[str] | None = MINIMAL_CONTRACTS,
) -> list[Problem]:
    """Loads and checks a spec directory; returns every problem found."""
    try:
        spec = load_spec(spec_dir)
    except SpecInvalid as invalid:
        return list(invalid.problems)
    return check_spec(spec, guards, actions, manual=MANUAL, contracts=contracts)
