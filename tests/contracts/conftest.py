"""Fixtures of the contract tests (tests/conftest.py gives the shipped spec)."""

from __future__ import annotations

import pytest

from harness.contracts import Params
from statechart.model import Spec


@pytest.fixture(scope="session")
def params(spec: Spec) -> Params:
    return Params.from_spec(spec)
