"""The reports of a run, from its records: verdict per section, coverage, files put in place
whole, HTML, traceability and the matrix."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.reports.html import render_matrix, render_report, view_rows
from harness.reports.matrix import load_summary, matrix_md
from harness.reports.publish import MANIFEST, ReportDirError, publish
from harness.reports.results import report_files, results_data
from harness.reports.summary import (
    DiagramsInfo,
    Implementation,
    RunSummary,
    coverage_of,
    section_verdicts,
    summarize,
)
from harness.reports.traceability import traceability_md
from harness.run.records import ItemRecord, StepRecord
from statechart.model import Spec

REFERENCE = Implementation("reference", "reference", "otpspec-reference", "4.1.0")


def _record(
    name: str,
    sections: tuple[str, ...],
    verdict: str = "pass",
    clauses: tuple[str, ...] = (),
    kind: str = "scenario",
    steps: tuple[StepRecord, ...] = (),
    transitions: tuple[tuple[str, ...], ...] = (),
) -> ItemRecord:
    return ItemRecord.from_json(
        {
            "nodeid": f"x.feature::{name}",
            "kind": kind,
            "name": name,
            "path": "x.feature",
            "line": 3,
            "feature": "f",
            "sections": list(sections),
            "verdict": verdict,
            "clauses": list(clauses),
            "steps": [step.to_json() for step in steps],
            "transitions": [list(t) for t in transitions],
        }
    )


class TestSectionVerdicts:
    def test_one_bug_makes_one_section_red(self, spec: Spec) -> None:
        # A generated check that passes through 3.3 and 3.4 but breaks on 3.4 only.
        records = [
            _record("G001", ("3.3", "3.4", "2.1"), "fail", ("3.4",), kind="generated"),
            _record("adds a token", ("3.3",)),
        ]
        verdicts = {v.section.id: v.status for v in section_verdicts(spec, records)}
        assert verdicts["3.4"] == "fail"
        assert verdicts["3.3"] == "pass"
        assert verdicts["2.1"] == "pass"
        assert verdicts["3.5"] == "not covered"

    def test_the_worst_breaking_verdict_wins(self, spec: Spec) -> None:
        records = [
            _record("a", ("3.8",), "deviation", ("3.8",)),
            _record("b", ("3.8",), "error", ("3.8",)),
        ]
        (verdict,) = [v for v in section_verdicts(spec, records) if v.section.id == "3.8"]
        assert verdict.status == "error"
        assert verdict.cell.startswith("error (0/2; ")


class TestCoverageOf:
    def test_passed_steps_cover_and_failed_steps_fail(self) -> None:
        steps = (
            StepRecord("もし", "起動する", 2, "passed"),
            StepRecord("ならば", "見る", 3, "failed"),
            StepRecord("かつ", "見ない", 4, "skipped"),
        )
        record = _record(
            "a", ("2.1",), "fail", steps=steps, transitions=(("t#0",), ("t#1",), ("t#2",))
        )
        other = _record("b", ("2.1",), steps=steps[:1], transitions=(("t#1",),))
        assert coverage_of([record, other]) == {"t#0": "covered", "t#1": "failing"}


class TestPublish:
    def test_replaces_the_files_and_removes_the_last_runs_leftovers(self, tmp_path: Path) -> None:
        publish({"a.txt": "one", "diagrams/x.svg": b"<svg/>"}, tmp_path)
        publish({"a.txt": "two"}, tmp_path)
        assert (tmp_path / "a.txt").read_text() == "two"
        assert not (tmp_path / "diagrams" / "x.svg").exists()
        assert json.loads((tmp_path / MANIFEST).read_text()) == ["a.txt"]
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".otpspec-new")] == []

    def test_a_file_that_cannot_be_written_changes_nothing(self, tmp_path: Path) -> None:
        publish({"a.txt": "one"}, tmp_path)
        (tmp_path / "b.txt").mkdir()  # a directory where a report file must go
        with pytest.raises(ReportDirError):
            publish({"a.txt": "two", "b.txt": "x"}, tmp_path)
        assert (tmp_path / "a.txt").read_text() == "one"

    def test_files_the_user_put_there_stay(self, tmp_path: Path) -> None:
        (tmp_path / "notes.txt").write_text("mine")
        publish({"a.txt": "one"}, tmp_path)
        publish({"b.txt": "two"}, tmp_path)
        assert (tmp_path / "notes.txt").read_text() == "mine"


def _summary(spec: Spec, *records: ItemRecord) -> RunSummary:
    return summarize(spec, REFERENCE, records)


class TestHtml:
    def test_views_side_by_side(self) -> None:
        rows = view_rows({"screen": {"title": "A"}, "otp": "1"}, {"screen": {"title": "B"}})
        assert [(r.field, r.expected, r.observed, r.differs) for r in rows] == [
            ("screen.title", "A", "B", True),
            ("otp", "1", "—", True),
        ]

    def test_a_failure_shows_its_verdict_clauses_views_and_replay(self, spec: Spec) -> None:
        failed = StepRecord(
            "ならば", "「設定」画面が表示される", 9, "failed",
            view={"screen": {"title": "<b>ワンタイムパスワード</b>"}},
            expected_view={"screen": {"title": "設定"}},
            expected="画面「設定」", observed="画面「ワンタイムパスワード」",
        )  # fmt: skip
        record = _record("わざと", ("3.1.2",), "fail", ("3.1.2",), steps=(failed,))
        record = ItemRecord.from_json({**record.to_json(), "replay": "# language: ja\n機能: x\n"})
        html = render_report(spec, _summary(spec, record), DiagramsInfo(False, "off"), "now")
        assert "fail: わざと" in html
        assert "clauses: 3.1.2" in html
        assert "&lt;b&gt;ワンタイムパスワード&lt;/b&gt;" in html and "<b>ワンタイム" not in html
        assert 'class="differs"' in html
        assert "# language: ja" in html

    def test_the_matrix(self, spec: Spec) -> None:
        ok = _summary(spec, _record("a", ("2.1",)))
        down = summarize(spec, Implementation("x", "x", start_failure="boom"), ())
        html = render_matrix(spec, [ok, down], "now")
        assert "did not start" in html and "pass (1/1)" in html


class TestResultsAndMatrix:
    def test_results_json_reads_back_into_the_same_summary(
        self, spec: Spec, tmp_path: Path
    ) -> None:
        summary = _summary(spec, _record("a", ("2.1",)), _record("b", ("3.4",), "fail", ("3.4",)))
        files = report_files(spec, summary, diagrams=False)
        assert set(files) == {"results.json", "report.html", "traceability.md", "coverage.json"}
        (tmp_path / "results.json").write_text(str(files["results.json"]), encoding="utf-8")
        again = load_summary(spec, tmp_path / "results.json")
        assert again is not None
        assert again.counts == summary.counts == {
            "pass": 1, "fail": 1, "deviation": 0, "not applicable": 0, "error": 0,
        }  # fmt: skip
        data = results_data(summary, DiagramsInfo(False, "off"), "now")
        assert data["ok"] is False and data["summary"]["total"] == 2
        assert "| 3.4 " in matrix_md(spec, [summary, again])

    def test_an_interrupted_run_says_so_everywhere_and_is_not_ok(
        self, spec: Spec, tmp_path: Path
    ) -> None:
        passed = _record("a", ("2.1",))
        cut = ItemRecord.from_json({**_record("b", ("3.4",)).to_json(), "verdict": "error"})
        summary = summarize(spec, REFERENCE, (passed, cut), interrupted=True)
        assert not summary.ok
        assert summary.line() == (
            "otpspec-reference 4.1.0: 1 pass, 1 error; interrupted: the run so far"
        )
        files = report_files(spec, summary, diagrams=False)
        data = json.loads(str(files["results.json"]))
        assert (data["interrupted"], data["ok"]) == (True, False)
        assert 'id="interrupted"' in str(files["report.html"])
        (tmp_path / "results.json").write_text(str(files["results.json"]), encoding="utf-8")
        again = load_summary(spec, tmp_path / "results.json")
        assert again is not None and again.interrupted
        assert "interrupted: the run so far" in matrix_md(spec, [again])
        assert "interrupted: the run so far" in render_matrix(spec, [again], "now")
        whole = summarize(spec, REFERENCE, (passed,))
        assert whole.ok and "interrupted" not in whole.line()
        assert 'id="interrupted"' not in render_report(
            spec, whole, DiagramsInfo(False, "off"), "now"
        )

    def test_traceability_lists_gaps_first(self, spec: Spec) -> None:
        text = traceability_md(_summary(spec, _record("a", ("2.1",))))
        lines = text.splitlines()
        assert lines[4].startswith("Gaps: ")
        assert "## 2.1 " in text and "- x.feature:3 a — pass" in text


def test_a_missing_results_file_is_no_summary(spec: Spec, tmp_path: Path) -> None:
    assert load_summary(spec, tmp_path / "results.json") is None
    (tmp_path / "results.json").write_text("{}")
    assert load_summary(spec, tmp_path / "results.json") is None
    assert os.path.exists(tmp_path / "results.json")
