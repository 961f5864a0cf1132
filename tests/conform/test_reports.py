"""harness.reports.writers: JUnit, Cucumber JSON, results JSON, traceability, matrix, writing."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conform_helpers import SAMPLE, UNDEFINED, CliRun, served_label

from harness.reports.writers import (
    DiagramsInfo,
    cucumber_json,
    junit_xml,
    matrix_md,
    render_diagrams,
    results_data,
    run_outcome,
    section_verdicts,
    traceability_data,
    traceability_md,
    write_atomic,
    write_reports,
)
from harness.run.conform import ConformOptions, ConformRun, ImplRun, conform
from statechart.model import Spec

WriteFeatures = Callable[..., Path]


@pytest.fixture
def sample(spec: Spec, features_dir: WriteFeatures) -> ConformRun:
    """The sample features (one pass, one wrong expectation) and an undefined step."""
    options = ConformOptions(
        features=(features_dir(SAMPLE, UNDEFINED),), differential=False, generated=False
    )
    return conform(options, spec=spec)


def _results(report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return data


class TestSectionVerdicts:
    def test_pass_fail_and_not_covered(self, spec: Spec, sample: ConformRun) -> None:
        verdicts = {v.section.id: v.verdict for v in section_verdicts(spec, sample.runs[0])}
        assert (verdicts["2.1"], verdicts["3.1.2"], verdicts["2.2"]) == ("pass", "fail", "fail")
        assert verdicts["3.3"] == "not covered"
        in_scope = {s.id for s in spec.sections if s.in_scope}
        assert in_scope <= set(verdicts)


class TestJunitXml:
    def test_one_testcase_per_scenario_with_sections(self, sample: ConformRun) -> None:
        root = ET.fromstring(junit_xml(sample.runs[0]))
        cases = [c for c in root.iter("testcase") if c.get("classname") != "otpspec"]
        assert len(cases) == 3
        assert all(c.get("classname", "").endswith(".feature") for c in cases)
        failed = next(c for c in cases if c.get("name") == "わざと間違えた期待")
        failure = failed.find("failure")
        assert failure is not None
        assert failure.get("message") == sample.runs[0].scenarios[1].result.message
        sections = [p.get("value") for p in failed.iter("property") if p.get("name") == "section"]
        assert sections == ["3.1.2"]

    def test_the_shipped_run_parses(self, reference_run: CliRun) -> None:
        root = ET.parse(reference_run.report / "junit.xml").getroot()
        assert root.tag == "testsuites" and root.get("failures") == "0"
        skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
        assert [c.get("name") for c in skipped] == ["generated checks"]


class TestCucumberJson:
    def test_undefined_steps_are_kept(self, sample: ConformRun) -> None:
        documents = cucumber_json(sample.runs[0], sample.features)
        steps = [s for d in documents for e in d["elements"] for s in e["steps"]]
        statuses = [s["result"]["status"] for s in steps]
        assert "undefined" in statuses and "failed" in statuses and "skipped" not in statuses[:2]
        undefined = next(s for s in steps if s["result"]["status"] == "undefined")
        assert undefined["name"] == "踊る" and "error_message" in undefined["result"]

    def test_features_elements_steps(self, reference_run: CliRun) -> None:
        documents = json.loads((reference_run.report / "cucumber.json").read_text("utf-8"))
        assert all({"uri", "name", "elements", "keyword"} <= set(d) for d in documents)
        scenario = next(e for d in documents for e in d["elements"] if e["type"] == "scenario")
        assert {"name", "line", "steps", "tags", "keyword"} <= set(scenario)
        assert all(isinstance(s["result"].get("duration", 0), int) for s in scenario["steps"])


class TestResultsData:
    def test_schema(self, reference_run: CliRun) -> None:
        data = _results(reference_run.report)
        assert data["format"] == "otpspec-conform-results/1"
        assert data["implementation"]["name"] == "otpspec-reference"
        assert data["ok"] is True and data["summary"]["failed"] == 0
        scenario = data["scenarios"][0]
        assert {"feature", "scenario", "line", "status", "steps", "sections"} <= set(scenario)
        assert data["generated"]["status"] == "not run"
        assert data["differential"]["status"] == "passed"
        coverage = data["coverage"]
        assert 0 < coverage["covered"] <= coverage["total"]
        assert set(coverage["transitions"].values()) <= {"covered", "failing"}
        assert {"scenarios", "differential", "total"} <= set(data["timings"])
        assert data["traceability"]["sections"]

    def test_built_from_a_run(self, spec: Spec, sample: ConformRun) -> None:
        run = sample.runs[0]
        data = results_data(spec, run, section_verdicts(spec, run), DiagramsInfo(False, "n"), "t")
        assert data["summary"] == {"passed": 1, "failed": 1, "skipped": 0, "undefined": 1}
        assert data["diagrams"] == {"rendered": False, "note": "n", "files": []}


class TestTraceability:
    def test_every_in_scope_section_is_listed(self, spec: Spec, reference_run: CliRun) -> None:
        text = (reference_run.report / "traceability.md").read_text(encoding="utf-8")
        for section in (s for s in spec.sections if s.in_scope):
            assert f"\n## {section.id} {section.title} — " in text
        assert "\nGaps: " in text

    def test_gaps_come_first(self, spec: Spec, sample: ConformRun) -> None:
        run = sample.runs[0]
        verdicts = section_verdicts(spec, run)
        text = traceability_md(run, verdicts)
        gaps = text.index("Gaps: ")
        assert gaps < text.index("\n## ") and "- 3.3 トークンを追加する" in text[gaps:]
        data = traceability_data(verdicts)
        assert "3.3" in data["gaps"] and "2.1" not in data["gaps"]

    def test_no_gaps_says_none(self, spec: Spec, sample: ConformRun) -> None:
        run = sample.runs[0]
        covered = [v for v in section_verdicts(spec, run) if v.scenarios]
        assert "Gaps: none" in traceability_md(run, covered)


class TestMatrixMd:
    def test_implementations_by_sections(self, matrix_run: CliRun) -> None:
        text = (matrix_run.report / "matrix.md").read_text(encoding="utf-8")
        assert f"| section | reference | {served_label()} |" in text
        assert "| 2.1 ワンタイムパスワードを表示する | pass (" in text

    def test_an_implementation_that_did_not_start(self, sample: ConformRun) -> None:
        broken = ImplRun("nothing", "nothing", start_failure="refused_start: no")
        both = ConformRun(sample.spec, sample.features, (*sample.runs, broken))
        verdicts = {run.label: section_verdicts(sample.spec, run) for run in both.runs}
        text = matrix_md(both, verdicts)
        assert "| fail (0/1) | did not start |" in text
        assert "could not start: refused_start: no" in text


class TestRunOutcome:
    def test_counts(self, sample: ConformRun) -> None:
        assert run_outcome(sample.runs[0]) == (
            "otpspec-reference 4.1.0: 1 passed, 1 failed, 1 undefined"
        )


class TestWriteAtomic:
    def test_replaces_and_leaves_no_temporary(self, tmp_path: Path) -> None:
        target = tmp_path / "a.txt"
        target.write_text("old")
        write_atomic(target, "新しい")
        assert target.read_text(encoding="utf-8") == "新しい"
        assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
        assert target.stat().st_mode & 0o044  # readable by others, unlike mkstemp's 0600

    def test_a_failure_keeps_the_old_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        target = tmp_path / "a.txt"
        target.write_text("old")

        def refuse(source: str, destination: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", refuse)
        with pytest.raises(OSError):
            write_atomic(target, "new")
        assert target.read_text() == "old"
        assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


class TestRenderDiagrams:
    def test_the_overlay_and_overview(self, reference_run: CliRun) -> None:
        diagrams = reference_run.report / "diagrams"
        if not (diagrams / "overview.svg").exists():
            pytest.skip("diagrams were not rendered here (no Japanese font or Graphviz)")
        assert (diagrams / "coverage.svg").exists()
        assert list(diagrams.glob("procedure-*.svg"))
        assert not list(reference_run.report.glob(".diagrams-*"))

    def test_a_missing_font_is_a_note(
        self, spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from harness.diagrams import draw as diagrams
        from harness.diagrams.draw import FontReport

        monkeypatch.setattr(diagrams, "font_check", lambda: FontReport("IPAPGothic", "", ()))
        info = render_diagrams(spec, tmp_path, {})
        assert not info.rendered and "fonts-ipafont-gothic" in info.note
        assert not (tmp_path / "diagrams").exists()
        assert list(tmp_path.iterdir()) == []


class TestWriteReports:
    def test_one_implementation_writes_into_the_directory(
        self, sample: ConformRun, tmp_path: Path
    ) -> None:
        written = write_reports(sample, tmp_path, diagrams=False)
        assert {p.name for p in written} == {
            "junit.xml",
            "cucumber.json",
            "results.json",
            "traceability.md",
            "coverage.json",
            "report.html",
        }
        assert all(p.parent == tmp_path for p in written)

    def test_several_write_subdirectories_and_the_matrix(self, matrix_run: CliRun) -> None:
        names = {p.name for p in matrix_run.report.iterdir()}
        assert {"reference", served_label(), "matrix.md", "matrix.html"} <= names
        assert (matrix_run.report / "reference" / "report.html").exists()
