"""The rule for each kind of expectation: the rows of docs/grading.md's table, as functions.

Each takes the spec's index, the trace of the step and what the row needs, and returns the
grounds of that one expectation. `difference_grounds` (views.py) and `step_grounds`
(features.py) choose the row; nothing here compares views.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from harness.grading.grounds import REGISTER_ONLY, Grounds, gather, register_grounds
from harness.grading.items import OPEN_ACTIONS, Owned, SpecIndex, line_matches
from harness.grading.trace import StepTrace
from statechart.basis import basis
from statechart.inputs import check_input
from statechart.machine import transition_event
from statechart.model import Transition

__all__ = [
    "browser",
    "dialog_text",
    "disabled",
    "dismissal",
    "error_code",
    "error_message",
    "field_value",
    "label_missing",
    "label_shown",
    "otp",
    "refused",
    "route",
    "texts",
    "token",
    "tokens",
]

_SUFFIX: Final = re.compile(r"_[0-9０-９]+$")
_TOKEN_SHOWS: Final = ("deletion_target", "naming_target", "token", "otp")
_TOKEN_RULES: Final = ("serial_format", "expiry_format", "start_format")


def _taken(ix: SpecIndex, ids: Iterable[str]) -> list[Transition]:
    return [ix.transitions[t] for t in ids if t in ix.transitions]


def _layer(ix: SpecIndex, path: str) -> Grounds:
    """The existence of what a state shows (its dialog, screen, or the closed app)."""
    shown = ix.shown_in(path)
    return Grounds.of(basis(shown)) if shown is not None else Grounds()


def _leaves_error(ix: SpecIndex, trace: StepTrace) -> bool:
    """Whether the step took a transition out of an error dialog (its [OK])."""
    owners = (ix.state(t.owner) for t in _taken(ix, trace.transitions))
    return any(owner is not None and owner.kind == "error_dialog" for owner in owners)


def dismissal(ix: SpecIndex, trace: StepTrace) -> list[Grounds]:
    """Where dismissing an error leads: the error's `on_dismiss` (the [OK] transition is in
    the route)."""
    if trace.error_before is None or not _leaves_error(ix, trace):
        return []
    return [Grounds.of(basis(e, "on_dismiss")) for e in ix.entries(trace.error_before)]


def _leads_to(ix: SpecIndex, transition: Transition, title: str | None, closed: bool) -> bool:
    """Whether a transition leads where the implementation went (a screen of that title, or
    the closed app)."""
    chart = ix.spec.statechart
    target = chart.resolve_target(transition)
    if target is None or not ix.has(target):
        return False
    rest = chart.enter(target)
    if closed:
        return chart.state(rest).kind == "closed"
    screen = ix.screen(rest)
    return title is not None and screen is not None and screen.title == title


def _diverging(
    ix: SpecIndex, trace: StepTrace, title: str | None, closed: bool
) -> list[Transition]:
    """The guarded transitions the spec did not take, beside one it took for the same event,
    that lead where the implementation went: their guards say it must not go there."""
    here = ix.screen(trace.state)
    if not closed and (title is None or (here is not None and here.title == title)):
        return []
    taken = _taken(ix, trace.transitions)
    found: list[Transition] = []
    for t in taken:
        owner = ix.state(t.owner)
        for other in owner.transitions if owner is not None else ():
            same = transition_event(other) == transition_event(t)
            guarded = bool(other.guard or other.unless)
            fresh = other is not t and other not in taken and other not in found
            if same and guarded and fresh and _leads_to(ix, other, title, closed):
                found.append(other)
    return found


def route(
    ix: SpecIndex, trace: StepTrace, observed_title: object = None, *, closed: bool = False
) -> Grounds:
    """`app`, `screen.title`, a dialog shown or not: the transitions taken and where they led.

    Each transition of the step (`guard`, `target`, and `priority` where another one's
    guards also held), the existence of the state it rests in, that screen's `title` only
    when the implementation showed a title no screen of the spec has, and where an error's
    [OK] led, the error's `on_dismiss`. Where the implementation went to a screen (or closed
    the app) that a guarded transition of the spec leads to, that transition's guard too.

    The sections named are those of the decisions, where the step had any: the guarded (or
    contested) transitions taken and the guarded ones that lead where the implementation
    went; a launch passes through 2.1's route to get to 3.9.2's screen, and only 3.9.2 is
    at stake.
    """
    contested = trace.contested
    parts: list[Grounds] = []
    decisive: list[Grounds] = []
    for tid in trace.transitions:
        t = ix.transitions.get(tid)
        if t is None:
            continue
        part = Grounds.of(basis(t, "guard", "target", *(("priority",) if tid in contested else ())))
        parts.append(part)
        if t.guard or t.unless or tid in contested:
            decisive.append(part)
    title = observed_title if isinstance(observed_title, str) else None
    decisive += [Grounds.of(basis(t, "guard")) for t in _diverging(ix, trace, title, closed)]
    layer = _layer(ix, trace.state)
    screen = ix.screen(trace.state)
    named: list[Grounds] = []
    if title is not None and title not in ix.screen_titles and screen is not None:
        named.append(Grounds.of(basis(screen, "title")))
    every = gather([*parts, *decisive, layer, *named, *dismissal(ix, trace)])
    if not decisive:
        return every
    sections = gather([*decisive, *named]).sections
    return Grounds(sections, every.assumptions)


def _broken_inputs(ix: SpecIndex, path: str, typed: Mapping[str, str]) -> list[Grounds]:
    broken: list[Grounds] = []
    for label, value in typed.items():
        name = ix.field_rule(path, label)
        rule = ix.spec.rules.inputs.get(name) if name else None
        if name and rule is not None and not check_input(value, rule.charset, rule.min, rule.max):
            broken.append(ix.input_rule(name))
    return broken


def error_code(
    ix: SpecIndex,
    trace: StepTrace,
    expected: str | None,
    observed: str | None,
    typed: Mapping[str, str] | None = None,
) -> Grounds:
    """Which error shows (or that none does).

    The transition that raises the expected code (`exists`, `guard`); the expected entry's
    `condition` unless the walk injected that code; where the implementation accepted what
    the app must refuse itself (an `app` error) and a typed value breaks its input rule, that
    rule instead (the manual's bounds, 3.5's 1〜32 digits); for an error where none was
    expected, the observed entry's `condition` and the branch the spec took instead.
    """
    taken = _taken(ix, trace.transitions)
    parts: list[Grounds] = []
    if expected is not None:
        raising = [t for t in taken if expected in t.raises]
        entries = ix.entries(expected)
        broken = _broken_inputs(ix, trace.before, typed or {}) if observed is None else []
        if broken and any(e.raised_by == "app" for e in entries):
            return gather(broken)
        parts += [Grounds.of(basis(t, "guard")) for t in raising]
        if expected not in trace.injected:
            parts += [Grounds.of(basis(e, "condition")) for e in entries]
    elif observed is not None:
        parts += [Grounds.of(basis(e, "condition")) for e in ix.entries(observed)]
        chart = ix.spec.statechart
        parts += [
            Grounds.of(basis(t, "guard", "target"))
            for t in taken
            if any(observed in other.raises for other in chart.state(t.owner).transitions)
        ]
    return gather(parts) if parts else route(ix, trace)


def error_message(ix: SpecIndex, code: str | None) -> Grounds:
    """The message of the right code: the catalogue entry itself (4.3, always the manual's)."""
    entries = ix.entries(code)
    return gather(Grounds(tuple(e.sections), ()) for e in entries) if entries else Grounds()


def _visible(ix: SpecIndex, path: str, label: str) -> list[Owned]:
    found = [o for o in ix.visible(path) if o.element.label == label and o.element.kind != "list"]
    if found or label in ix.labels:
        return found
    # Not a label of the spec: an item of a list the state shows (a token's name).
    return [o for o in ix.visible(path) if o.element.kind == "list"]


def label_missing(ix: SpecIndex, path: str, label: str) -> Grounds:
    """A label the spec shows is missing: each element of that label (`exists`, `when`,
    `inherited` off the group's initial screen)."""
    owned = _visible(ix, path, label)
    if not owned:
        return _layer(ix, path)
    return gather(ix.element_grounds(o, path, "when") for o in owned)


def label_shown(ix: SpecIndex, path: str, label: str) -> Grounds:
    """A label the spec knows shows where the spec hides it: the elements of that label in
    the state's ancestors (`when`), else every element of that label (`exists`,
    `inherited`, `when`)."""
    near = ix.in_ancestors(path, label)
    if near:
        return gather(Grounds.of(basis(o.element, "when")) for o in near)
    far = ix.everywhere(label)
    if not far:
        return _layer(ix, path)
    return gather(Grounds.of(basis(o.element, "when", "inherited")) for o in far)


def dialog_text(ix: SpecIndex, trace: StepTrace) -> Grounds:
    """A dialog's text: the dialog's `text`."""
    shown = ix.shown_in(trace.state)
    return Grounds.of(basis(shown, "text")) if shown is not None else Grounds()


def disabled(ix: SpecIndex, path: str, label: str) -> Grounds:
    """Enabled or not: the `enabled_when` of the elements of that label (3.5, 3.7)."""
    owned = [o for o in ix.visible(path) if o.element.label == label and o.element.enabled_when]
    if not owned:
        return label_shown(ix, path, label)
    return gather(Grounds.of(basis(o.element, "enabled_when")) for o in owned)


def _opened_by(ix: SpecIndex, trace: StepTrace) -> Transition | None:
    """The last transition with actions that led onto the screen shown now."""
    here = ix.screen(trace.state)
    chart = ix.spec.statechart
    for t in reversed(_taken(ix, (*trace.history, *trace.transitions))):
        target = chart.resolve_target(t)
        if target and ix.has(target) and ix.screen(chart.enter(target)) == here and t.actions:
            return t
        if target and ix.has(target) and ix.screen(chart.enter(target)) != here:
            return None  # the screen was entered before this: nothing filled it since
    return None


def field_value(
    ix: SpecIndex,
    trace: StepTrace,
    label: str,
    observed: object,
    typed: Mapping[str, str],
) -> Grounds:
    """What an input shows (docs/grading.md: toggles, checkboxes, secret and text fields)."""
    owned = [o for o in ix.visible(trace.state) if o.element.label == label]
    if not owned:
        return label_shown(ix, trace.state, label)
    element = owned[0].element
    if element.kind != "field":
        return Grounds.of(basis(element))
    if element.secret:
        value = typed.get(label, "")
        shown = observed if isinstance(observed, str) else ""
        if value and any(c in shown for c in set(value)):
            return ix.contract("secrets_masked") or Grounds(tuple(element.sections), ())
        return ix.rule("mask_character")
    if label in typed:
        if trace.error_before is not None or _leaves_error(ix, trace):
            return register_grounds(ix.spec, REGISTER_ONLY["inputs_kept"])
        return Grounds.of(basis(element))
    opener = _opened_by(ix, trace)
    if opener is not None:
        return Grounds.of(basis(opener, "actions"))
    return register_grounds(ix.spec, REGISTER_ONLY["inputs_kept"])


def otp(ix: SpecIndex, trace: StepTrace, expected: object, observed: object) -> Grounds:
    """The password: shown or not (the screen's `shows`, an expired token's contract), its
    format (rules `otp_digits`), its value (the `password_value` contract)."""
    shows = [Grounds.of(basis(layer, "shows")) for layer in ix.shows(trace.state, "otp")]
    if (expected is None) != (observed is None):
        if expected is None and shows:
            expired = ix.contract("expired_token_shows_no_password")
            return expired or gather(shows)
        return gather(shows) if shows else _layer(ix, trace.state)
    digits = ix.spec.rules.values.get("otp_digits")
    text = str(observed)
    if not (text.isascii() and text.isdigit() and len(text) == digits):
        return ix.rule("otp_digits")
    value = ix.contract("password_value")
    return gather([value, *shows]) if value is not None else gather(shows)


def _took(ix: SpecIndex, trace: StepTrace, *targets: str) -> bool:
    chart = ix.spec.statechart
    return any(
        chart.resolve_target(t) in targets for t in _taken(ix, (*trace.history, *trace.transitions))
    )


def token(
    ix: SpecIndex, trace: StepTrace, part: str, expected: object, observed: object
) -> Grounds:
    """A part of the token shown: `name` (the screen's `shows`, ASM-012 for the number after
    `_`, else the names contract), `serial`, `expires` (renewal or issue rules), `start`."""
    if part == "name":
        shows = [
            Grounds.of(basis(layer, "shows"))
            for kind in _TOKEN_SHOWS
            for layer in ix.shows(trace.state, kind)
        ]
        same_base = (
            isinstance(expected, str)
            and isinstance(observed, str)
            and _SUFFIX.sub("", expected) == _SUFFIX.sub("", observed)
        )
        if same_base:
            naming = register_grounds(ix.spec, REGISTER_ONLY["suffix_number"])
        else:
            naming = ix.contract("display_names") or Grounds()
        return gather([*shows, naming])
    if part == "serial":
        return ix.rule("serial_format")
    if part == "start":
        return ix.rule("start_format")
    if _took(ix, trace, "running.renewal_done"):
        return ix.rule("renewal_extension_days")
    if _took(ix, trace, "running.setup.complete", "running.main.settings.token_add_done"):
        return ix.rule("token_validity_days")
    return ix.rule("expiry_format")


def tokens(ix: SpecIndex, path: str, *, order: bool) -> Grounds:
    """The token list: which tokens (the list element), or their order (its `order`)."""
    lists = [o for o in ix.visible(path) if o.element.kind == "list"]
    if not lists:
        return _layer(ix, path)
    return gather(Grounds.of(basis(o.element, *(("order",) if order else ()))) for o in lists)


def _token_line_rule(ix: SpecIndex, text: str) -> str | None:
    for key in _TOKEN_RULES:
        prefix = str(ix.spec.rules.values.get(key, "")).split("{", 1)[0]
        if prefix and text.startswith(prefix):
            return key
    return None


def texts(ix: SpecIndex, path: str, expected: Iterable[str], observed: Iterable[str]) -> Grounds:
    """The lines whose presence differs: each spec line (`exists`, `when`), or for the
    token's lines on 「ワンタイムパスワード」 their format rules."""
    want, got = list(expected), list(observed)
    parts = [
        Grounds.of(basis(line, "when"))
        for line, rendered in ix.lines(path)
        if any(line_matches(line, rendered, t) for t in want)
        != any(line_matches(line, rendered, t) for t in got)
    ]
    for text in [t for t in want if t not in got] + [t for t in got if t not in want]:
        key = _token_line_rule(ix, text)
        if key is not None:
            parts.append(ix.rule(key))
    return gather(parts) if parts else _layer(ix, path)


def browser(ix: SpecIndex, trace: StepTrace) -> Grounds:
    """The page opened: the `actions` of the transition that opens one (2.2; ASM-028)."""
    opening = [t for t in _taken(ix, trace.transitions) if OPEN_ACTIONS & set(t.actions)]
    if not opening:
        return route(ix, trace)
    return gather(Grounds.of(basis(t, "actions")) for t in opening)


def refused(ix: SpecIndex, trace: StepTrace, reference_refused: bool) -> Grounds:
    """A request refused on one side only.

    The reference refused, the implementation did not: a key the device lacks (rules
    `device_keys`), a disabled label (`enabled_when`), a label not shown (shown where the
    spec hides it). The implementation refused, the reference did not: the label's
    elements as missing, a key's rules and route.
    """
    op, target = trace.requests[-1] if trace.requests else ("", "")
    where = trace.before or trace.state
    if op == "key":
        if not reference_refused and not trace.transitions:
            # The key the device has does nothing here: that it is a no-op (a dialog, a
            # screen without a previous one) is ASM-004's decision, and a refusal shows the
            # person the same unchanged screen (docs/protocol.md: answer the view).
            return register_grounds(ix.spec, "ASM-004")
        return gather([ix.rule("device_keys"), *([] if reference_refused else [route(ix, trace)])])
    if op in ("tap", "enter") and target:
        if reference_refused:
            return disabled(ix, where, target)
        return label_missing(ix, where, target)
    return route(ix, trace)
