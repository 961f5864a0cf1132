"""How an implementation's view is compared with the spec's expectation for the same step.

Only what the spec defines is compared (docs/protocol.md, "What the harness compares"):
`app`, the error, the screen's title, whether a dialog shows and the buttons the spec knows
(as a set), a dialog's text where the spec gives one; under a dialog nothing else. Else the
labels the spec knows (ASM-060: a label, line or button the spec does not know is never
compared), the inputs' values but a disabled field's, `disabled` for the elements with
`enabled_when`, the token's name (its serial and dates where the screen shows the password),
whether a password shows and how many digits it has (its value is the `password_value`
contract's, never the reference's), the token list as a multiset and then its order
(ASM-064), the spec's text lines (`match: prefix` compares the start) and the token's lines,
and `browser` only on the answer to a request that opens a page.

Given the spec and the step's trace (`compare_outcomes(…, spec=, trace=)`) the comparison
knows the labels, lines and transitions; without them it compares the views alone, each
part as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from harness.generation.steps import Outcome, Refusal
from harness.grading.items import CODELESS, OPEN_ACTIONS, SpecIndex, line_matches
from harness.grading.trace import Difference, StepTrace
from statechart.model import Spec

__all__ = ["Difference", "compare_outcomes", "compare_views"]

View = dict[str, Any]
_Part = tuple[str, Any, Any, bool]
_TOKEN_DETAILS: Final = ("serial", "expires", "start")
_TOKEN_LINES: Final = ("serial_format", "expiry_format", "start_format")


def _get(view: View, key: str, name: str) -> Any:
    part = view.get(key)
    return part.get(name) if isinstance(part, dict) else None


def error_key(view: View) -> str | None:
    """The error a view shows: its code, CODELESS for the message without one, or None."""
    error = view.get("error")
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    return code if isinstance(code, str) else CODELESS


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _shape(otp: Any) -> Any:
    """A password as the comparison sees it: absent, or how many half-width digits."""
    if isinstance(otp, str) and otp.isascii() and otp.isdigit():
        return f"{len(otp)}桁の数字"
    return otp


def _same(name: str, want: Any, got: Any) -> _Part:
    return (name, want, got, want != got)


class _Comparison:
    """One step's comparison: the spec's knowledge of that step, if given."""

    def __init__(self, spec: Spec | None, trace: StepTrace | None) -> None:
        self.ix = SpecIndex.of(spec) if spec is not None and trace is not None else None
        self.trace = trace or StepTrace()

    def known(self, labels: Any, also: Any = ()) -> list[str]:
        """The labels compared: those the spec knows (all of them without the spec), and
        the expectation's own (a list's items are not labels of the spec)."""
        listed = [str(label) for label in _list(labels)]
        if self.ix is None:
            return sorted(set(listed))
        compared = self.ix.labels | {str(a) for a in _list(also)}
        return sorted({label for label in listed if label in compared})

    def parts(self, expected: View, observed: View) -> Iterator[_Part]:
        """The compared parts in the order a difference is reported (stops under a dialog)."""
        yield _same("app", expected.get("app"), observed.get("app"))
        yield _same("error.code", error_key(expected), error_key(observed))
        yield _same(
            "screen.title", _get(expected, "screen", "title"), _get(observed, "screen", "title")
        )
        yield _same(
            "error.message", _get(expected, "error", "message"), _get(observed, "error", "message")
        )
        dialog = expected.get("dialog")
        yield _same("dialog", dialog is not None, observed.get("dialog") is not None)
        if dialog is not None:
            buttons = _get(expected, "dialog", "buttons")
            yield _same(
                "dialog.buttons",
                self.known(buttons, buttons),
                self.known(_get(observed, "dialog", "buttons"), buttons),
            )
            text = _get(expected, "dialog", "text")
            if text is not None and expected.get("error") is None:
                yield _same("dialog.text", text, _get(observed, "dialog", "text"))
            return  # under a dialog only app, title, dialog and error are compared
        elements = expected.get("elements")
        # An input's label may be listed among the tappable labels or not (docs/protocol.md,
        # the view's `elements`): inputs are compared through `fields`.
        inputs = set(_dict(expected.get("fields"))) - set(map(str, _list(elements)))
        tappable = [e for e in _list(observed.get("elements")) if str(e) not in inputs]
        yield _same(
            "elements",
            self.known(elements, elements),
            self.known(tappable, elements),
        )
        yield self._fields(expected, observed)
        yield self._disabled(expected, observed)
        yield self._token(expected, observed)
        # Whether a password shows, and its shape; its value is the password_value
        # contract's (RFC 6238 from the documented seed), never the reference's.
        yield _same("otp", _shape(expected.get("otp")), _shape(observed.get("otp")))
        want, got = _list(expected.get("tokens")), _list(observed.get("tokens"))
        yield _same("tokens", sorted(want, key=str), sorted(got, key=str))
        yield _same("tokens.order", want, got)
        yield self._texts(expected, observed)
        if self._opens_page():
            yield _same("browser", expected.get("browser"), observed.get("browser"))

    def _fields(self, expected: View, observed: View) -> _Part:
        want = _dict(expected.get("fields"))
        got = _dict(observed.get("fields"))
        keys = self.known(list(want), list(want))
        shown = self.known(list(got), list(want))
        skip = set(_list(expected.get("disabled")))  # a disabled field's value is not compared
        wanted = {k: None if k in skip else want[k] for k in keys}
        seen = {k: None if k in skip else got[k] for k in shown}
        return _same("fields", wanted, seen)

    def _disabled(self, expected: View, observed: View) -> _Part:
        if self.ix is None:
            return ("disabled", None, None, False)
        gated = {
            o.element.label for o in self.ix.visible(self.trace.state) if o.element.enabled_when
        }
        want = sorted(gated & set(_list(expected.get("disabled"))))
        got = sorted(gated & set(_list(observed.get("disabled"))))
        return _same("disabled", want, got)

    def _token(self, expected: View, observed: View) -> _Part:
        want = expected.get("token")
        if not isinstance(want, dict):
            return ("token", None, None, False)  # the screen shows no token
        details = self.ix is None or bool(self.ix.shows(self.trace.state, "otp"))
        names = ("name", *(_TOKEN_DETAILS if details else ()))
        got = observed.get("token")
        seen = {n: got.get(n) for n in names} if isinstance(got, dict) else None
        return _same("token", {n: want.get(n) for n in names}, seen)

    def _texts(self, expected: View, observed: View) -> _Part:
        want = [str(t) for t in _list(expected.get("texts"))]
        got = [str(t) for t in _list(observed.get("texts"))]
        if self.ix is None:
            return _same("texts", sorted(want), sorted(got))
        ix = self.ix
        lines = ix.lines(self.trace.state)
        prefixes = [str(ix.spec.rules.values.get(key, "")).split("{", 1)[0] for key in _TOKEN_LINES]
        differs = any(
            any(line_matches(line, r, t) for t in want)
            != any(line_matches(line, r, t) for t in got)
            for line, r in lines
        )
        token_lines = [t for t in want if any(p and t.startswith(p) for p in prefixes)]
        differs = differs or any(t not in got for t in token_lines)
        known = [
            t for t in want if t in token_lines or any(line_matches(ln, r, t) for ln, r in lines)
        ]
        return ("texts", known, got, differs)

    def _opens_page(self) -> bool:
        if self.ix is None:
            return True
        taken = (self.ix.transitions.get(t) for t in self.trace.transitions)
        return any(t is not None and OPEN_ACTIONS & set(t.actions) for t in taken)


def compare_views(
    expected: View, observed: View, *, spec: Spec | None = None, trace: StepTrace | None = None
) -> Difference | None:
    """The first compared part where two views differ, or None.

    Args:
        expected: The spec's expectation (the traced reference's view after the step).
        observed: The implementation's view.
        spec: The spec; with `trace`, only what the spec defines is compared.
        trace: The step on the reference (its state, its transitions).
    """
    for name, want, got, differs in _Comparison(spec, trace).parts(expected, observed):
        if differs:
            return Difference(name, want, got)
    return None


def compare_outcomes(
    expected: Outcome,
    observed: Outcome,
    *,
    spec: Spec | None = None,
    trace: StepTrace | None = None,
) -> Difference | None:
    """Compares two outcomes: two views as `compare_views`, two refusals by kind only."""
    if isinstance(expected, Refusal) or isinstance(observed, Refusal):
        want = expected.kind if isinstance(expected, Refusal) else "view"
        got = observed.kind if isinstance(observed, Refusal) else "view"
        if want == got:
            return None
        shown = observed.message if isinstance(observed, Refusal) else "a view"
        return Difference("request", want, f"{got}: {shown}")
    return compare_views(expected, observed, spec=spec, trace=trace)
