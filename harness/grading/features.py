"""The grounds of a failing feature step: each ならば phrase checks one kind of expectation.

`step_grounds` maps the phrase to its kind (`harness.vocabulary.then.EXPECTATION_KINDS`,
docs/grading.md "Features"), takes the grounds of that kind from the trace of the step on
the reference (`harness.run.replay.Replay.traces`), and counts every assumed ground but
those the scenario disclaims with `@not-ASM-…`: such a scenario says that its steps hold by
the manual alone (3.10's correction repeated at once gives S4H9: a fail, where the
179-second case is a deviation from ASM-063). A failing もし step (a person's action
refused) is graded as a refused request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from harness.grading import rows
from harness.grading.grounds import Grounds, gather
from harness.grading.items import CODELESS, SpecIndex, line_matches
from harness.grading.trace import StepTrace
from harness.vocabulary.base import Phrase
from harness.vocabulary.then import EXPECTATION_KINDS
from statechart.model import Spec, assumed_ids

__all__ = ["expectation_kind", "step_grounds"]

View = Mapping[str, Any]


def expectation_kind(phrase: Phrase | str) -> str:
    """The kind of expectation a phrase checks (`when` for もし, `given` for 前提).

    Raises:
        KeyError: A ならば phrase without a kind in EXPECTATION_KINDS.
    """
    if isinstance(phrase, Phrase):
        if phrase.kind != "then":
            return phrase.kind
        return EXPECTATION_KINDS[phrase.pattern]
    return EXPECTATION_KINDS[phrase]


def _error(view: View | None) -> str | None:
    error = (view or {}).get("error")
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    return code if isinstance(code, str) else CODELESS


def _part(view: View | None, key: str, name: str) -> Any:
    part = (view or {}).get(key)
    return part.get(name) if isinstance(part, dict) else None


def _screen(ix: SpecIndex, trace: StepTrace, view: View | None) -> Grounds:
    """Where the step led: an error where the spec shows none (or another one), a dialog,
    or another screen."""
    observed = _error(view)
    if observed != trace.error_after:
        return rows.error_code(ix, trace, trace.error_after, observed)
    return rows.route(ix, trace, _part(view, "screen", "title"))


def _dialog(ix: SpecIndex, trace: StepTrace, view: View | None, buttons: Iterable[str]) -> Grounds:
    if not isinstance((view or {}).get("dialog"), dict):
        return _screen(ix, trace, view)
    shown = set(_part(view, "dialog", "buttons") or ())
    missing = [rows.label_missing(ix, trace.state, b) for b in buttons if b not in shown]
    return gather(missing) if missing else rows.route(ix, trace)


def _named_buttons(ix: SpecIndex, trace: StepTrace) -> list[str]:
    """The buttons of the dialog the spec shows whose existence the manual gives."""
    return [
        o.element.label
        for o in ix.visible(trace.state)
        if o.element.kind == "button"
        and not o.element.when + o.element.unless
        and not assumed_ids(o.element.assumed, "exists")
    ]


def _error_phrase(
    ix: SpecIndex, trace: StepTrace, view: View | None, expected: str | None
) -> Grounds:
    observed = _error(view)
    if observed != expected:
        return rows.error_code(ix, trace, expected, observed)
    return rows.error_message(ix, expected)


def _text(ix: SpecIndex, trace: StepTrace, view: View | None, text: str) -> Grounds:
    """「T」が表示される: whichever spec item carries T where the spec rests."""
    path = trace.state
    if any(o.element.label == text for o in ix.visible(path)):
        return rows.label_missing(ix, path, text)
    start = text.removesuffix("～")
    lines = [(line, r) for line, r in ix.lines(path) if line_matches(line, r, start) or r == start]
    if lines:
        return rows.texts(ix, path, [r for _, r in lines], (view or {}).get("texts") or [])
    screen = ix.screen(path)
    if screen is not None and screen.title == text:
        return rows.route(ix, trace, _part(view, "screen", "title"))
    if trace.error_after is not None:
        messages = {e.message for e in ix.entries(trace.error_after)}
        if text in messages:
            return _error_phrase(ix, trace, view, trace.error_after)
    if ix.shows(path, "tokens"):
        return rows.tokens(ix, path, order=False)
    return rows.token(ix, trace, "name", text, _part(view, "token", "name"))


def _field(
    ix: SpecIndex, trace: StepTrace, view: View | None, field: str, typed: Mapping[str, str]
) -> Grounds:
    fields = (view or {}).get("fields") or {}
    if field not in fields:
        return rows.label_missing(ix, trace.state, field)
    return rows.field_value(ix, trace, field, fields[field], typed)


def _masked(
    ix: SpecIndex, trace: StepTrace, view: View | None, field: str, typed: Mapping[str, str]
) -> Grounds:
    if field in typed:
        return _field(ix, trace, view, field, typed)
    # Without what was typed: a run of one character is a mask (maybe the wrong one), anything
    # else shows what was typed.
    shown = str(((view or {}).get("fields") or {}).get(field, ""))
    return _field(ix, trace, view, field, {} if len(set(shown)) <= 1 else {field: shown})


def _tokens(ix: SpecIndex, trace: StepTrace, view: View | None, names: Iterable[str]) -> Grounds:
    shown = list((view or {}).get("tokens") or [])
    same = sorted(names) == sorted(shown)
    return rows.tokens(ix, trace.state, order=same)


Row = Callable[[SpecIndex, StepTrace, dict[str, Any], View | None, Mapping[str, str]], Grounds]

_ROWS: Final[dict[str, Row]] = {
    "screen": lambda ix, t, p, v, typed: _screen(ix, t, v),
    "dialog": lambda ix, t, p, v, typed: _dialog(ix, t, v, _named_buttons(ix, t)),
    "dialog.buttons": lambda ix, t, p, v, typed: _dialog(ix, t, v, [str(p.get("button"))]),
    "error.code": lambda ix, t, p, v, typed: _error_phrase(ix, t, v, str(p.get("code"))),
    "error.codeless": lambda ix, t, p, v, typed: _error_phrase(ix, t, v, CODELESS),
    "error.message": lambda ix, t, p, v, typed: _error_phrase(ix, t, v, t.error_after),
    "error.none": lambda ix, t, p, v, typed: _error_phrase(ix, t, v, None),
    "text": lambda ix, t, p, v, typed: _text(ix, t, v, str(p.get("text"))),
    "absent": lambda ix, t, p, v, typed: rows.label_shown(ix, t.state, str(p.get("label"))),
    "disabled": lambda ix, t, p, v, typed: (
        rows.disabled(ix, t.state, str(p.get("field")))
        if str(p.get("field")) in ((v or {}).get("fields") or {})
        else rows.label_missing(ix, t.state, str(p.get("field")))
    ),
    "fields": lambda ix, t, p, v, typed: _field(ix, t, v, str(p.get("field")), typed),
    "fields.masked": lambda ix, t, p, v, typed: _masked(ix, t, v, str(p.get("field")), typed),
    "otp": lambda ix, t, p, v, typed: rows.otp(ix, t, "", (v or {}).get("otp")),
    "app": lambda ix, t, p, v, typed: _screen(ix, t, v),
    "browser": lambda ix, t, p, v, typed: rows.browser(ix, t),
    "tokens": lambda ix, t, p, v, typed: _tokens(ix, t, v, p.get("names") or ()),
    "tokens.listed": lambda ix, t, p, v, typed: rows.tokens(ix, t.state, order=False),
    "token.name": lambda ix, t, p, v, typed: rows.token(
        ix, t, "name", p.get("name"), _part(v, "token", "name")
    ),
    "token.expires": lambda ix, t, p, v, typed: rows.token(
        ix, t, "expires", p.get("date"), _part(v, "token", "expires")
    ),
    "request": lambda ix, t, p, v, typed: rows.refused(ix, t, reference_refused=True),
    "when": lambda ix, t, p, v, typed: rows.refused(ix, t, reference_refused=False),
}


def step_grounds(
    spec: Spec,
    trace: StepTrace,
    phrase: Phrase | str,
    params: Mapping[str, object],
    observed_view: View | None,
    scenario_tags: Iterable[str],
    *,
    typed_fields: Mapping[str, str] | None = None,
) -> Grounds:
    """The grounds of a feature step that failed on an implementation.

    Args:
        spec: The spec.
        trace: The same step replayed on the reference (`Replay.traces[i]`; every scenario
            passes there by construction).
        phrase: The step's phrase (or its pattern): a ならば phrase is graded by the kind of
            expectation it checks, a もし phrase as a refused request.
        params: The phrase's parameters as matched (`match_step`).
        observed_view: The implementation's last view in the step (the step record's
            `view`; None when it refused the request). Pass it unmasked where a secret
            field's display is at stake (「F」はマスク表示される), or pass `typed_fields`.
        scenario_tags: The scenario's tags (with or without `@`): an assumed ground counts
            unless a `not-ASM-…` tag disclaims its assumption.
        typed_fields: What the scenario typed, by field (ScenarioContext.typed).

    Returns:
        Grounds whose `verdict` is `fail` or `deviation`. A failing 前提 is not graded here:
        it is not applicable (a capability the implementation declared absent) or an error.
    """
    ix = SpecIndex.of(spec)
    kind = expectation_kind(phrase)
    row = _ROWS.get(kind)
    typed = dict(typed_fields or {})
    grounds = row(ix, trace, dict(params), observed_view, typed) if row else rows.route(ix, trace)
    return grounds.counting(scenario_tags)
