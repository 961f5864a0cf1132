"""Steps of a walk, sent alike to any implementation, and how two views are compared.

The differential check and the generated checks drive an implementation and the reference
with the same `WalkStep`s and compare what each shows on the fields that matter for
conformance (`compare_outcomes`): app, screen title, dialog (its text only when the spec
gives the dialog one, its buttons always), error code and message, elements as a set,
fields (as shown: secrets masked), texts, password, token, token list, browser, and the
kind of a refused request. `TracingApp` is the reference that also tells which spec
transitions each step took, so a difference can name the manual sections involved.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from harness.protocol import Implementation, reported_error
from statechart.app import ReferenceApp
from statechart.model import Spec, Transition
from statechart.session import Session

__all__ = [
    "Difference",
    "Outcome",
    "Refusal",
    "Snapshot",
    "TracingApp",
    "TransitionIndex",
    "WalkStep",
    "attempt",
    "attempt_reset",
    "compare_outcomes",
    "finding_sections",
    "related_sections",
]

View = dict[str, Any]


@dataclass(frozen=True)
class WalkStep:
    """One request of a walk; `value` is never shown when `secret` (see `shown_value`).

    Attributes:
        op: launch, tap, enter, key, clock, notify, biometric or server.
        target: The label, field, key, transaction, biometric result or server operation.
        value: The text typed (enter) or the error code (server).
        seconds: How far the clock moves (clock).
        secret: The field is secret: the value is masked wherever the step is shown.
        note: What the value is (「前提のPIN」, 「33桁の半角数字」), shown for secret values.
    """

    op: str
    target: str = ""
    value: str = field(default="", repr=False)
    seconds: float = 0
    secret: bool = False
    note: str = ""

    def shown_value(self, mask: str) -> str:
        """The value as a report may show it."""
        return mask if self.secret and self.value else self.value


@dataclass(frozen=True)
class Refusal:
    """A request an implementation refused (or failed on): its kind and message."""

    kind: str
    message: str


Outcome = View | Refusal

_CALLS: Final[dict[str, Callable[[Implementation, WalkStep], View]]] = {
    "launch": lambda impl, step: impl.launch(),
    "tap": lambda impl, step: impl.tap(step.target),
    "enter": lambda impl, step: impl.enter(step.target, step.value),
    "key": lambda impl, step: impl.key(step.target),
    "clock": lambda impl, step: impl.clock(advance=step.seconds),
    "notify": lambda impl, step: impl.notify(step.target),
    "biometric": lambda impl, step: impl.biometric(step.target),
    "server": lambda impl, step: impl.server(step.target, step.value),
}


def _attempt(call: Callable[[], object], op: str) -> Outcome:
    try:
        view = call()
    except Exception as error:  # any failure of the implementation is an observation
        reported = reported_error(error)
        if reported is None:
            return Refusal("internal", f"{type(error).__name__}: {error}")
        return Refusal(*reported)
    if not isinstance(view, dict):
        return Refusal("internal", f"op {op!r} returned {type(view).__name__}, not a view")
    return view


def attempt(impl: Implementation, step: WalkStep) -> Outcome:
    """Sends one step; a refusal or a broken process becomes a Refusal, never an exception."""
    return _attempt(lambda: _CALLS[step.op](impl, step), step.op)


def attempt_reset(impl: Implementation, fixture: dict[str, Any]) -> Outcome:
    """Sends `reset` with a fixture; a refusal becomes a Refusal."""
    return _attempt(lambda: impl.reset(fixture), "reset")


@dataclass(frozen=True)
class Difference:
    """The first field where the observed outcome differs from the expected one."""

    field: str
    expected: Any
    observed: Any


def _dialog_text(view: View) -> Any:
    dialog = view.get("dialog")
    return None if not isinstance(dialog, dict) else dialog.get("text")


def _dialog_buttons(view: View) -> Any:
    dialog = view.get("dialog")
    return None if not isinstance(dialog, dict) else dialog.get("buttons")


def _part(view: View, key: str, name: str) -> Any:
    part = view.get(key)
    return part.get(name) if isinstance(part, dict) else None


def _as_set(value: Any) -> Any:
    return sorted(set(value), key=str) if isinstance(value, list) else value


def _as_multiset(value: Any) -> Any:
    return sorted(value, key=str) if isinstance(value, list) else value


_FIELDS: Final[tuple[tuple[str, Callable[[View], Any]], ...]] = (
    ("app", lambda v: v.get("app")),
    ("screen.title", lambda v: _part(v, "screen", "title")),
    ("dialog.buttons", _dialog_buttons),
    ("error.code", lambda v: _part(v, "error", "code")),
    ("error.message", lambda v: _part(v, "error", "message")),
    ("elements", lambda v: _as_set(v.get("elements"))),
    ("fields", lambda v: v.get("fields")),
    ("texts", lambda v: _as_multiset(v.get("texts"))),
    ("otp", lambda v: v.get("otp")),
    ("token", lambda v: v.get("token")),
    ("tokens", lambda v: v.get("tokens")),
    ("browser", lambda v: v.get("browser")),
)
"""The compared fields, in the order a difference is reported."""


def compare_views(expected: View, observed: View) -> Difference | None:
    """The first conformance-relevant field where two views differ, or None."""
    for name, read in _FIELDS:
        want, got = read(expected), read(observed)
        if want != got:
            return Difference(name, want, got)
        if name == "dialog.buttons":
            # The text counts only where the spec gives the dialog one (an error's text is
            # its message, compared below).
            text = _dialog_text(expected)
            if (
                text is not None
                and expected.get("error") is None
                and text != _dialog_text(observed)
            ):
                return Difference("dialog.text", text, _dialog_text(observed))
    return None


def compare_outcomes(expected: Outcome, observed: Outcome) -> Difference | None:
    """Compares two outcomes: two views field by field, two refusals by kind."""
    if isinstance(expected, Refusal) or isinstance(observed, Refusal):
        want = expected.kind if isinstance(expected, Refusal) else "view"
        got = observed.kind if isinstance(observed, Refusal) else "view"
        if want == got:
            return None
        shown = observed.message if isinstance(observed, Refusal) else "a view"
        return Difference("request", want, f"{got}: {shown}")
    return compare_views(expected, observed)


# ---- the reference, traced


@dataclass(frozen=True)
class Snapshot:
    """The reference app's state at one point of a walk (restored by TracingApp.restore)."""

    session: bytes = field(repr=False)
    state: str


class TracingApp(ReferenceApp):
    """The reference app that records the spec transitions each request takes.

    It can also snapshot and restore itself (the generated checks explore from snapshots
    instead of replaying every path), and reports the guards' values for the explorer.

    Args:
        spec: The loaded spec.
    """

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        self.taken: list[Transition] = []
        self.machine.on_taken(self.taken.append)

    def snapshot(self) -> Snapshot:
        """The state now (a copy: later steps do not change it)."""
        session = self._session
        # The spec is shared and immutable; pickling the rest is several times faster
        # than copy.deepcopy, and the bytes never leave this process.
        session.spec = None  # type: ignore[assignment]
        try:
            data = pickle.dumps(session, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            session.spec = self.spec
        return Snapshot(data, self.machine.state)

    def restore(self, snapshot: Snapshot) -> None:
        """Returns to a snapshot (which stays usable for further restores)."""
        session: Session = pickle.loads(snapshot.session)
        session.spec = self.spec
        self._session = session
        self.machine.reset(snapshot.state)
        self.taken.clear()

    def form(self) -> tuple[tuple[str, str | bool], ...]:
        """What is typed and ticked on the screen now, sorted by label."""
        return tuple(sorted(self._session.form.items(), key=str))

    def facets(self) -> tuple[object, ...]:
        """What decides the transitions that can fire next: form, selected token, guards."""
        return (self.form(), self._session.world.app.selected, self.guard_values())

    def selected(self) -> int | None:
        """The index of the token in use."""
        return self._session.world.app.selected

    def days_left(self) -> tuple[int, ...]:
        """Days from today (on the device) to each token's expiry date."""
        s = self._session
        return tuple((token.expires - s.today).days for token in s.tokens)

    @property
    def guard_names(self) -> tuple[str, ...]:
        """The guards, in the order of `guard_values`."""
        return tuple(sorted(self._guards))

    def guard_values(self, names: Iterable[str] | None = None) -> tuple[bool | None, ...]:
        """Each guard's value now (None: it asks about a token and none is selected).

        Args:
            names: The guards to ask (default: all of `guard_names`, in that order).
        """
        values: list[bool | None] = []
        for name in self.guard_names if names is None else names:
            try:
                values.append(bool(self._guards[name]()))
            except LookupError:  # a guard about the selected token, with none selected
                values.append(None)
        return tuple(values)


class TransitionIndex:
    """Stable ids (`owner#index`, as harness.diagrams.draw) of the spec's transitions."""

    def __init__(self, spec: Spec) -> None:
        self._ids: dict[int, str] = {}
        self._by_id: dict[str, Transition] = {}
        for state in spec.statechart.iter_states():
            for index, transition in enumerate(state.transitions):
                tid = f"{state.path}#{index}"
                self._ids[id(transition)] = tid
                self._by_id[tid] = transition

    @property
    def ids(self) -> tuple[str, ...]:
        """Every transition id, in document order."""
        return tuple(self._by_id)

    def id_of(self, transition: Transition) -> str:
        """The id of a transition object of the spec."""
        return self._ids[id(transition)]

    def get(self, tid: str) -> Transition:
        """The transition with this id."""
        return self._by_id[tid]


# ---- which manual sections a difference involves


def _state_sections(spec: Spec, state: str) -> list[str]:
    chart = spec.statechart
    found: list[str] = []
    for ancestor in chart.ancestors(state) if chart.has_state(state) else ():
        found.extend(ancestor.sections)
        if ancestor.kind == "screen":  # the groups above it cite whole chapters
            break
    return found


def _element_sections(spec: Spec, state: str, difference: Difference) -> list[str]:
    if difference.field != "elements" or not spec.statechart.has_state(state):
        return []
    want, got = difference.expected or [], difference.observed or []
    changed = set(want) ^ set(got) if isinstance(want, list) and isinstance(got, list) else set()
    elements = spec.statechart.visible_elements(state)
    return [s for e in elements if e.label in changed for s in e.sections]


def _screen_sections(spec: Spec, difference: Difference) -> list[str]:
    """The sections of the screen the implementation showed instead (if the spec has it)."""
    if difference.field != "screen.title":
        return []
    return [
        s
        for state in spec.statechart.iter_states()
        if state.kind == "screen" and state.title == difference.observed
        for s in state.sections
    ]


def _error_sections(spec: Spec, difference: Difference) -> list[str]:
    if not difference.field.startswith("error"):
        return []
    codes = {difference.expected, difference.observed}
    return [s for e in spec.errors if e.code in codes for s in e.sections]


def finding_sections(
    spec: Spec,
    state: str,
    transitions: Iterable[Transition],
    difference: Difference,
    fields: Sequence[str] = (),
) -> tuple[str, ...]:
    """The manual sections a difference involves, most specific first.

    Args:
        spec: The spec.
        state: The reference's state path after the differing step.
        transitions: The spec transitions the reference took in that step.
        difference: The difference.
        fields: Labels of the fields typed on the screen before it (their input rules count).
    """
    found = _element_sections(spec, state, difference) + _error_sections(spec, difference)
    inputs = {e.label: e.rule for st in spec.statechart.iter_states() for e in st.elements}
    for label in fields:
        rule = inputs.get(label)
        if rule is not None:
            found.extend(spec.rules.inputs[rule].sections)
    found += [s for t in transitions for s in t.sections]
    found += _state_sections(spec, state) + _screen_sections(spec, difference)
    return tuple(dict.fromkeys(found))


def related_sections(one: str, other: str) -> bool:
    """Whether two section ids are the same or one contains the other (3.9 and 3.9.1)."""
    return one == other or one.startswith(other + ".") or other.startswith(one + ".")
