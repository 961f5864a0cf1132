"""Japanese Gherkin feature files, parsed by pytest-bdd and checked, as typed data.

pytest-bdd is used only to parse (`pytest_bdd.gherkin_parser`, which wraps the official
Gherkin parser); its step binding is not used. The parsed document is turned into frozen
dataclasses here, at the boundary, and checked: the `# language: ja` header, unique scenario
names (pytest-bdd keeps only the last of two with one name), explicit first steps, and the
`@section-…` / `@ASM-…` tags against the spec. Outlines are expanded, one Scenario per row.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal

from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.gherkin_parser import Background as GBackground
from pytest_bdd.gherkin_parser import ExamplesTable, GherkinDocument, get_gherkin_document
from pytest_bdd.gherkin_parser import Rule as GRule
from pytest_bdd.gherkin_parser import Scenario as GScenario
from pytest_bdd.gherkin_parser import Step as GStep
from pytest_bdd.gherkin_parser import Tag as GTag

from statechart.model import Spec

__all__ = [
    "ASSUMPTION_TAG",
    "SECTION_TAG",
    "Feature",
    "FeatureInvalid",
    "FeatureProblem",
    "Scenario",
    "Step",
    "StepKind",
    "feature_files",
    "load_features",
    "marker_name",
    "read_feature",
]

StepKind = Literal["given", "when", "then"]

SECTION_TAG: Final = "section-"
ASSUMPTION_TAG: Final = "ASM-"

_NOT_IN_A_MARKER: Final = re.compile(r"[^\w.\-]")


def marker_name(tag: str) -> str:
    """The pytest marker of a tag, usable in `-m`: `section-3.9.1`, `ASM-012`; characters
    a marker expression cannot hold become `_` (`section-操作について_Android_`)."""
    return _NOT_IN_A_MARKER.sub("_", tag)


_KINDS: Final[dict[str, StepKind]] = {"Context": "given", "Action": "when", "Outcome": "then"}
_LANGUAGE = re.compile(r"#\s*language\s*:\s*(\S+)\s*$")
_PLACEHOLDER = re.compile(r"<([^<>]+)>")
_GHERKIN_ERROR = re.compile(r"^\((\d+):\d+\): (.*)$")
_FEATURE_KEYWORDS: Final = ("機能:", "フィーチャ:")


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


@dataclass
class _File:
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


def feature_files(paths: Iterable[str | Path]) -> list[Path]:
    """Returns the `.feature` files named by `paths` (directories searched recursively)."""
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(sorted(path.rglob("*.feature")) if path.is_dir() else [path])
    return found


def load_features(paths: Iterable[str | Path], spec: Spec | None = None) -> tuple[Feature, ...]:
    """Parses and checks feature files.

    Args:
        paths: Feature files or directories holding them.
        spec: The spec whose section and assumption ids tags may name (default: spec/).

    Returns:
        The features, in path order.

    Raises:
        FeatureInvalid: With every problem of every file.
    """
    if spec is None:
        from statechart.loader import DEFAULT_SPEC_DIR, load_spec

        spec = load_spec(DEFAULT_SPEC_DIR)
    features: list[Feature] = []
    problems: list[FeatureProblem] = []
    for path in feature_files(paths):
        feature, found = read_feature(path, spec)
        problems.extend(found)
        if feature is not None and not found:
            features.append(feature)
    if problems:
        raise FeatureInvalid(problems)
    return tuple(features)


def read_feature(path: str | Path, spec: Spec) -> tuple[Feature | None, tuple[FeatureProblem, ...]]:
    """Parses and checks one feature file, keeping what could be read.

    Args:
        path: The feature file.
        spec: The spec whose section and assumption ids tags may name.

    Returns:
        The feature (None when the file cannot be read as one) and its problems, each once.
    """
    file = _File(str(path), [], spec.section_ids(), spec.assumption_ids())
    feature = _read(file, Path(path))
    return feature, tuple(dict.fromkeys(file.problems))  # outline rows repeat their problems


def _read(file: _File, path: Path) -> Feature | None:
    try:
        file.lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError) as error:
        why = f"読めません ({type(error).__name__})。UTF-8 の .feature ファイルを指定してください"
        file.problem(1, why, "")
        return None
    if not _has_language(file):
        return None
    if not any(line.lstrip().startswith(_FEATURE_KEYWORDS) for line in file.lines):
        file.problem(1, "「機能:」がありません。`機能: <名前>` を書いてください", "")
        return None
    document = _parse(file)
    if document is None:
        return None
    return _feature(file, document)


def _has_language(file: _File) -> bool:
    for number, line in enumerate(file.lines, start=1):
        stripped = line.strip()
        match = _LANGUAGE.match(stripped)
        if match and match.group(1) == "ja":
            return True
        if match:
            file.problem(number, "言語が ja ではありません。`# language: ja` にしてください")
            return False
        if stripped and not stripped.startswith("#"):
            break
    file.problem(1, "1行目に `# language: ja` がありません。ファイルの先頭に書いてください")
    return False


def _parse(file: _File) -> GherkinDocument | None:
    try:
        return get_gherkin_document(file.path)
    except GherkinParseError as error:
        _parse_problems(file, error)
    return None


def _parse_problems(file: _File, error: GherkinParseError) -> None:
    found = False
    for line in str(error.__cause__ or "").splitlines():
        match = _GHERKIN_ERROR.match(line.strip())
        if match:
            found = True
            hint = "キーワード (機能, 背景, シナリオ, 前提, もし, ならば, かつ) を確認してください"
            file.problem(
                int(match.group(1)), f"Gherkin として読めません ({match.group(2)}); {hint}"
            )
    if not found:
        file.problem(error.line, f"Gherkin として読めません: {error.message}", error.line_content)


def _tags(file: _File, tags: Iterable[GTag]) -> tuple[str, ...]:
    names: list[str] = []
    for tag in tags:
        name = tag.name.removeprefix("@")
        _check_tag(file, tag.location.line, name)
        names.append(name)
    return tuple(names)


def _check_tag(file: _File, line: int, name: str) -> None:
    if name.startswith(SECTION_TAG) and name.removeprefix(SECTION_TAG) not in file.known_sections:
        file.problem(
            line,
            f"節「{name.removeprefix(SECTION_TAG)}」は spec/sections.yaml にありません。"
            "既存の節 id を使ってください (例: @section-3.9.1, @section-ディスプレイの見かた)",
            "@" + name,
        )
    elif name.startswith(ASSUMPTION_TAG) and name not in file.known_assumptions:
        file.problem(
            line,
            f"前提事項「{name}」は spec/assumptions.yaml にありません。既存の id を使ってください"
            " (例: @ASM-012)",
            "@" + name,
        )


def _steps(file: _File, steps: Sequence[GStep]) -> tuple[Step, ...]:
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


def _background(file: _File, background: GBackground | None) -> tuple[Step, ...]:
    return () if background is None else _steps(file, background.steps)


def _feature(file: _File, document: GherkinDocument) -> Feature:
    data = document.feature
    tags = _tags(file, data.tags)
    background: tuple[Step, ...] = ()
    scenarios: list[Scenario] = []
    context = _Context(file, data.name, tags)
    for child in data.children:
        if child.background is not None:
            background = _background(file, child.background)
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
    tags = _tags(context.file, rule.tags)
    for child in rule.children:
        if child.background is not None:
            background = background + _background(context.file, child.background)
        elif child.scenario is not None:
            yield from context.expand(child.scenario, background, tags)


@dataclass
class _Context:
    """Expands the scenarios of one feature and checks their names and tags."""

    file: _File
    feature_name: str
    feature_tags: tuple[str, ...]
    template_names: dict[str, int] = field(default_factory=dict)

    def expand(
        self, data: GScenario, background: tuple[Step, ...], rule_tags: tuple[str, ...]
    ) -> Iterator[Scenario]:
        """Yields the scenario, or one scenario per example row of an outline."""
        line = data.location.line
        self._check_template_name(data.name, line)
        tags = (*self.feature_tags, *rule_tags, *_tags(self.file, data.tags))
        steps = _steps(self.file, data.steps)
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
            table_tags = (*tags, *_tags(self.file, table.tags))
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
