"""The step library: every sentence a feature file may use, as data.

QA writes feature files from these phrases without Python; `otpspec steps` lists them.
Each `Phrase` has a kind (前提/もし/ならば), a `parse` pattern with 「」 quotes, an example
and a doc; `match_step` finds the phrase of a step and `suggest` the nearest ones.
The phrases live in given.py and given_device.py (前提), when.py (もし), then.py,
then_app.py and then_values.py (ならば).
"""

from __future__ import annotations

import difflib
import re
from typing import Final

from harness.scenarios.feature import StepKind
from harness.vocabulary.base import KIND_KEYWORDS, Phrase
from harness.vocabulary.given import GIVEN_PHRASES
from harness.vocabulary.given_device import GIVEN_DEVICE_PHRASES
from harness.vocabulary.then import THEN_PHRASES
from harness.vocabulary.then_app import THEN_APP_PHRASES
from harness.vocabulary.then_values import THEN_VALUE_PHRASES
from harness.vocabulary.when import WHEN_PHRASES

__all__ = ["KIND_KEYWORDS", "PHRASES", "Phrase", "match_any", "match_step", "suggest"]

PHRASES: Final[tuple[Phrase, ...]] = (
    *GIVEN_PHRASES,
    *GIVEN_DEVICE_PHRASES,
    *WHEN_PHRASES,
    *THEN_PHRASES,
    *THEN_APP_PHRASES,
    *THEN_VALUE_PHRASES,
)
"""Every phrase: 前提, then もし, then ならば, each in the order they are listed."""

SUGGESTIONS: Final = 3
_CUTOFF: Final = 0.3
_QUOTED = re.compile(r"「[^「」]*」")
_FIELD = re.compile(r"\{[^{}]*\}")
_NUMBER = re.compile(r"[0-9０-９]+")


def match_step(text: str, kind: StepKind) -> tuple[Phrase, dict[str, object]] | None:
    """Finds the phrase of a step.

    Args:
        text: The step's text, without its keyword.
        kind: `given`, `when` or `then` (かつ/しかし have the kind of the step before).

    Returns:
        The phrase and its parameters, or None when no phrase of that kind matches.
    """
    for phrase in PHRASES:
        if phrase.kind == kind:
            params = phrase.parse(text)
            if params is not None:
                return phrase, params
    return None


def match_any(text: str) -> Phrase | None:
    """The first phrase of any kind that matches `text` (to say a step has the wrong kind)."""
    return next((phrase for phrase in PHRASES if phrase.parse(text) is not None), None)


def _score(text: str, phrase: Phrase) -> float:
    # Values differ from scenario to scenario, so the words around them count most.
    words = _NUMBER.sub("", _QUOTED.sub("「」", text))
    skeleton = _FIELD.sub("", phrase.pattern)
    by_words = difflib.SequenceMatcher(None, words, skeleton).ratio()
    by_example = difflib.SequenceMatcher(None, text, phrase.example).ratio()
    return max(by_words, by_example)


def suggest(text: str, kind: StepKind) -> list[str]:
    """The examples of the phrases of `kind` nearest to `text`, best first (at most 3)."""
    scored = [(_score(text, phrase), phrase.example) for phrase in PHRASES if phrase.kind == kind]
    scored.sort(key=lambda item: -item[0])
    return [example for score, example in scored[:SUGGESTIONS] if score >= _CUTOFF]
