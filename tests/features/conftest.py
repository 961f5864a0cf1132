"""Fixtures for the feature tests: one reference app per session, feature text to scenarios,
and readable test ids for scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from feature_helpers import Recorder, scenario_id

from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.app import ReferenceApp
from statechart.model import Spec

WriteFeature = Callable[[str], tuple[Scenario, ...]]

# The broken feature files are inputs of test_gherkin.py, not scenarios of the suite.
collect_ignore_glob = ["invalid/*"]


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Names a scenario `path:line name` in Japanese as written (secrets masked).

    pytest escapes non-ASCII ids it makes itself, but takes this hook's id as it is.
    """
    return scenario_id(val) if isinstance(val, Scenario) else None


@pytest.fixture(scope="session")
def reference_app(spec: Spec) -> ReferenceApp:
    """The reference app, built once; every scenario starts with `reset`."""
    return ReferenceApp(spec)


@pytest.fixture
def write_feature(tmp_path: Path, spec: Spec) -> WriteFeature:
    """Writes a feature file (the `# language: ja` header is added) and loads its scenarios."""
    count = 0

    def write(text: str) -> tuple[Scenario, ...]:
        nonlocal count
        count += 1
        path = tmp_path / f"case{count}.feature"
        path.write_text("# language: ja\n" + text, encoding="utf-8")
        (feature,) = load_features([path], spec)
        return feature.scenarios

    return write


@pytest.fixture
def recorder(reference_app: ReferenceApp) -> Recorder:
    """The session's reference app, with its calls recorded."""
    return Recorder(reference_app)
