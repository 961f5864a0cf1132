"""Collecting feature files: each scenario a pytest-bdd test, each problem a failing test.

A `.feature` file is parsed twice, once by pytest-bdd (which runs it) and once by
`harness.scenarios.gherkin` (which checks what pytest-bdd does not: the `# language: ja`
header, the `@section-…` and `@ASM-…` tags against the spec, names, step kinds) together
with `harness.vocabulary.check` (undefined steps with suggestions, late 前提). A problem
fails only the scenario it is in, located at file:line with the fix; a problem of the file
itself (it cannot be read, it has no language header) fails one test named after the file.
Every other scenario and file runs as usual.
"""

from __future__ import annotations

import os
import re
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import pytest
from pytest_bdd import feature as bdd_feature
from pytest_bdd import scenario as bdd_scenario
from pytest_bdd.exceptions import FeatureError, GherkinParseError
from pytest_bdd.gherkin_parser import GherkinDocument
from pytest_bdd.parser import Feature as BddFeature
from pytest_bdd.parser import FeatureParser

from harness.scenarios.feature import Feature, FeatureProblem, marker_name
from harness.scenarios.gherkin import read_feature_document
from harness.vocabulary.check import scenario_step_problems
from statechart.model import Spec

__all__ = ["FILE_TEST", "FeatureFile", "FeatureProblems"]

FILE_TEST: Final = "test_フィーチャファイル"
"""The name of the one test a feature file gets when it cannot be read as a whole."""

_NOT_A_NAME: Final = re.compile(r"\W+")


class FeatureProblems(Exception):
    """A scenario (or file) that cannot run as written: every problem, located."""

    def __init__(self, problems: Sequence[FeatureProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problem.format() for problem in self.problems))


class _Parsed(FeatureParser):
    """pytest-bdd's feature parser, given the document harness.scenarios.gherkin parsed:
    each file is parsed once (twice was half of collecting, in every pytest-xdist worker).
    Should pytest-bdd stop calling `_parse_feature_file`, it parses the file itself."""

    def __init__(self, path: Path, document: GherkinDocument) -> None:
        super().__init__(str(path.parent), path.name)
        self._document = document

    def _parse_feature_file(self) -> GherkinDocument:
        return self._document


def _bdd_feature(path: Path, document: GherkinDocument | None) -> BddFeature:
    """pytest-bdd's feature of the file, kept where its `scenario()` looks (get_feature)."""
    if document is None:
        return bdd_feature.get_feature(str(path.parent), path.name)
    full, cache = os.path.abspath(path), bdd_feature.features
    if full not in cache:
        cache[full] = _Parsed(path, document).parse()
    return cache[full]


def _at() -> None:
    """Stands for a line of a feature file (its code object is re-labelled per test)."""


def _placed(function: Callable[..., Any], path: Path, line: int) -> Callable[..., Any]:
    """Makes pytest report `function` at path:line (the scenario, not pytest-bdd's code)."""
    code = _at.__code__.replace(co_filename=str(path), co_firstlineno=max(line, 1))
    function.place_as = types.FunctionType(code, {})  # type: ignore[attr-defined]  # for pytest
    return function


def _failing(
    problems: Sequence[FeatureProblem], name: str = "", tags: Iterable[str] = ()
) -> Callable[[], None]:
    """A test that fails with the problems, marked with the scenario's tags (if any)."""

    def test() -> None:
        raise FeatureProblems(problems)

    test.otpspec_name = name  # type: ignore[attr-defined]  # read by harness.run.outcomes
    marked: Callable[[], None] = test
    for tag in tags:
        marked = getattr(pytest.mark, marker_name(tag))(marked)
    return marked


def _python_name(name: str, taken: set[str]) -> str:
    base = "test_" + (_NOT_A_NAME.sub("_", name).strip("_") or "scenario")
    chosen, number = base, 2
    while chosen in taken:
        chosen, number = f"{base}_{number}", number + 1
    taken.add(chosen)
    return chosen


class FeatureFile(pytest.Module):
    """A feature file, collected as a module of pytest-bdd scenario tests."""

    spec: Spec

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"otpspec_feature_{abs(hash(self.path))}")
        module.__file__ = str(self.path)
        self._tests: dict[str, Callable[..., Any]] = {}
        ours, problems, document = read_feature_document(self.path, self.spec)
        theirs = None
        try:  # not when ours refused the file: it may be a FIFO, or too large, to read
            if ours is not None:
                theirs = _bdd_feature(self.path, document)
        except (FeatureError, GherkinParseError, OSError, UnicodeError) as error:
            if not problems:
                problems = (FeatureProblem(str(self.path), 1, "", f"読めません: {error}"),)
        if ours is None or theirs is None:
            self._add(FILE_TEST, _placed(_failing(problems), self.path, 1))
        else:
            self._add_scenarios(ours, theirs, problems)
        for name, test in self._tests.items():
            test.__module__ = module.__name__
            setattr(module, name, test)
        return module

    def _add(self, name: str, test: Callable[..., Any]) -> None:
        test.__name__ = name
        self._tests[name] = test

    def _add_scenarios(
        self, ours: Feature, theirs: BddFeature, problems: Sequence[FeatureProblem]
    ) -> None:
        steps = [p for s in ours.scenarios for _, p in scenario_step_problems(s)]
        by_line = _problems_by_scenario(ours, theirs, [*problems, *steps])
        taken: set[str] = set()
        for template in theirs.scenarios.values():
            line = template.line_number
            found = by_line.pop(line, ())
            name = _python_name(template.name, taken)
            if found:
                tags = {*template.tags, *theirs.tags}
                test = _failing(found, template.name, sorted(tags))
            else:
                test = bdd_scenario(
                    str(self.path), template.name, features_base_dir=str(self.path.parent)
                )(_nothing)
            self._add(name, _placed(test, self.path, line))
        for line, found in sorted(by_line.items()):  # lost to a duplicate name, or the file's
            name = _python_name(f"{line}行目", taken)
            self._add(name, _placed(_failing(found), self.path, line))

    def istestfunction(self, obj: object, name: str) -> bool:
        """Our tests only, whatever `python_functions` the project's pytest config says."""
        return name in getattr(self, "_tests", {})


def _nothing() -> None:
    """The body of a scenario test: pytest-bdd runs the steps before calling it."""


def _problems_by_scenario(
    ours: Feature, theirs: BddFeature, problems: Iterable[FeatureProblem]
) -> dict[int, tuple[FeatureProblem, ...]]:
    """Each problem under the line of the scenario (template) it is in.

    A problem before the first scenario (the feature's tags, its 背景) concerns them all.
    """
    starts = sorted(t.line_number for t in theirs.scenarios.values())
    ours_starts = sorted({s.outline_line or s.line for s in ours.scenarios})
    starts = sorted(set(starts) | set(ours_starts))
    grouped: dict[int, list[FeatureProblem]] = {}
    for problem in dict.fromkeys(problems):
        before = [line for line in starts if line <= problem.line]
        owners = [before[-1]] if before else starts
        for owner in owners:
            grouped.setdefault(owner, []).append(problem)
    return {line: tuple(found) for line, found in grouped.items()}
