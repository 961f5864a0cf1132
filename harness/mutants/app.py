"""What a mutant is: a named bug, and the app that has it (harness/mutants/catalogue.py).

Most bugs are a change to the loaded spec (`apply`, on the frozen model with
dataclasses.replace); bugs that live in Python behaviour build a `MutantApp`, the reference
with a guard, an action, the session (its service, its password) or the view replaced for
that app alone: nothing global is patched, so one process can hold the reference and any
number of mutants side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from statechart.actions import ACTIONS
from statechart.app import ReferenceApp
from statechart.guards import GUARDS
from statechart.machine import StateMachine
from statechart.model import Spec
from statechart.server import AuthServer
from statechart.session import Session
from statechart.view import ViewBuilder

__all__ = [
    "ActionFunction",
    "GuardFunction",
    "Mutant",
    "MutantApp",
    "SessionPatch",
    "ViewFilter",
    "server_patch",
]

ActionFunction = Callable[[Session], None]
GuardFunction = Callable[[Session], bool]
ViewFilter = Callable[[Session, dict[str, Any]], dict[str, Any]]
"""Rewrites a view before it is returned, knowing the session that made it."""
SessionPatch = Callable[[Session], None]
"""Changes each new session (at `reset`): its service's behaviour, its password."""


def server_patch(patch: Callable[[AuthServer], None]) -> SessionPatch:
    """A session patch that changes the session's service (its behaviour, not its data)."""

    def apply(session: Session) -> None:
        patch(session.server)

    return apply


class MutantApp(ReferenceApp):
    """The reference app with some actions, guards, the session or the view replaced.

    Args:
        spec: The (possibly mutated) spec.
        name: The mutant's name, given in `hello`.
        actions: Action name → its replacement.
        guards: Guard name → its replacement.
        view: Rewrites every view before it is returned.
        session: Changes every new session.
    """

    def __init__(
        self,
        spec: Spec,
        name: str,
        *,
        actions: Mapping[str, ActionFunction] | None = None,
        guards: Mapping[str, GuardFunction] | None = None,
        view: ViewFilter | None = None,
        session: SessionPatch | None = None,
    ) -> None:
        # Set before the reference builds its first session, which the patch changes too.
        self._session_patch = session
        super().__init__(spec)
        self.mutant = name
        self._view_filter = view
        if actions or guards:
            # The reference binds its guards and actions once; rebinding here keeps the
            # module-level registries untouched for every other app in the process.
            bound_guards = {
                n: partial(self._ask, f) for n, f in {**GUARDS, **(guards or {})}.items()
            }
            bound_actions = {
                n: partial(self._do, f) for n, f in {**ACTIONS, **(actions or {})}.items()
            }
            self._guards = bound_guards
            self.machine = StateMachine(spec.statechart, bound_guards, bound_actions)
            scalars = {k: v for k, v in spec.rules.values.items() if isinstance(v, str | int)}
            self._views = ViewBuilder(spec.statechart, scalars, bound_guards)

    def hello(self) -> dict[str, Any]:
        """Names the mutant, so a report shows what ran."""
        return {**super().hello(), "name": f"otpspec-mutant-{self.mutant}"}

    def observe(self) -> dict[str, Any]:
        """The view now, through the mutant's view filter if it has one."""
        view = super().observe()
        return view if self._view_filter is None else self._view_filter(self._session, view)

    def _new_session(self, fixture: Mapping[str, Any]) -> Session:
        session = super()._new_session(fixture)
        if self._session_patch is not None:
            self._session_patch(session)
        return session


def _unchanged(spec: Spec) -> Spec:
    return spec


@dataclass(frozen=True)
class Mutant:
    """A named bug: the section it breaks, what it does, and how it is made.

    Attributes:
        name: ascii, for `--mutant`.
        section: The manual section the bug breaks ("3.3 / 4.3" for two).
        description: The bug, in a line.
        apply: Turns the loaded spec into the mutated spec.
        actions: Actions replaced in the app (Python-behaviour bugs).
        guards: Guards replaced in the app.
        view: A rewrite of every view.
        session: A change of every new session (the service's behaviour, the password).
        contract: The contract of spec/contracts.yaml that names the bug ('' when a
            scenario or a generated check finds it by what the app shows).
    """

    name: str
    section: str
    description: str
    apply: Callable[[Spec], Spec] = _unchanged
    actions: Mapping[str, ActionFunction] = field(default_factory=dict)
    guards: Mapping[str, GuardFunction] = field(default_factory=dict)
    view: ViewFilter | None = None
    session: SessionPatch | None = None
    contract: str = ""

    @property
    def sections(self) -> tuple[str, ...]:
        """The section ids of `section`."""
        return tuple(part.strip() for part in self.section.split("/"))

    def build(self, spec: Spec) -> MutantApp:
        """The mutated app, from the loaded spec."""
        return MutantApp(
            self.apply(spec),
            self.name,
            actions=self.actions,
            guards=self.guards,
            view=self.view,
            session=self.session,
        )
