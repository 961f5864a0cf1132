"""Steps of a walk, sent alike to any implementation, and the reference that traces them.

The differential check and the generated checks drive an implementation and the reference
with the same `WalkStep`s (`attempt`: a refusal or a broken process is an observation, not an
exception) and compare what each shows (harness/generation/compare.py). `TracingApp` is the
reference that also tells which spec transitions each step took, the guards that held where
a transition's priority decided, and what was requested: a `StepTrace` per step, which the
grader (harness/grading) reads to name what a difference rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from harness.adapters.base import ImplementationFailure
from harness.generation.tracing import Snapshot, TracingApp, TransitionIndex, applicable
from harness.grading.grounds import related_sections
from harness.grading.trace import Difference
from harness.protocol import Implementation, reported_error
from statechart.model import Spec, Transition

__all__ = [
    "Difference",
    "Outcome",
    "Refusal",
    "Snapshot",
    "TracingApp",
    "TransitionIndex",
    "WalkStep",
    "applicable",
    "attempt",
    "attempt_reset",
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
    except ImplementationFailure:
        raise  # the process broke (crash, timeout, protocol): an error, not an observation
    except Exception as error:  # a refusal, or the reference's own error, is an observation
        reported = reported_error(error)
        if reported is None:
            return Refusal("internal", f"{type(error).__name__}: {error}")
        return Refusal(*reported)
    if not isinstance(view, dict):
        return Refusal("internal", f"op {op!r} returned {type(view).__name__}, not a view")
    return view


def attempt(impl: Implementation, step: WalkStep) -> Outcome:
    """Sends one step; a refusal becomes a Refusal.

    Raises:
        ImplementationFailure: The implementation's process broke (the item is an error).
    """
    return _attempt(lambda: _CALLS[step.op](impl, step), step.op)


def attempt_reset(impl: Implementation, fixture: dict[str, Any]) -> Outcome:
    """Sends `reset` with a fixture; a refusal becomes a Refusal."""
    return _attempt(lambda: impl.reset(fixture), "reset")


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
