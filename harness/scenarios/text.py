"""Secrets kept out of reports, and the text of a replayable scenario.

A scenario's secrets are the values of its phrases' secret parameters (PINs, lock codes,
activation passwords) and whatever it types into a field the spec marks `secret: true`.
`Masker` replaces them with ●●●● wherever they stand alone (not inside a longer run of
letters or digits, so a one-digit code does not blot out error codes and dates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol

from harness.vocabulary.base import Phrase
from statechart.model import Spec

__all__ = ["MASK", "Masker", "replay_text", "scenario_secrets", "secret_fields"]

MASK: Final = "●●●●"
_WORD = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"


def secret_fields(spec: Spec) -> frozenset[str]:
    """The labels of the spec's secret input fields (PIN, アプリロックコード, …)."""
    return frozenset(
        element.label
        for state in spec.statechart.iter_states()
        for element in state.elements
        if element.kind == "field" and element.secret
    )


def scenario_secrets(
    matches: Iterable[tuple[Phrase, dict[str, object]]], fields: frozenset[str]
) -> frozenset[str]:
    """The secret values of a scenario's matched steps.

    Args:
        matches: Each step's phrase and parameters.
        fields: The secret field labels; a value typed into one (`field`/`value`) is secret.

    Returns:
        The non-empty secret values.
    """
    found: set[str] = set()
    for phrase, params in matches:
        found.update(str(params[name]) for name in phrase.secrets)
        if params.get("field") in fields and "value" in params:
            found.add(str(params["value"]))
    return frozenset(value for value in found if value)


class Masker:
    """Replaces secret values with ●●●● in text and in JSON-like data."""

    def __init__(self, secrets: Iterable[str]) -> None:
        ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
        alternatives = "|".join(re.escape(s) for s in ordered)
        self._pattern = (
            re.compile(f"(?<![{_WORD}])(?:{alternatives})(?![{_WORD}])") if ordered else None
        )

    def text(self, text: str) -> str:
        """The text with every standalone secret value masked."""
        return text if self._pattern is None else self._pattern.sub(MASK, text)

    def data(self, value: Any) -> Any:
        """A copy of JSON-like data with secrets masked in every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value


def _one_line(text: str) -> str:
    return " ".join(text.split())


class WrittenStep(Protocol):
    """A step as written: its keyword and text (a `Step`, or a run's step record)."""

    @property
    def keyword(self) -> str: ...

    @property
    def text(self) -> str: ...


def replay_text(
    *,
    location: str,
    feature_name: str,
    name: str,
    tags: Sequence[str],
    steps: Sequence[WrittenStep],
    observed: str,
    expected: str = "",
) -> str:
    """A feature file that replays a scenario's steps, ending with an `# 観測:` comment.

    Args:
        location: `path:line` of the scenario it replays.
        feature_name: The name of its feature.
        name: The scenario's name.
        tags: Its tags (without `@`).
        steps: The steps to replay (background first), already masked.
        observed: What was observed at the last step.
        expected: What the last step expected, if it says (a `# 期待:` comment before).

    Returns:
        The text, ending with a line break.
    """
    lines = [
        "# language: ja",
        f"# 再現: {location}",
        f"機能: {feature_name}",
        "",
    ]
    if tags:
        lines.append("  " + " ".join(f"@{tag}" for tag in tags))
    lines.append(f"  シナリオ: {name}")
    lines.extend(f"    {step.keyword} {step.text}" for step in steps)
    if expected:
        lines.append(f"    # 期待: {_one_line(expected)}")
    lines.append(f"    # 観測: {_one_line(observed)}")
    return "\n".join(lines) + "\n"
