"""The grounds of a difference between two views: generated checks and the differential walk.

`difference_grounds` takes the first compared part where an implementation's view differs
from the spec's expectation (`harness.generation.steps.compare_outcomes`) and the trace of
that step on the reference, and returns the grounds of what broke, and only of that: a
missing button names that button's sections, not every section of its screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from harness.grading import rows
from harness.grading.grounds import Grounds, gather
from harness.grading.items import SpecIndex
from harness.grading.trace import Difference, StepTrace
from statechart.model import Spec

__all__ = ["difference_grounds"]

Typed = Mapping[str, str] | Sequence[str]


def _labels(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _labels_grounds(ix: SpecIndex, path: str, expected: Any, observed: Any) -> list[Grounds]:
    want, got = _labels(expected), _labels(observed)
    return [rows.label_missing(ix, path, label) for label in want if label not in got] + [
        rows.label_shown(ix, path, label) for label in got if label not in want
    ]


def _fields(
    ix: SpecIndex, trace: StepTrace, difference: Difference, typed: Mapping[str, str]
) -> Grounds:
    want = difference.expected if isinstance(difference.expected, dict) else {}
    got = difference.observed if isinstance(difference.observed, dict) else {}
    parts = _labels_grounds(ix, trace.state, want, got)
    parts += [
        rows.field_value(ix, trace, label, got[label], typed)
        for label in want
        if label in got and got[label] != want[label]
    ]
    return gather(parts) if parts else rows.route(ix, trace)


def _token(ix: SpecIndex, trace: StepTrace, difference: Difference) -> Grounds:
    want = difference.expected if isinstance(difference.expected, dict) else {}
    got = difference.observed if isinstance(difference.observed, dict) else {}
    if not want or not got:  # a token shown on one side only: the screen's `shows`
        return rows.token(ix, trace, "name", want.get("name"), got.get("name"))
    return gather(
        rows.token(ix, trace, part, want.get(part), got.get(part))
        for part in want
        if want.get(part) != got.get(part)
    )


def _request(ix: SpecIndex, trace: StepTrace, difference: Difference) -> Grounds:
    # Difference("request", expected kind or "view", observed kind or "view: …").
    reference_refused = difference.expected != "view"
    return rows.refused(ix, trace, reference_refused)


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_Row = Callable[[SpecIndex, StepTrace, Difference, Mapping[str, str]], Grounds]

_ROWS: Final[dict[str, _Row]] = {
    "app": lambda ix, t, d, typed: rows.route(ix, t, closed=d.observed == "closed"),
    "screen.title": lambda ix, t, d, typed: rows.route(ix, t, d.observed),
    "dialog": lambda ix, t, d, typed: rows.route(ix, t),
    "error.code": lambda ix, t, d, typed: rows.error_code(
        ix, t, _key(d.expected), _key(d.observed), typed
    ),
    "error.message": lambda ix, t, d, typed: rows.error_message(ix, t.error_after),
    "dialog.buttons": lambda ix, t, d, typed: gather(
        _labels_grounds(ix, t.state, d.expected, d.observed)
    ),
    "dialog.text": lambda ix, t, d, typed: rows.dialog_text(ix, t),
    "elements": lambda ix, t, d, typed: gather(
        _labels_grounds(ix, t.state, d.expected, d.observed)
    ),
    "fields": _fields,
    "disabled": lambda ix, t, d, typed: gather(
        rows.disabled(ix, t.state, label)
        for label in set(_labels(d.expected)) ^ set(_labels(d.observed))
    ),
    "token": lambda ix, t, d, typed: _token(ix, t, d),
    "otp": lambda ix, t, d, typed: rows.otp(ix, t, d.expected, d.observed),
    "tokens": lambda ix, t, d, typed: rows.tokens(ix, t.state, order=False),
    "tokens.order": lambda ix, t, d, typed: rows.tokens(ix, t.state, order=True),
    "texts": lambda ix, t, d, typed: rows.texts(
        ix, t.state, _labels(d.expected), _labels(d.observed)
    ),
    "browser": lambda ix, t, d, typed: rows.browser(ix, t),
    "request": lambda ix, t, d, typed: _request(ix, t, d),
}


def difference_grounds(
    spec: Spec, trace: StepTrace, difference: Difference, typed_fields: Typed = ()
) -> Grounds:
    """The grounds of the expectation a generated check or differential walk found broken.

    Only the grounds of what broke count (docs/grading.md, "The rule for each kind of
    expectation"): a label missing from a screen names that label's elements, a wrong
    screen after a tap the transitions taken, an error the error's condition. The sections
    named are those the involved items share (`grounds.gather`): one bug, one section.

    Args:
        spec: The spec the expectation comes from.
        trace: What the spec did in the differing step (`TracingApp.step_trace`, or
            `Replay.traces` for a scenario); its `state` is where the spec rests after it.
        difference: The first compared part that differs (`compare_outcomes`).
        typed_fields: What was typed on the screen shown at that step, since it was
            entered: label → value (a value decides between a secret shown unmasked, 3.1.2,
            and a wrong mask, ASM-032, and whether an input breaks its rule); a sequence of
            labels is accepted where the values are unknown.

    Returns:
        Grounds whose `verdict` is `fail` when the manual alone requires what was not
        observed and `deviation` when a registered assumption does.
    """
    ix = SpecIndex.of(spec)
    typed = dict(typed_fields) if isinstance(typed_fields, Mapping) else {}
    row = _ROWS.get(difference.field)
    if row is None:  # a part this grader does not know: where the step led
        return rows.route(ix, trace)
    return row(ix, trace, difference, typed)
