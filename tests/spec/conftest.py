"""Shared fixtures of the spec-checker tests: the minimal spec and its registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spec_helpers import MINIMAL_DIR, SpecCopy

from statechart.loader import load_spec
from statechart.model import Spec


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
