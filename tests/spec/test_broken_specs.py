"""The broken-spec corpus: each case is located exactly, and nothing else is reported."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from spec_helpers import (
    BROKEN_DIR,
    MINIMAL_ACTIONS,
    MINIMAL_CONTRACTS,
    MINIMAL_DIR,
    MINIMAL_GUARDS,
    problems_of,
)

from statechart.problems import Problem
from statechart.yamlio import load_yaml

CASES = sorted(path.name for path in BROKEN_DIR.iterdir() if path.is_dir())


@dataclass(frozen=True)
class Expected:
    """One expected problem of a broken case."""

    file: str
    line: int
    column: int | None
    message: str

    def matches(self, problem: Problem) -> bool:
        where = problem.location
        return (
            Path(where.file).name == self.file
            and where.line == self.line
            and (self.column is None or where.column == self.column)
            and self.message in problem.message
        )


def _expected(case: Path) -> tuple[list[Expected], dict[str, frozenset[str]]]:
    loaded = load_yaml(case / "expected.yaml")
    assert not loaded.problems, [problem.format() for problem in loaded.problems]
    data = loaded.data or {}
    raw_problems = data.get("problems")
    assert isinstance(raw_problems, list)
    expected = [
        Expected(
            file=str(item["file"]),
            line=int(item["line"]),
            column=int(item["column"]) if "column" in item else None,
            message=str(item["message"]),
        )
        for item in raw_problems
    ]
    registry = data.get("registry") or {}
    assert isinstance(registry, dict)
    names = {key: frozenset(map(str, value)) for key, value in registry.items()}
    return expected, names


def _overlay(case: Path, target: Path) -> Path:
    shutil.copytree(MINIMAL_DIR, target)
    for file in case.iterdir():
        if file.name != "expected.yaml":
            shutil.copyfile(file, target / file.name)
    return target


def test_every_case_has_expectations() -> None:
    for case in CASES:
        assert (BROKEN_DIR / case / "expected.yaml").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_broken_case_is_located(case: str, tmp_path: Path) -> None:
    case_dir = BROKEN_DIR / case
    expected, registry = _expected(case_dir)
    spec_dir = _overlay(case_dir, tmp_path / "spec")
    guards = registry.get("guards", MINIMAL_GUARDS)
    actions = registry.get("actions", MINIMAL_ACTIONS)
    contracts = registry.get("contracts", MINIMAL_CONTRACTS)
    errors = [p for p in problems_of(spec_dir, guards, actions, contracts) if p.is_error]
    shown = "\n".join(problem.format() for problem in errors)
    for item in expected:
        assert any(item.matches(problem) for problem in errors), f"missing {item}\ngot:\n{shown}"
    assert len(errors) == len(expected), f"unexpected problems:\n{shown}"
