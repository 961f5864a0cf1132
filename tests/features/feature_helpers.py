"""Helpers for the feature tests that are not fixtures: the spec at collection time, test ids
for scenarios, and a recording wrapper around an implementation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from repo_paths import REPO_ROOT

from harness.scenarios.feature import Scenario
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec


@functools.cache
def collection_spec() -> Spec:
    """The shipped spec for collection time, before fixtures exist."""
    return load_spec(DEFAULT_SPEC_DIR)


def scenario_id(scenario: Scenario) -> str:
    """`path:line name`, the path relative to the repo."""
    path = Path(scenario.feature_path)
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    return f"{shown}:{scenario.line} {scenario.name}"


class Recorder:
    """Wraps an implementation and records every call with its real arguments."""

    def __init__(self, impl: Any) -> None:
        self.impl = impl
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.impl, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return method(*args, **kwargs)

        return call

    @property
    def ops(self) -> list[str]:
        """The names of the calls, in order."""
        return [name for name, _, _ in self.calls]
