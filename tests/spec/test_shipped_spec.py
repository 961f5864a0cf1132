"""The shipped spec/ is valid, covers every in-scope section, and holds every code of 4.3."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from repo_paths import MANUAL

from statechart.checks import check_spec, coverage
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec
from statechart.registry import ACTIONS, GUARDS

_CODE = r"(?:A[0-9A-Z]{3}|S[0-9][A-Z][0-9])"
_RANGE = re.compile(rf"({_CODE})\s*～\s*({_CODE})")
_SINGLE = re.compile(rf"(?<![0-9A-Z])({_CODE})(?![0-9A-Z])")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(DEFAULT_SPEC_DIR)


def _expand(first: str, last: str) -> list[str]:
    """`A006`～`A010` → A006 … A010 (the common prefix, then a numeric tail)."""
    prefix = 0
    while first[prefix] == last[prefix]:
        prefix += 1
    while not first[prefix:].isdigit():
        prefix += 1
    width = len(first) - prefix
    start, stop = int(first[prefix:]), int(last[prefix:])
    return [f"{first[:prefix]}{n:0{width}d}" for n in range(start, stop + 1)]


def manual_codes(text: str) -> set[str]:
    """Every code printed in the manual's 4.3 error table, ranges expanded."""
    table = text[text.index("4.3 エラー表示一覧") :]
    codes = {code for m in _RANGE.finditer(table) for code in _expand(m.group(1), m.group(2))}
    codes.update(m.group(1) for m in _SINGLE.finditer(table))
    return codes


class TestShippedSpec:
    def test_validates_with_the_implemented_guards_and_actions(self, spec: Spec) -> None:
        problems = check_spec(spec, GUARDS, ACTIONS, manual=MANUAL)
        assert [p.format() for p in problems] == []

    def test_covers_every_in_scope_section(self, spec: Spec) -> None:
        report = coverage(spec)
        assert report.uncovered == ()
        assert report.percent == 100.0


class TestManualCodes:
    def test_range_expansion(self) -> None:
        assert _expand("A006", "A010") == ["A006", "A007", "A008", "A009", "A010"]
        assert _expand("AA17", "AA19") == ["AA17", "AA18", "AA19"]

    def test_every_code_of_the_manual_table_is_in_the_catalogue(self, spec: Spec) -> None:
        manual = Path(MANUAL)
        assert manual.is_file(), f"the manual belongs in the repository: {manual}"
        printed = manual_codes(manual.read_text(encoding="utf-8"))
        assert len(printed) == 85
        assert printed - spec.error_codes() == set()

    def test_the_codeless_message_is_an_entry(self, spec: Spec) -> None:
        entry = next(e for e in spec.errors if e.code == "OTHER-APP")
        assert entry.message.startswith("他のアプリで利用開始しているため")
