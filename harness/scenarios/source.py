"""A feature file being read: its lines, the problems found so far, its tags and steps.

The parts of a parsed Gherkin document that features, rules and scenarios share (tags and
step lists) are turned into typed data here and checked as they are read: tags against
the spec's section and assumption ids, steps for a first step that says its kind and for
tables or doc strings the vocabulary cannot take. Every problem is recorded, not raised,
so one read reports them all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from harness.scenarios.feature import (
    ASSUMPTION_TAG,
    NOT_ASSUMPTION_TAG,
    SECTION_TAG,
    FeatureProblem,
    Step,
    StepKind,
)

if TYPE_CHECKING:
    # Types only: harness.scenarios.gherkin is the one module that runs pytest-bdd's parser.
    from pytest_bdd.gherkin_parser import Background as GBackground
    from pytest_bdd.gherkin_parser import Step as GStep
    from pytest_bdd.gherkin_parser import Tag as GTag

__all__ = ["FeatureFile", "read_background", "read_steps", "read_tags"]

_KINDS: Final[dict[str, StepKind]] = {"Context": "given", "Action": "when", "Outcome": "then"}


@dataclass
class FeatureFile:
    """One file being read: its path, lines and the problems found so far."""

    path: str
    lines: list[str]
    known_sections: Collection[str]
    known_assumptions: Collection[str]
    problems: list[FeatureProblem] = field(default_factory=list)

    def problem(self, line: int, message: str, text: str | None = None) -> None:
        """Records a problem; the text defaults to the file's line."""
        shown = self.line_text(line) if text is None else text
        self.problems.append(FeatureProblem(self.path, line, shown, message))

    def line_text(self, line: int) -> str:
        """The stripped text of a 1-based line ('' past the end)."""
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""


def read_tags(file: FeatureFile, tags: Iterable[GTag]) -> tuple[str, ...]:
    """Returns the tags without `@`; records section and assumption ids the spec lacks."""
    names: list[str] = []
    for tag in tags:
        name = tag.name.removeprefix("@")
        _check_tag(file, tag.location.line, name)
        names.append(name)
    return tuple(names)


def _check_tag(file: FeatureFile, line: int, name: str) -> None:
    if name.startswith(SECTION_TAG) and name.removeprefix(SECTION_TAG) not in file.known_sections:
        file.problem(
            line,
            f"節「{name.removeprefix(SECTION_TAG)}」は spec/sections.yaml にありません。"
            "既存の節 id を使ってください (例: @section-3.9.1, @section-ディスプレイの見かた)",
            "@" + name,
        )
    elif name.startswith(NOT_ASSUMPTION_TAG) and name[4:] not in file.known_assumptions:
        file.problem(
            line,
            f"前提事項「{name[4:]}」は spec/assumptions.yaml にありません。@not- のあとには既存の"
            " id を書いてください (例: @not-ASM-063)",
            "@" + name,
        )
    elif name.startswith(ASSUMPTION_TAG) and name not in file.known_assumptions:
        file.problem(
            line,
            f"前提事項「{name}」は spec/assumptions.yaml にありません。既存の id を使ってください"
            " (例: @ASM-012)",
            "@" + name,
        )


def read_steps(file: FeatureFile, steps: Sequence[GStep]) -> tuple[Step, ...]:
    """Returns the steps typed by kind (かつ/しかし/* take the kind of the step before).

    Records a first step without a kind, and tables or doc strings, as problems.
    """
    result: list[Step] = []
    kind: StepKind | None = None
    for step in steps:
        line = step.location.line
        kind = _KINDS.get(step.keyword_type, kind)
        if kind is None:
            file.problem(line, "最初のステップは「前提」「もし」「ならば」のどれかで始めてください")
            kind = "given"
        if step.datatable is not None or step.docstring is not None:
            file.problem(
                line, "表と複数行テキストは使えません。値はステップの「」の中に書いてください"
            )
        result.append(Step(step.keyword, step.text, line, kind))
    return tuple(result)


def read_background(file: FeatureFile, background: GBackground | None) -> tuple[Step, ...]:
    """Returns a 背景's steps, checked as any steps (none without a 背景)."""
    return () if background is None else read_steps(file, background.steps)
