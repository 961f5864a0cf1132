"""Feature files as typed data: features, scenarios, steps, tags, and what is wrong in them.

The frozen dataclasses the harness runs and reports on, read from the Japanese feature
files by `harness.scenarios.gherkin`. Tags are kept without `@`: `@section-…` names the
manual section a scenario checks and `@ASM-…` the assumption it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "ASSUMPTION_TAG",
    "NOT_ASSUMPTION_TAG",
    "SECTION_TAG",
    "Feature",
    "FeatureInvalid",
    "FeatureProblem",
    "Scenario",
    "Step",
    "StepKind",
    "marker_name",
]

StepKind = Literal["given", "when", "then"]

SECTION_TAG: Final = "section-"
ASSUMPTION_TAG: Final = "ASM-"
NOT_ASSUMPTION_TAG: Final = "not-ASM-"
"""`@not-ASM-063`: the scenario's expectations hold by the manual even where the spec's item
rests on ASM-063 (docs/grading.md, "Features"), so breaking them is a fail."""

_NOT_IN_A_MARKER: Final = re.compile(r"[^\w.\-]")


def marker_name(tag: str) -> str:
    """The pytest marker of a tag, usable in `-m`: `section-3.9.1`, `ASM-012`; characters
    a marker expression cannot hold become `_` (`section-操作について_Android_`)."""
    return _NOT_IN_A_MARKER.sub("_", tag)


@dataclass(frozen=True)
class FeatureProblem:
    """One thing wrong in a feature file: where, the offending text, what to do."""

    path: str
    line: int
    text: str
    message: str

    def format(self) -> str:
        """Returns `path:line: message: 「text」`."""
        return f"{self.path}:{self.line}: {self.message}: 「{self.text}」"


class FeatureInvalid(Exception):
    """Feature files that cannot be run; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[FeatureProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problem.format() for problem in self.problems))


@dataclass(frozen=True)
class Step:
    """One step; `kind` is inherited by かつ/しかし/* from the step before."""

    keyword: str
    text: str
    line: int
    kind: StepKind


@dataclass(frozen=True)
class Scenario:
    """One runnable scenario (an outline row is one scenario, `example_row` its values).

    `background` holds the feature's (and rule's) 背景 steps, run before `steps`; `line` is
    the example row's line for an outline row, else the scenario's.
    """

    feature_path: str
    name: str
    line: int
    tags: tuple[str, ...]
    steps: tuple[Step, ...]
    example_row: dict[str, str] | None = None
    feature_name: str = ""
    background: tuple[Step, ...] = ()
    outline_line: int | None = None

    @property
    def all_steps(self) -> tuple[Step, ...]:
        """The background steps followed by the scenario's own."""
        return self.background + self.steps

    @property
    def sections(self) -> tuple[str, ...]:
        """The section ids of its `@section-…` tags."""
        return tuple(t.removeprefix(SECTION_TAG) for t in self.tags if t.startswith(SECTION_TAG))

    @property
    def assumptions(self) -> tuple[str, ...]:
        """The assumption ids of its `@ASM-…` tags."""
        return tuple(t for t in self.tags if t.startswith(ASSUMPTION_TAG))

    @property
    def disclaimed(self) -> tuple[str, ...]:
        """The assumption ids of its `@not-ASM-…` tags (expectations the manual makes alone)."""
        return tuple(t.removeprefix("not-") for t in self.tags if t.startswith(NOT_ASSUMPTION_TAG))

    @property
    def location(self) -> str:
        """`path:line`."""
        return f"{self.feature_path}:{self.line}"


@dataclass(frozen=True)
class Feature:
    """A parsed feature file (tags without `@`)."""

    path: str
    name: str
    line: int
    tags: tuple[str, ...]
    background_steps: tuple[Step, ...]
    scenarios: tuple[Scenario, ...]
