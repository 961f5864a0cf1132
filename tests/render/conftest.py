"""Fixtures for the diagram and export tests: the shipped spec and the minimal one."""

from __future__ import annotations

from pathlib import Path

import pytest

from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec

MINIMAL_DIR = Path(__file__).resolve().parent.parent / "spec" / "minimal"


@pytest.fixture(scope="session")
def shipped_spec() -> Spec:
    """The repo's spec/."""
    return load_spec(DEFAULT_SPEC_DIR)


@pytest.fixture(scope="session")
def minimal_spec() -> Spec:
    """tests/spec/minimal: a few screens, one choice, one error dialog, one template."""
    return load_spec(MINIMAL_DIR)
