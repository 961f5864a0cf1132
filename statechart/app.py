"""The executable reference app: the spec's statechart, run on `transitions`.

`ReferenceApp` offers the operations of conformance protocol v1 as methods (the harness
puts them behind JSON lines; tests call them directly). Each returns the view; anything
a person could not do raises `AppError` with a kind (`not_found`, `bad_request`,
`unsupported`) and leaves the app as it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from statechart import clock
from statechart.actions import ACTIONS
from statechart.domain import FixtureError, parse_fixture
from statechart.guards import GUARDS
from statechart.inputs import check_input
from statechart.machine import StateMachine, event_name
from statechart.model import Element, Spec
from statechart.server import AuthServer
from statechart.session import RuleValues, Session
from statechart.view import ViewBuilder

__all__ = ["IMPLEMENTATION_NAME", "OPERATIONS", "AppError", "ReferenceApp"]

IMPLEMENTATION_NAME = "otpspec-reference"

OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "launch": ("begin_launch",),
    "issue": ("request_issue", "request_token_add"),
    "pin_change": ("request_pin_change",),
    "renewal": ("request_renewal",),
    "correction": ("request_correction",),
    "transaction_start": ("request_transaction_start",),
    "transaction_fetch": ("fetch_transaction",),
    "transaction_confirm": ("request_transaction_confirm",),
    "biometric_setup": ("request_biometric_setup",),
}
"""Injectable operations (`server` op) and the actions that call them."""

_BIOMETRIC_RESULTS = ("success", "failure", "cancel")


class AppError(Exception):
    """A request a person could not carry out; the app is unchanged.

    Attributes:
        kind: `not_found`, `bad_request` or `unsupported`.
        message: What was wrong and what to do instead.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class ReferenceApp:
    """The reference implementation of the app, driven as a person would.

    Args:
        spec: The loaded spec; it is read once here and never again.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._rules = RuleValues.from_rules(spec.rules)
        self._session = self._new_session({})
        self._guards = {n: partial(self._ask, f) for n, f in GUARDS.items()}
        actions = {n: partial(self._do, f) for n, f in ACTIONS.items()}
        self.machine = StateMachine(spec.statechart, self._guards, actions)
        values = spec.rules.values
        self._views = ViewBuilder(spec.statechart, _scalars(values), self._guards)
        self._codes = _injectable_codes(spec)

    # ---- protocol operations
    def hello(self) -> dict[str, Any]:
        """Names the implementation and what it can do."""
        return {
            "name": IMPLEMENTATION_NAME,
            "version": self._rules.version,
            "capabilities": ["in_process", "server_injection", "virtual_clock", "notify"],
            "operations": list(OPERATIONS),
        }

    def reset(self, fixture: Mapping[str, Any]) -> dict[str, Any]:
        """Sets device, clock, server and app from a fixture; the app is left closed."""
        try:
            session = self._new_session(fixture)
        except FixtureError as error:
            raise AppError("bad_request", f"fixture: {error}") from None
        self._session = session
        self.machine.reset()
        return self.observe()

    def launch(self) -> dict[str, Any]:
        """Starts the app (a running app stays as it is)."""
        return self._fire("launch")

    def tap(self, target: str) -> dict[str, Any]:
        """Taps what carries the label `target` on screen."""
        s = self._session
        element, index = self._find(target)
        s.tapped = index
        if element.kind == "checkbox":
            s.form[element.label] = s.form.get(element.label) is not True
            return self.observe()
        if element.kind == "field":
            return self.observe()
        return self._fire(event_name("tap", element.label))

    def enter(self, field: str, value: str) -> dict[str, Any]:
        """Types `value` into the field labelled `field`."""
        element, _ = self._find(field)
        if element.kind != "field":
            raise AppError("not_found", f"{_quoted(field)} is a {element.kind}, not an input field")
        self._session.form[field] = value
        return self.observe()

    def key(self, key: str) -> dict[str, Any]:
        """Presses a hardware key: `back` or `home`."""
        device = self._session.world.device
        if key not in self._rules.device_keys.get(device.os, ()):
            raise AppError("unsupported", f"{device.os} has no {key} key")
        return self._fire(event_name("key", key))

    def observe(self) -> dict[str, Any]:
        """The view now."""
        return self._views.build(self.machine.state, self._session)

    def clock(self, *, advance: float | None = None, set: str | None = None) -> dict[str, Any]:
        """Moves the virtual clock forward, or sets it (true time; the device adds its skew).

        The clock, true and as the device reads it, stays within `clock.CLOCK_RANGE`; a
        request that would leave it is refused and changes nothing.
        """
        world = self._session.world
        if (advance is None) == (set is None):
            raise AppError("bad_request", "clock needs exactly one of 'advance' or 'set'")
        if advance is not None:
            if not math.isfinite(advance) or advance < 0:
                raise AppError("bad_request", "clock cannot go backwards: 'advance' must be >= 0")
            world.now = self._in_range(
                clock.shifted(world.now, advance), f"advancing {advance} seconds"
            )
        else:
            try:
                instant = clock.parse_instant(str(set))
            except ValueError as error:
                raise AppError("bad_request", f"clock set: {error}") from None
            world.now = self._in_range(instant, f"setting {set}")
        return self.observe()

    def _in_range(self, now: datetime | None, what: str) -> datetime:
        """`now`, when it and the device's reading of it are in the clock's range."""
        if now is None or not clock.in_clock_range(now):
            whose = "the clock"
        else:
            device_now = clock.shifted(now, self._session.world.device.skew_seconds)
            if device_now is not None and clock.in_clock_range(device_now):
                return now
            whose = "the device clock (true time plus the device's skew)"
        raise AppError(
            "bad_request",
            f"clock: {what} would take {whose} outside the supported range, "
            f"{clock.CLOCK_RANGE} (Japan time); nothing changed",
        )

    def network(self, online: bool) -> dict[str, Any]:
        """Turns the device's network on or off."""
        self._session.world.online = online
        return self.observe()

    def server(self, operation: str, code: str) -> dict[str, Any]:
        """Makes the next response of an operation the catalogue code `code`."""
        allowed = self._codes.get(operation)
        if allowed is None:
            known = ", ".join(sorted(self._codes))
            raise AppError("bad_request", f"unknown operation {operation!r}; known: {known}")
        if code not in allowed:
            listed = ", ".join(sorted(allowed))
            raise AppError(
                "bad_request", f"{operation} cannot raise {code!r}; it can raise: {listed}"
            )
        self._session.server.inject(operation, code)
        return self.observe()

    def notify(self, transaction: str) -> dict[str, Any]:
        """A push notification for a pending transaction arrives."""
        s = self._session
        if s.server.transaction(transaction) is None:
            raise AppError("bad_request", f"no pending transaction {transaction!r} on the server")
        s.incoming = transaction
        return self._fire("notify")

    def biometric(self, result: str) -> dict[str, Any]:
        """Answers the biometric prompt: `success`, `failure` or `cancel`."""
        if result not in _BIOMETRIC_RESULTS:
            raise AppError("bad_request", f"result must be one of {', '.join(_BIOMETRIC_RESULTS)}")
        if not self.machine.fire(event_name("biometric", result)):
            raise AppError("not_found", "no 生体認証ダイアログ is showing")
        return self._settled_view(None)

    def injectable_codes(self) -> Mapping[str, frozenset[str]]:
        """The codes the `server` op accepts, by operation."""
        return self._codes

    # ---- internals
    def _new_session(self, fixture: Mapping[str, Any]) -> Session:
        rules = self._rules
        pin = self.spec.rules.inputs["pin"]
        world = parse_fixture(
            fixture,
            max_tokens=rules.max_tokens,
            validity_days=rules.validity_days,
            suffix_first=rules.suffix_first,
            suffix_pattern=rules.suffix_pattern,
            pin_rule=lambda text: check_input(text, pin.charset, pin.min, pin.max),
        )
        server = AuthServer.for_world(world, self._rules)
        return Session(self.spec, self._rules, world, server)

    def _ask(self, guard: Callable[[Session], bool]) -> bool:
        return guard(self._session)

    def _do(self, action: Callable[[Session], None]) -> None:
        action(self._session)

    def _fire(self, trigger: str) -> dict[str, Any]:
        before = self.machine.state
        self._session.begin_step()
        self.machine.fire(trigger)
        return self._settled_view(before)

    def _settled_view(self, before: str | None) -> dict[str, Any]:
        """Clears the inputs of a screen entered from another screen (ASM-041)."""
        s = self._session
        if before is not None:
            screen = self._views.screen_of(self.machine.state)
            if screen != self._views.screen_of(before):
                s.form.clear()
                s.form.update(s.prefill)
        s.prefill.clear()
        return self.observe()

    def _find(self, label: str) -> tuple[Element, int | None]:
        visible = self._views.visible(self.machine.state)
        for element in visible:
            if element.label == label and element.kind != "list":
                if label in self._views.disabled([element]):
                    # Shown greyed out (3.5, 3.7 入力不可能): nothing a person can use is there.
                    raise AppError(
                        "not_found", f"「{label}」 is shown but not enabled now; it cannot be used"
                    )
                return element, None
        for element in visible:
            if element.kind == "list":
                names = [t.display_name for t in self._session.tokens]
                if label in names:
                    return element, names.index(label)
        shown = _one_line("、".join(self.observe()["elements"])) or "(nothing)"
        raise AppError("not_found", f"{_quoted(label)} is not on screen; a person can tap: {shown}")


def _one_line(text: str) -> str:
    """The text with what is not printable (line breaks above all) escaped: messages are
    one line (docs/protocol.md), and labels and names come from requests and fixtures."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _quoted(label: str) -> str:
    return f"「{_one_line(label)}」"


def _scalars(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if isinstance(v, str | int)}


def _injectable_codes(spec: Spec) -> dict[str, frozenset[str]]:
    """The codes each operation can raise: those of the choice after its action."""
    chart = spec.statechart
    codes: dict[str, set[str]] = {operation: set() for operation in OPERATIONS}
    for state in chart.iter_states():
        for transition in state.transitions:
            target = chart.resolve_target(transition)
            if target is None or chart.state(target).kind != "choice":
                continue
            raised = {code for t in chart.state(target).transitions for code in t.raises}
            for operation, actions in OPERATIONS.items():
                if set(actions) & set(transition.actions):
                    codes[operation] |= raised
    return {operation: frozenset(found) for operation, found in codes.items()}
