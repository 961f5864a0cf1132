"""What the plugin keeps on an otpspec item, and what it reads from one: the stash keys of
a scenario, its sections and assumptions, and the messages every kind of item shares.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from _pytest.outcomes import Failed  # pytest.fail.Exception, typed
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.run.checks import _CheckItem
from harness.run.collect import FeatureFile
from harness.run.context import ScenarioContext
from harness.run.session import ImplementationUnavailable, RunState
from harness.scenarios.feature import ASSUMPTION_TAG, Scenario

__all__ = [
    "BDD_SCENARIO",
    "CONTEXT",
    "INTERRUPTED",
    "SCENARIO",
    "Interrupted",
    "is_ours",
    "item_assumptions",
    "item_sections",
    "problem_name",
    "unavailable",
]

CONTEXT: Final = pytest.StashKey[ScenarioContext]()
"""The scenario's context, in its item's stash."""


BDD_SCENARIO: Final = pytest.StashKey[Any]()
"""pytest-bdd's scenario (rendered for its example row), in its item's stash."""


SCENARIO: Final = pytest.StashKey[Scenario]()
"""The same scenario as our typed data (for replays on the reference)."""


INTERRUPTED: Final = "interrupted"
"""The message of an item a signal (SIGINT, SIGTERM) cut short: its verdict is error."""


class Interrupted(Failed):
    """Stands for the signal that cut an item short, in the report made for it."""

    def __init__(self) -> None:
        super().__init__(INTERRUPTED, pytrace=False)


def item_sections(state: RunState, item: pytest.Item) -> tuple[str, ...]:
    """The manual sections an item is marked with (its `@section-…` tags)."""
    found = (state.section_markers.get(mark.name) for mark in item.iter_markers())
    return tuple(dict.fromkeys(section for section in found if section is not None))


def item_assumptions(item: pytest.Item) -> tuple[str, ...]:
    """The assumptions an item is marked with (its `@ASM-…` tags)."""
    return tuple(
        dict.fromkeys(m.name for m in item.iter_markers() if m.name.startswith(ASSUMPTION_TAG))
    )


def is_ours(item: pytest.Item) -> bool:
    """Whether the item is an otpspec scenario or check (not another test of the session)."""
    return isinstance(item, _CheckItem) or item.getparent(FeatureFile) is not None


def problem_name(item: pytest.Item) -> str:
    """The scenario's name for a test that did not run its steps (a problem, not applicable)."""
    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    if template is not None:
        return str(template.name)
    return str(getattr(function, "otpspec_name", "") or item.name)


def unavailable(state: RunState, error: ImplementationUnavailable) -> str:
    """Says "cannot start" only when it never started; else it started and then broke."""
    label = "実装を起動できません" if state.start_failure else "実装を使えません"
    return f"{label}: {error}"
