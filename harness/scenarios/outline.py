"""From a parsed Gherkin document to scenarios: rules, backgrounds, outline rows expanded.

A ルール's tags and 背景 add to the feature's; a シナリオアウトライン becomes one scenario per
example row, its `<placeholders>` filled from the row. Names are checked on the way:
pytest-bdd keeps only the last of two scenarios with one name, and two outline rows with
the same values would run the same scenario twice. Every scenario needs a section tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from harness.scenarios.feature import SECTION_TAG, Feature, Scenario, Step
from harness.scenarios.source import FeatureFile, read_background, read_steps, read_tags

if TYPE_CHECKING:
    # Types only: harness.scenarios.gherkin is the one module that runs pytest-bdd's parser.
    from pytest_bdd.gherkin_parser import ExamplesTable, GherkinDocument
    from pytest_bdd.gherkin_parser import Rule as GRule
    from pytest_bdd.gherkin_parser import Scenario as GScenario

__all__ = ["document_feature"]

_PLACEHOLDER = re.compile(r"<([^<>]+)>")


def document_feature(file: FeatureFile, document: GherkinDocument) -> Feature:
    """Returns the typed feature of a parsed document; its problems are recorded in `file`.

    Args:
        file: The file being read, whose problems list collects what is wrong.
        document: pytest-bdd's parse of that file.

    Returns:
        The feature with every scenario and outline row, problems or not: the caller
        decides whether a feature with problems is kept.
    """
    data = document.feature
    tags = read_tags(file, data.tags)
    background: tuple[Step, ...] = ()
    scenarios: list[Scenario] = []
    context = _Context(file, data.name, tags)
    for child in data.children:
        if child.background is not None:
            background = read_background(file, child.background)
        elif child.scenario is not None:
            scenarios.extend(context.expand(child.scenario, background, ()))
        elif child.rule is not None:
            scenarios.extend(_rule_scenarios(context, child.rule, background))
    context.check_names(scenarios)
    return Feature(file.path, data.name, data.location.line, tags, background, tuple(scenarios))


def _rule_scenarios(
    context: _Context, rule: GRule, background: tuple[Step, ...]
) -> Iterator[Scenario]:
    """A ルール's scenarios: its tags and 背景 add to the feature's."""
    tags = read_tags(context.file, rule.tags)
    for child in rule.children:
        if child.background is not None:
            background = background + read_background(context.file, child.background)
        elif child.scenario is not None:
            yield from context.expand(child.scenario, background, tags)


@dataclass
class _Context:
    """Expands the scenarios of one feature and checks their names and tags."""

    file: FeatureFile
    feature_name: str
    feature_tags: tuple[str, ...]
    template_names: dict[str, int] = field(default_factory=dict)

    def expand(
        self, data: GScenario, background: tuple[Step, ...], rule_tags: tuple[str, ...]
    ) -> Iterator[Scenario]:
        """Yields the scenario, or one scenario per example row of an outline."""
        line = data.location.line
        self._check_template_name(data.name, line)
        tags = (*self.feature_tags, *rule_tags, *read_tags(self.file, data.tags))
        steps = read_steps(self.file, data.steps)
        if not steps:
            self.file.problem(line, "ステップがありません。前提・もし・ならば を書いてください")
        if not data.examples:
            self._check_section(tags, line)
            yield self._scenario(data.name, line, tags, steps, background)
            return
        yield from self._rows(data, tags, steps, background)

    def _rows(
        self,
        data: GScenario,
        tags: tuple[str, ...],
        steps: tuple[Step, ...],
        background: tuple[Step, ...],
    ) -> Iterator[Scenario]:
        rows = 0
        for table in data.examples:
            table_tags = (*tags, *read_tags(self.file, table.tags))
            self._check_section(table_tags, data.location.line)
            for row_line, row in _table_rows(table):
                rows += 1
                yield self._row(data, table_tags, steps, background, row_line, row)
        if rows == 0:
            self.file.problem(
                data.location.line, "例 (Examples) に行がありません。値の行を書いてください"
            )

    def _row(
        self,
        data: GScenario,
        tags: tuple[str, ...],
        steps: tuple[Step, ...],
        background: tuple[Step, ...],
        row_line: int,
        row: dict[str, str],
    ) -> Scenario:
        rendered = tuple(
            Step(s.keyword, self._render(s.text, row, s.line), s.line, s.kind) for s in steps
        )
        name = f"{self._render(data.name, row, data.location.line)} [{_row_label(row)}]"
        scenario = self._scenario(name, row_line, tags, rendered, background)
        return replace(scenario, example_row=dict(row), outline_line=data.location.line)

    def _scenario(
        self,
        name: str,
        line: int,
        tags: tuple[str, ...],
        steps: tuple[Step, ...],
        background: tuple[Step, ...],
    ) -> Scenario:
        return Scenario(
            feature_path=self.file.path,
            name=name,
            line=line,
            tags=tuple(dict.fromkeys(tags)),
            steps=steps,
            feature_name=self.feature_name,
            background=background,
        )

    def _render(self, text: str, row: dict[str, str], line: int) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in row:
                columns = "、".join(row) or "(なし)"
                self.file.problem(
                    line, f"<{name}> に当たる列が例にありません (列: {columns})。列を足してください"
                )
                return match.group(0)
            return row[name]

        return _PLACEHOLDER.sub(substitute, text)

    def _check_template_name(self, name: str, line: int) -> None:
        first = self.template_names.setdefault(name, line)
        if first != line:
            self.file.problem(
                line,
                f"同じ名前のシナリオが {first} 行目にもあります"
                " (pytest-bdd は最後の1つしか残しません)。名前を変えてください",
            )

    def _check_section(self, tags: tuple[str, ...], line: int) -> None:
        if not any(tag.startswith(SECTION_TAG) for tag in tags):
            self.file.problem(
                line,
                "節のタグがありません。マニュアルの節をタグで書いてください (例: @section-2.1)",
            )

    def check_names(self, scenarios: Sequence[Scenario]) -> None:
        """Reports expanded outline rows that end up with the same name."""
        seen: dict[str, int] = {}
        for scenario in scenarios:
            first = seen.setdefault(scenario.name, scenario.line)
            if first != scenario.line and scenario.example_row is not None:
                self.file.problem(
                    scenario.line,
                    f"例の行が {first} 行目と同じです。行の値を変えるか消してください",
                )


def _table_rows(table: ExamplesTable) -> Iterator[tuple[int, dict[str, str]]]:
    if table.table_header is None:
        return
    names = [cell.value for cell in table.table_header.cells]
    for row in table.table_body or []:
        values = [cell.value or "" for cell in row.cells]
        yield row.location.line, dict(zip(names, values, strict=True))


def _row_label(row: dict[str, str]) -> str:
    return ", ".join(value if value else "(空)" for value in row.values())
