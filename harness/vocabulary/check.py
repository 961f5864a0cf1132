"""Checking a feature's steps against the step library, before anything runs.

A step that no phrase reads is undefined: its message names the nearest phrases (and the
right keyword when the sentence is a phrase of another kind). A 前提 after the first もし or
ならば is refused: 前提 describe the app's starting state, sent as one `reset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from harness.scenarios.feature import Feature, FeatureProblem, Scenario, Step
from harness.vocabulary.phrases import match_any, match_step, suggest

__all__ = ["LATE_GIVEN", "check_steps", "scenario_step_problems", "undefined_message"]

LATE_GIVEN: Final = (
    "前提は最初の「もし」「ならば」より前に書いてください (前提はアプリの初期状態です)"
)


def undefined_message(step: Step) -> str:
    """Says that no phrase matches a step, with the nearest phrases and a wrong kind."""
    message = f"未定義のステップ: {step.keyword} {step.text}"
    other = match_any(step.text)
    if other is not None:
        message += f" (これは「{other.keyword}」のステップです)"
    nearest = suggest(step.text, step.kind)
    if nearest:
        message += " もしかして: " + " / ".join(nearest)
    return message + "。`otpspec steps` で使える文を一覧できます"


def scenario_step_problems(scenario: Scenario) -> Iterator[tuple[str, FeatureProblem]]:
    """The undefined steps and late 前提 of one scenario, each with what it is."""
    path = scenario.feature_path
    acted = False
    for step in scenario.all_steps:
        if match_step(step.text, step.kind) is None:
            yield "undefined", FeatureProblem(path, step.line, step.text, undefined_message(step))
        if step.kind == "given" and acted:
            yield "late", FeatureProblem(path, step.line, step.text, LATE_GIVEN)
        acted = acted or step.kind != "given"


def check_steps(features: Iterable[Feature]) -> tuple[FeatureProblem, ...]:
    """Finds undefined steps and 前提 after もし/ならば, without running anything.

    An outline's step is reported once, for its first row.
    """
    problems: list[FeatureProblem] = []
    for feature in features:
        seen: set[tuple[int, str]] = set()
        for scenario in feature.scenarios:
            for what, problem in scenario_step_problems(scenario):
                if (problem.line, what) not in seen:
                    seen.add((problem.line, what))
                    problems.append(problem)
    return tuple(problems)
