"""What a person sees: the view of the reference app, built from the spec and the session.

Everything shown comes from the spec (titles, labels, texts, which parts a screen shows);
the session supplies the values. Secrets are masked here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from statechart import clock
from statechart.domain import Token
from statechart.model import Element, State, Statechart, TextLine
from statechart.session import Session

__all__ = ["INPUT_KINDS", "ViewBuilder"]

INPUT_KINDS = frozenset({"field", "checkbox", "toggle"})
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

Guard = Callable[[], bool]


@dataclass(frozen=True)
class _Layout:
    """What the spec says a resting state shows, worked out once per state."""

    closed: bool
    screen: State | None
    dialog: State | None
    elements: tuple[Element, ...]
    texts: tuple[TextLine, ...]
    shows: frozenset[str]


class ViewBuilder:
    """Builds views; one per app, layouts computed once.

    Args:
        chart: The statechart.
        placeholders: Rule values for `{name}` in texts.
        guards: Guard name → callable, bound to the session.
    """

    def __init__(
        self, chart: Statechart, placeholders: Mapping[str, object], guards: Mapping[str, Guard]
    ) -> None:
        self._guards = guards
        self._placeholders = {k: str(v) for k, v in placeholders.items()}
        self._layouts = {s.path: _layout(chart, s) for s in chart.resting_states()}

    def visible(self, path: str, answers: dict[str, bool] | None = None) -> list[Element]:
        """The elements a person sees in a state now (their guards hold).

        Args:
            path: The state.
            answers: Guard answers already known for the current session state (filled in).
        """
        known = {} if answers is None else answers
        return [e for e in self._layouts[path].elements if self._shown(e.when, e.unless, known)]

    def disabled(self, visible: list[Element], answers: dict[str, bool] | None = None) -> set[str]:
        """The labels of visible elements shown but not enabled now (`enabled_when` fails).

        Args:
            visible: The visible elements (from `visible`).
            answers: Guard answers already known for the current session state (filled in).
        """
        known = {} if answers is None else answers
        return {e.label for e in visible if not self._shown(e.enabled_when, (), known)}

    def screen_of(self, path: str) -> str | None:
        """The path of the screen a state shows (None when the app is closed)."""
        screen = self._layouts[path].screen
        return None if screen is None else screen.path

    def fill(self, text: str) -> str:
        """Replaces `{rule}` placeholders with the rules' values."""
        return _PLACEHOLDER.sub(lambda m: self._placeholders.get(m.group(1), m.group(0)), text)

    def build(self, path: str, s: Session) -> dict[str, Any]:
        """The view of the app resting in `path`."""
        layout = self._layouts[path]
        answers: dict[str, bool] = {}  # several elements ask the same guard: ask it once
        visible = self.visible(path, answers)
        disabled = self.disabled(visible, answers)
        token = _shown_token(layout.shows, s)
        texts = [self.fill(t.text) for t in layout.texts if self._shown(t.when, t.unless, answers)]
        if token is not None and "otp" in layout.shows:
            texts.extend(_token_lines(token, s))
        return {
            "app": "closed" if layout.closed else "running",
            "screen": _screen(layout.screen),
            "dialog": self._dialog(layout.dialog, visible, s),
            "error": _error(s) if layout.dialog is not None else None,
            "elements": _tappable([e for e in visible if e.label not in disabled], s),
            "fields": _fields(visible, s),
            "disabled": [e.label for e in visible if e.label in disabled],
            "texts": texts,
            "otp": _otp(layout.shows, s),
            "token": None if token is None else _token(token),
            "tokens": [t.display_name for t in s.tokens] if "tokens" in layout.shows else [],
            "transaction": _transaction(layout.shows, s),
            "browser": s.browser,
        }

    def _shown(
        self, when: tuple[str, ...], unless: tuple[str, ...], answers: dict[str, bool]
    ) -> bool:
        return all(self._answer(g, answers) for g in when) and not any(
            self._answer(g, answers) for g in unless
        )

    def _answer(self, guard: str, answers: dict[str, bool]) -> bool:
        if guard not in answers:
            answers[guard] = self._guards[guard]()
        return answers[guard]

    def _dialog(
        self, dialog: State | None, visible: list[Element], s: Session
    ) -> dict[str, Any] | None:
        if dialog is None:
            return None
        buttons = [e.label for e in visible if e.kind == "button"]
        if dialog.kind == "error_dialog":
            text: str | None = None if s.error is None else s.error.message
        else:
            text = None if dialog.text is None else self.fill(dialog.text)
        return {"text": text, "buttons": buttons}


def _layout(chart: Statechart, state: State) -> _Layout:
    chain = chart.ancestors(state.path)
    dialog = next((a for a in chain if a.is_modal), None)
    screen = next((a for a in chain if a.kind == "screen"), None)
    texts: list[TextLine] = []
    shows: set[str] = set()
    for ancestor in chain:
        if ancestor.kind == "screen" or ancestor.is_modal:
            texts.extend(ancestor.texts)
            shows.update(ancestor.shows)
    return _Layout(
        closed=state.kind == "closed",
        screen=screen,
        dialog=dialog,
        elements=chart.visible_elements(state.path),
        texts=tuple(texts),
        shows=frozenset(shows),
    )


def _screen(screen: State | None) -> dict[str, str] | None:
    if screen is None or screen.title is None:
        return None
    return {"id": screen.path, "title": screen.title}


def _error(s: Session) -> dict[str, str | None] | None:
    if s.error is None:
        return None
    return {"code": s.error.code, "message": s.error.message}


def _tappable(visible: list[Element], s: Session) -> list[str]:
    labels: list[str] = []
    for element in visible:
        if element.kind == "list":
            labels.extend(t.display_name for t in s.tokens)
        elif element.kind != "field":
            labels.append(element.label)
    return labels


def _fields(visible: list[Element], s: Session) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for element in visible:
        if element.kind == "field":
            value = s.form.get(element.label, "")
            text = value if isinstance(value, str) else ""
            fields[element.label] = s.rules.mask * len(text) if element.secret else text
        elif element.kind == "checkbox":
            fields[element.label] = s.form.get(element.label) is True
        elif element.kind == "toggle":
            fields[element.label] = "ON" if s.lock_form_on else "OFF"
    return fields


def _shown_token(shows: frozenset[str], s: Session) -> Token | None:
    if "deletion_target" in shows and s.marked is not None and s.marked < len(s.tokens):
        return s.tokens[s.marked]
    if "naming_target" in shows:
        return s.naming_token()
    if "token" in shows or "otp" in shows:
        return s.selected
    return None


def _token(token: Token) -> dict[str, str]:
    return {
        "name": token.display_name,
        "serial": token.serial,
        "expires": clock.format_date(token.expires),
        "start": clock.format_date(token.start),
    }


def _token_lines(token: Token, s: Session) -> list[str]:
    rules = s.rules
    return [
        rules.serial_format.replace("{serial}", token.serial),
        rules.expiry_format.replace("{date}", clock.format_date(token.expires)),
        rules.start_format.replace("{date}", clock.format_date(token.start)),
    ]


def _otp(shows: frozenset[str], s: Session) -> str | None:
    token = s.selected
    if "otp" not in shows or token is None or clock.is_expired(token.expires, s.today):
        # An expired token shows no password, also when it expires while shown (ASM-053).
        return None
    return s.password(token)


def _transaction(shows: frozenset[str], s: Session) -> dict[str, str] | None:
    if "transaction" not in shows or s.transaction is None:
        return None
    return dict(s.transaction.details)
