"""The parts every phrase of the step library is made of (see harness/vocabulary/phrases.py).

A `Phrase` is data: its kind (前提/もし/ならば), a `parse` pattern with 「」 quotes, an
example sentence, a one-line doc, and the handler that carries it out on a `StepContext`.
Handlers signal a missed expectation with `StepFailed` and a step that cannot be carried
out as written (contradictory 前提, a name the spec lacks) with `StepError`; the context
raises `Refused` when the implementation refuses a request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

import parse  # type: ignore[import-untyped]  # parse ships no py.typed marker

from harness.scenarios.feature import StepKind

if TYPE_CHECKING:
    from harness.vocabulary.facts import Facts
    from statechart.model import Spec

__all__ = [
    "KIND_KEYWORDS",
    "Handler",
    "Phrase",
    "PhraseBook",
    "StepContext",
    "View",
    "describe_view",
    "to_int",
]

View = dict[str, Any]
Handler = Callable[..., None]

KIND_KEYWORDS: Final[dict[StepKind, str]] = {"given": "前提", "when": "もし", "then": "ならば"}

_FULL_WIDTH_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")


def to_int(text: str) -> int:
    """Reads a count written with half-width or full-width digits (`12`, `１２`)."""
    return int(text.translate(_FULL_WIDTH_DIGITS))


def describe_view(view: View) -> str:
    """Says in one line where the app is: screen, dialog, error (`アプリは終了している`)."""
    if view.get("app") == "closed":
        return "アプリは終了している"
    screen = view.get("screen") or {}
    parts = [f"画面「{screen.get('title')}」"]
    dialog = view.get("dialog")
    if dialog:
        text = f"「{dialog.get('text')}」" if dialog.get("text") else ""
        parts.append(f"ダイアログ{text} [{'/'.join(dialog.get('buttons') or [])}]")
    error = view.get("error")
    if error:
        parts.append(f"エラー {error.get('code') or '(コードなし)'}「{error.get('message')}」")
    return "、".join(parts)


class _Type:
    """A `parse` field type: the regex it matches and how its text is converted."""

    def __init__(self, pattern: str, convert: Callable[[str], object]) -> None:
        self.pattern = pattern
        self.regex_group_count = 0
        self._convert = convert

    def __call__(self, text: str) -> object:
        return self._convert(text)


def _quoted_list(text: str) -> tuple[str, ...]:
    return tuple(text[1:-1].split("」「"))


# `{x:Q}` is the text between 「」 (may be empty), `{n:N}` a count (full-width digits too),
# `{x:Name}` a word without quotes or spaces, `{x:QList}` 「a」「b」… as a tuple.
_TYPES: Final[dict[str, _Type]] = {
    "Q": _Type(r"[^「」]*", str),
    "N": _Type(r"[0-9０-９]+", to_int),
    "Name": _Type(r"[^「」\s]*", str),
    "QList": _Type(r"(?:「[^「」]*」)+", _quoted_list),
}


@functools.cache
def _compiled(pattern: str) -> Any:
    return parse.compile(pattern, extra_types=_TYPES)


class StepContext(Protocol):
    """What a handler may use: the fixture facts, the implementation, what was seen."""

    spec: Spec
    facts: Facts
    typed: dict[str, str]
    """The last value typed into each field (by label)."""
    otp_mark: str | None
    """The password seen when a ならば step last looked at the password."""

    def send(self, op: str, **args: Any) -> View:
        """Sends one request; raises Refused when the implementation refuses it."""
        ...

    def view(self) -> View:
        """Observes the view now."""
        ...


@dataclass(frozen=True)
class Phrase:
    """One step of the library.

    Attributes:
        kind: `given` (前提), `when` (もし) or `then` (ならば).
        pattern: A `parse` format; `{x:Q}` is quoted text, `{n:N}` a count.
        example: A sentence the pattern matches (shown by `otpspec steps` and suggestions).
        handler: Called as `handler(context, **params)`.
        doc: What the step does, in one line.
        secrets: Parameters whose values are secrets, masked in every report.
    """

    kind: StepKind
    pattern: str
    example: str
    handler: Handler = field(compare=False, repr=False)
    doc: str = ""
    secrets: tuple[str, ...] = ()

    def parse(self, text: str) -> dict[str, object] | None:
        """Returns the parameters when `text` matches the whole pattern, else None."""
        result = _compiled(self.pattern).parse(text)
        if not isinstance(result, parse.Result):
            return None
        return dict(result.named)

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the pattern's fields, in order (`service`, `n`, …)."""
        return tuple(_compiled(self.pattern).named_fields)

    @property
    def keyword(self) -> str:
        """前提, もし or ならば."""
        return KIND_KEYWORDS[self.kind]


@dataclass
class PhraseBook:
    """Collects phrases of one kind in order, with a decorator per phrase."""

    kind: StepKind
    phrases: list[Phrase] = field(default_factory=list)

    def add(
        self, pattern: str, example: str, doc: str, *, secrets: Iterable[str] = ()
    ) -> Callable[[Handler], Handler]:
        """Registers the decorated function as the handler of a phrase."""

        def register(handler: Handler) -> Handler:
            phrase = Phrase(self.kind, pattern, example, handler, doc, tuple(secrets))
            self.phrases.append(phrase)
            return handler

        return register

    def same(self, pattern: str, example: str, doc: str, handler: Handler) -> None:
        """Registers one more phrase for an existing handler (a second wording)."""
        self.phrases.append(Phrase(self.kind, pattern, example, handler, doc))
