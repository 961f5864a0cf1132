"""What the spec did in one step, and where two views differ: the grader's inputs.

A `StepTrace` is read off the traced reference (`harness.generation.steps.TracingApp`): the
transitions the spec took (with the choices it passed), where it rested before and after,
the guards that held where a transition's priority decided, the error shown before and
after, and the codes a walk or scenario injected with `server`. It names spec items only;
the grader reads the spec, never the reference's values (docs/grading.md, "Grounds").

`Difference` is the first compared part of a view where an implementation differs from the
spec's expectation (harness.generation.steps.compare_outcomes makes it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Difference", "StepTrace"]


@dataclass(frozen=True)
class Difference:
    """The first compared part where the observed outcome differs from the expected one.

    Attributes:
        field: `app`, `screen.title`, `error.code`, `error.message`, `dialog`,
            `dialog.buttons`, `dialog.text`, `elements`, `fields`, `disabled`, `token`,
            `otp`, `tokens`, `tokens.order`, `texts`, `browser`, or `request` (a refusal
            on one side only, or of another kind).
        expected: The expectation's value (for `elements`, `fields`, `texts`: only what is
            compared).
        observed: The implementation's value.
    """

    field: str
    expected: Any
    observed: Any


@dataclass(frozen=True)
class StepTrace:
    """What the spec did in one step (one walk step, or one feature step's requests).

    Attributes:
        transitions: The ids (`owner#index`) of the transitions taken, in order, the choices
            passed included.
        state: The state path the spec rests in after the step.
        before: The state path it rested in before the step.
        rivals: For a taken transition whose priority decided: its id and the ids of the
            later transitions for the same event whose guards also held then.
        requests: Each request of the step as (op, target): the label tapped, the field
            typed into, the key, the transaction, the server operation ('' for the rest).
        error_before: The code of the error shown before the step (None: none).
        error_after: The code of the error the spec shows after it.
        injected: The codes injected with `server` so far in the walk or scenario.
        history: The transitions taken in the earlier steps of the walk or scenario.
    """

    transitions: tuple[str, ...] = ()
    state: str = ""
    before: str = ""
    rivals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    requests: tuple[tuple[str, str], ...] = ()
    error_before: str | None = None
    error_after: str | None = None
    injected: tuple[str, ...] = ()
    history: tuple[str, ...] = ()

    @property
    def contested(self) -> frozenset[str]:
        """The taken transitions whose priority decided (another one's guards also held)."""
        return frozenset(tid for tid, rivals in self.rivals if rivals)

    def to_json(self) -> dict[str, Any]:
        """The trace as JSON-ready data."""
        return {
            "transitions": list(self.transitions),
            "state": self.state,
            "before": self.before,
            "rivals": [[tid, list(rivals)] for tid, rivals in self.rivals],
            "requests": [list(r) for r in self.requests],
            "error_before": self.error_before,
            "error_after": self.error_after,
            "injected": list(self.injected),
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepTrace:
        """The trace from `to_json` data."""
        return cls(
            transitions=tuple(data.get("transitions", ())),
            state=str(data.get("state", "")),
            before=str(data.get("before", "")),
            rivals=tuple((str(t), tuple(r)) for t, r in data.get("rivals", ())),
            requests=tuple((str(op), str(target)) for op, target in data.get("requests", ())),
            error_before=data.get("error_before"),
            error_after=data.get("error_after"),
            injected=tuple(data.get("injected", ())),
            history=tuple(data.get("history", ())),
        )
