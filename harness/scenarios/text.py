"""The text of a replayable scenario: a feature file that runs a scenario's steps again.

Steps are shown as written: the test data a scenario needs (a PIN it types, a lock code its
前提 set) is not a person's secret, and a replay that hides it does not replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["WrittenStep", "replay_text"]


_OPENERS = ("前提", "もし", "ならば")


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
    previous = ""
    for step in steps:
        # The background's last 前提 and the scenario's first one join into one run.
        keyword = "かつ" if step.keyword == previous and previous in _OPENERS else step.keyword
        lines.append(f"    {keyword} {step.text}")
        if step.keyword not in ("かつ", "しかし", "*"):
            previous = step.keyword
    if expected:
        lines.append(f"    # 期待: {_one_line(expected)}")
    lines.append(f"    # 観測: {_one_line(observed)}")
    return "\n".join(lines) + "\n"
