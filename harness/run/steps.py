"""The step library as pytest-bdd step definitions: one per phrase of harness.vocabulary.

Importing this module defines one pytest-bdd step fixture per phrase, in this module's
namespace (pytest-bdd puts a step definition where it is declared); the plugin registers the
module only when an otpspec run is enabled, so installing otpspec leaves other pytest runs
alone. Each definition's parser is the phrase's own `parse` pattern. Where two phrases could
read the same sentence, the first in the library wins, as `otpspec steps` lists them:
`is_matching` asks the library which phrase a sentence is.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from pytest_bdd import step as bdd_step
from pytest_bdd.parsers import StepParser

from harness.run.context import ScenarioContext
from harness.scenarios.feature import StepKind
from harness.vocabulary import PHRASES, Phrase, match_step

__all__ = ["CONTEXT_FIXTURE", "PhraseParser", "phrase_of"]

CONTEXT_FIXTURE = "otpspec_scenario"
"""The fixture every step definition asks for: the scenario's `ScenarioContext`."""


@functools.lru_cache(maxsize=8192)
def phrase_of(text: str, kind: StepKind) -> Phrase | None:
    """The phrase a step's text is, for its kind (cached: scenarios repeat their sentences)."""
    found = match_step(text, kind)
    return None if found is None else found[0]


class PhraseParser(StepParser):
    """A phrase's `parse` pattern, as pytest-bdd's parser of its step definition."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(phrase.pattern)
        self.phrase = phrase

    def parse_arguments(self, name: str) -> dict[str, Any] | None:
        """The phrase's parameters in the sentence, or None."""
        return self.phrase.parse(name)

    def is_matching(self, name: str) -> bool:
        """True if the sentence is this phrase (the library's first match for it)."""
        return phrase_of(name, self.phrase.kind) is self.phrase


def _definition(phrase: Phrase) -> Callable[..., None]:
    """The step function of a phrase: runs it on the scenario's context."""

    def run(**arguments: Any) -> None:
        context: ScenarioContext = arguments.pop(CONTEXT_FIXTURE)
        context.run_current(phrase, arguments)

    # pytest-bdd passes the parsed values the function names and asks pytest for the rest
    # (positional parameters without a default are fixtures).
    fixture = inspect.Parameter(CONTEXT_FIXTURE, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    values = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in phrase.fields]
    run.__signature__ = inspect.Signature([fixture, *values])  # type: ignore[attr-defined]
    run.__name__ = f"step_{phrase.kind}"
    run.__doc__ = f"{phrase.keyword} {phrase.example} — {phrase.doc}"
    return run


for _phrase in PHRASES:
    bdd_step(PhraseParser(_phrase), _phrase.kind)(_definition(_phrase))
