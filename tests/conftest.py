"""Fixtures shared by every test directory: the shipped spec, loaded once."""

from __future__ import annotations

import pytest

from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The shipped spec/ (loaded and validated once per run)."""
    return load_spec(DEFAULT_SPEC_DIR)
