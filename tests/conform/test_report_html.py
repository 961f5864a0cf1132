"""harness.reports.html: the report and the matrix as HTML; secrets stay out."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conform_helpers import SAMPLE, SECRET, CliRun, impl_command, served_label

from harness.reports.html import render_matrix, render_report, view_rows
from harness.reports.writers import DiagramsInfo, section_verdicts
from harness.run.conform import ConformOptions, ConformRun, conform
from statechart.model import Spec

WriteFeatures = Callable[..., Path]


class _Tags(HTMLParser):
    """Checks that every opened element is closed (a cheap well-formedness check)."""

    VOID = frozenset({"meta", "img", "br", "link", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def _well_formed(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    assert parser.open == []


def _render(spec: Spec, run: ConformRun) -> str:
    impl = run.runs[0]
    return render_report(spec, impl, section_verdicts(spec, impl), DiagramsInfo(False, "no"), "t")


@pytest.fixture
def failing(spec: Spec, features_dir: WriteFeatures) -> ConformRun:
    """The sample features on an implementation that always shows a closed app."""
    options = ConformOptions(
        impls=(impl_command("minimal_impl.py"),),
        features=(features_dir(SAMPLE),),
        differential=False,
        generated=False,
    )
    return conform(options, spec=spec)


class TestViewRows:
    def test_side_by_side_with_differences(self) -> None:
        rows = view_rows(
            {"app": "running", "screen": {"title": "設定"}, "elements": ["戻る"]},
            {"app": "closed", "screen": None, "elements": ["戻る"]},
        )
        shown = {row.field: (row.expected, row.observed, row.differs) for row in rows}
        assert shown["app"] == ("running", "closed", True)
        assert shown["screen"] == ('{"title": "設定"}', "null", True)
        assert shown["elements"] == ('["戻る"]', '["戻る"]', False)

    def test_objects_on_both_sides_are_compared_member_by_member(self) -> None:
        rows = view_rows({"screen": {"id": "a", "title": "T"}}, {"screen": {"id": "b"}})
        shown = [(row.field, row.expected, row.observed, row.differs) for row in rows]
        assert shown == [("screen.id", "a", "b", True), ("screen.title", "T", "—", True)]

    def test_no_view(self) -> None:
        assert view_rows(None, None) == []


class TestRenderReport:
    def test_the_shipped_run(self, spec: Spec, reference_run: CliRun) -> None:
        html = (reference_run.report / "report.html").read_text(encoding="utf-8")
        _well_formed(html)
        assert '<table class="sections">' in html
        for section in (s for s in spec.sections if s.in_scope):
            assert f"<td>{section.id}</td>" in html
        assert len(re.findall(r"generated at \d{4}-\d\d-\d\dT", html)) == 1
        if (reference_run.report / "diagrams" / "coverage.svg").exists():
            assert 'src="diagrams/coverage.svg"' in html and 'src="diagrams/overview.svg"' in html

    def test_a_failure_with_views_side_by_side_and_a_replay(
        self, spec: Spec, failing: ConformRun
    ) -> None:
        html = _render(spec, failing)
        _well_formed(html)
        assert 'id="failure-1"' in html and 'id="failure-2"' in html
        assert '<table class="views">' in html
        assert '<tr class="differs"><th>app</th><td>running</td><td>closed</td></tr>' in html
        assert '<pre class="replay"># language: ja' in html
        assert "# 観測: " in html

    def test_a_planted_secret_never_shows(self, spec: Spec, failing: ConformRun) -> None:
        html = _render(spec, failing)
        assert SECRET not in html
        assert "●●●●" in html

    def test_a_diagrams_note(self, spec: Spec, failing: ConformRun) -> None:
        assert "<p>no</p>" in _render(spec, failing)


class TestRenderMatrix:
    def test_the_two_implementations(self, matrix_run: CliRun) -> None:
        html = (matrix_run.report / "matrix.html").read_text(encoding="utf-8")
        _well_formed(html)
        assert '<a href="reference/report.html">' in html
        assert f'<a href="{served_label()}/report.html">' in html
        assert '<td class="pass">pass (' in html

    def test_rendered_from_a_run(self, spec: Spec, failing: ConformRun) -> None:
        impl = failing.runs[0]
        html = render_matrix(failing, {impl.label: section_verdicts(spec, impl)}, "t")
        assert '<td class="fail">fail (0/1)</td>' in html
        assert '<td class="not-covered">not covered</td>' in html
