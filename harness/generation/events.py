"""What a person can do in each view of the reference: the explorer's events.

In the running app: tap an element, fill the visible form (one field varied at a time
from the right values, see `fills`), make the server fail the request a tap sends, press
a device key, answer a biometric prompt, receive a notification. While the app is closed:
launch it (also with the server failing), move the clock to the next day something
changes, receive a notification.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.generation.fixtures import (
    CONFIRM_SUFFIX,
    FieldValue,
    WalkFixture,
    field_values,
    secret_labels,
)
from harness.generation.steps import TracingApp, WalkStep
from harness.generation.tree import Node
from statechart.app import OPERATIONS
from statechart.model import Spec

__all__ = ["Event", "EventMenu", "fills", "renewal_window"]

Event = tuple[WalkStep, ...]
"""One thing a person does; a form fill, or a server failure and the tap that meets it,
take several steps."""


def renewal_window(spec: Spec) -> int:
    """The days before expiry in which renewal is offered (0 if the rules name none)."""
    window = spec.rules.value("renewal_window_days")
    return window if isinstance(window, int) else 0


def _mirror(value: FieldValue) -> FieldValue:
    """A valid value unlike `value`, for the confirmation field."""
    text = value.text
    if text.isascii() and text.isdigit():
        return FieldValue("".join(str((int(d) + 1) % 10) for d in text), "確認用と違う値")
    return FieldValue(text + "x", "確認用と違う値")


def fills(
    labels: Sequence[str], values: dict[str, tuple[FieldValue, ...]], secrets: frozenset[str]
) -> list[Event]:
    """Ways to fill a form: all right, then one field at a time through its other values.

    A `…(確認用)` field repeats its field, except in one fill where it differs.
    """
    mirrors = {
        label
        for label in labels
        if label.endswith(CONFIRM_SUFFIX) and label.removesuffix(CONFIRM_SUFFIX) in labels
    }
    free = [label for label in labels if label not in mirrors]
    base = {label: values[label][0] for label in labels}
    assignments = [dict(base)]
    for label in free:
        for value in values[label][1:]:
            assignment = dict(base)
            for other in labels:
                if other.removesuffix(CONFIRM_SUFFIX) == label:
                    assignment[other] = value
            assignments.append(assignment)
    for label in sorted(mirrors):
        assignments.append({**base, label: _mirror(base[label.removesuffix(CONFIRM_SUFFIX)])})
    return [
        tuple(
            WalkStep("enter", label, a[label].text, secret=label in secrets, note=a[label].note)
            for label in labels
        )
        for a in assignments
    ]


class EventMenu:
    """The events each view offers, read from the reference app the explorer drives."""

    def __init__(self, spec: Spec, app: TracingApp) -> None:
        self.spec = spec
        self.app = app
        self._secret = secret_labels(spec)
        self._codes = self._injected_codes()
        self._window = renewal_window(spec)
        keys = spec.rules.value("device_keys")
        self._device_keys: dict[str, list[str]] = dict(keys) if isinstance(keys, dict) else {}
        self._values: dict[tuple[str, str], tuple[FieldValue, ...]] = {}

    def _injected_codes(self) -> dict[str, list[str]]:
        """Per operation: one code that keeps the app and one that closes it, if any."""
        closing = {e.code for e in self.spec.errors if e.on_dismiss == "close_app"}
        chosen: dict[str, list[str]] = {}
        for operation, codes in self.app.injectable_codes().items():
            ordered = sorted(codes)
            picks = [
                next((c for c in ordered if c not in closing), None),
                next((c for c in ordered if c in closing), None),
            ]
            chosen[operation] = [c for c in picks if c is not None]
        return chosen

    def at(self, node: Node) -> list[Event]:
        """What a person can do at a node (the app restored to it)."""
        view, fixture = node.view, node.fixture
        # Only a pending transaction is notified (docs/protocol.md): the answer to any
        # other `notify` is the implementation's choice.
        notify: list[Event] = [
            (WalkStep("notify", t),) for t in fixture.transactions if self.app.pending(t)
        ]
        taps: list[Event] = [(WalkStep("tap", label),) for label in view.get("elements", [])]
        if view.get("app") == "closed":
            launch: list[Event] = [(WalkStep("launch"),)]
            launch += [
                (WalkStep("server", "launch", c), WalkStep("launch"))
                for c in self._codes.get("launch", [])
            ]
            return launch + taps + self._clock_jumps() + notify
        os = str(fixture.data.get("device", {}).get("os", "android"))
        keys: list[Event] = [(WalkStep("key", k),) for k in self._device_keys.get(os, [])]
        return (
            taps + self._fills(node) + self._failing_taps(node) + keys + self._biometric() + notify
        )

    def _fills(self, node: Node) -> list[Event]:
        view = node.view
        if view.get("dialog") is not None or (node.records and node.records[-1].step.op == "enter"):
            return []  # a form just filled is filled again by a sibling, not by a child
        # A disabled field (3.7's 入力不可能) takes no typing: a fill leaves it alone.
        skipped = set(view.get("elements", [])) | set(view.get("disabled") or [])
        labels = [
            k for k, v in view.get("fields", {}).items() if isinstance(v, str) and k not in skipped
        ]
        if not labels:
            return []
        values = {label: self._field_values(node.fixture, label) for label in labels}
        return fills(labels, values, self._secret)

    def _field_values(self, fixture: WalkFixture, label: str) -> tuple[FieldValue, ...]:
        key = (fixture.name, label)
        if key not in self._values:
            self._values[key] = field_values(self.spec, fixture, label)
        return self._values[key]

    def _failing_taps(self, node: Node) -> list[Event]:
        state = self.app.machine.state
        events: list[Event] = []
        for label in node.view.get("elements", []):
            for transition in self.spec.statechart.transitions_for(state, "tap"):
                if transition.element != label:
                    continue
                for operation, actions in OPERATIONS.items():
                    if set(actions) & set(transition.actions):
                        codes = self._codes.get(operation, [])
                        events += [
                            (WalkStep("server", operation, c), WalkStep("tap", label))
                            for c in codes
                        ]
        return list(dict.fromkeys(events))

    def _biometric(self) -> list[Event]:
        if not self.spec.statechart.transitions_for(self.app.machine.state, "biometric"):
            return []
        return [(WalkStep("biometric", r),) for r in ("success", "failure", "cancel")]

    def _clock_jumps(self) -> list[Event]:
        """Clock steps to the next day something changes: the renewal window, the expiry."""
        jumps = set()
        for left in self.app.days_left():
            if left > self._window:
                jumps.add(left - self._window)
            if left >= 0:
                jumps.add(left + 1)
        return [(WalkStep("clock", seconds=days * 86_400.0),) for days in sorted(jumps)]
