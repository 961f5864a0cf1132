"""A cache in front of pytest-bdd's step lookup, while every step definition is global.

pytest-bdd finds a step's definition by asking pytest, for every fixture name there is,
which definitions are visible to the test node, then trying each step parser: about two
thirds of a scenario's time in a conformance run. When the only step definitions are the
otpspec plugin's phrases (registered for the whole session; none in a conftest or a test
module, where visibility depends on the node) the answer depends on the step alone, so it
is kept per step type and text, and the definitions themselves are fetched from pytest
once, not again for each new step text (that was 0.3 s of the full run). As soon as another
step definition exists, the cache stands aside and pytest-bdd looks up every step itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, Final

import pytest
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import step_function_context_registry

__all__ = ["install", "uninstall"]

# The module, not the function pytest_bdd exports under the same name.
_MODULE: Final[ModuleType] = importlib.import_module("pytest_bdd.scenario")
_ORIGINAL: Final[Callable[..., Iterable[Any]]] = _MODULE.find_fixturedefs_for_step


_STEP_PREFIX: Final = "pytestbdd_stepdef_"


def _ours() -> frozenset[str]:
    """The step definitions of the plugins: otpspec's phrases and pytest-bdd's own `trace`."""
    from pytest_bdd import plugin as bdd_plugin

    from harness.run import steps  # the module that holds the plugin's step definitions

    names = [*vars(steps), *vars(bdd_plugin)]
    return frozenset(name for name in names if name.startswith(_STEP_PREFIX))


def _all_global(fixturemanager: Any) -> bool:
    """Whether the only step definitions are the plugins' own (global to the session)."""
    names = get_fixture_names(fixturemanager)
    return {name for name in names if name.startswith(_STEP_PREFIX)} <= _ours()


class _Cached:
    """find_fixturedefs_for_step, answered from a cache while all definitions are global."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], list[Any]] = {}
        self._definitions: list[tuple[Any, Any]] | None = None
        self._checked: int = -1

    def __call__(self, step: Any, fixturemanager: Any, node: Any) -> Iterable[Any]:
        count = len(get_fixture_names(fixturemanager))
        if count != self._checked:  # a fixture was registered or removed: look again
            self._found.clear()
            self._definitions = None
            self._checked = count if _all_global(fixturemanager) else -2
        if self._checked < 0:
            return _ORIGINAL(step=step, fixturemanager=fixturemanager, node=node)
        key = (str(step.type), str(step.name))
        if key not in self._found:
            self._found[key] = self._matching(step, fixturemanager, node)
        return self._found[key]

    def _matching(self, step: Any, fixturemanager: Any, node: Any) -> list[Any]:
        """The definitions that parse the step: pytest-bdd's own test (its type, then its
        parser), over the global definitions as pytest lists them, fetched once."""
        if self._definitions is None:
            self._definitions = [
                (fixturedef, context)
                for name in get_fixture_names(fixturemanager)
                if name.startswith(_STEP_PREFIX)
                for fixturedef in getfixturedefs(fixturemanager, name, node) or []
                if (context := step_function_context_registry.get(fixturedef.func)) is not None
            ]
        return [
            fixturedef
            for fixturedef, context in self._definitions
            if context.type in (None, step.type) and context.parser.is_matching(step.name)
        ]


def install(config: pytest.Config) -> None:
    """Puts the cache in front of pytest-bdd's lookup for this run."""
    _MODULE.find_fixturedefs_for_step = _Cached()  # type: ignore[attr-defined]
    config.add_cleanup(uninstall)


def uninstall() -> None:
    """Gives pytest-bdd its own lookup back."""
    _MODULE.find_fixturedefs_for_step = _ORIGINAL  # type: ignore[attr-defined]
