"""The reports of one implementation's run: results.json, report.html, traceability.md,
coverage.json and the diagrams with the coverage overlay, all built from one `RunSummary`
and put in place together (harness.reports.publish)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from harness.reports.html import render_report
from harness.reports.publish import publish
from harness.reports.summary import DiagramsInfo, RunSummary
from harness.reports.traceability import traceability_data, traceability_md
from statechart.model import Spec

__all__ = [
    "RESULTS_FORMAT",
    "report_files",
    "results_data",
    "write_reports",
]

RESULTS_FORMAT: Final = "otpspec-conform-results/2"


def _coverage_data(summary: RunSummary) -> dict[str, Any]:
    statuses = list(summary.coverage.values())
    return {
        "total": summary.total_transitions,
        "covered": statuses.count("covered"),
        "failing": statuses.count("failing"),
        "transitions": dict(summary.coverage),
    }


def results_data(summary: RunSummary, diagrams: DiagramsInfo, now: str) -> dict[str, Any]:
    """Everything about one implementation's run as JSON-ready data."""
    counts = summary.counts
    return {
        "format": RESULTS_FORMAT,
        "generated_at": now,
        "implementation": summary.implementation.as_dict(),
        "ok": summary.ok,
        "interrupted": summary.interrupted,
        "strict": summary.strict,
        "alarms": [dict(alarm) for alarm in summary.alarms],
        "summary": {**counts, "total": sum(counts.values())},
        "items": [record.to_json() for record in summary.records],
        "sections": [v.as_dict() for v in summary.sections],
        "traceability": traceability_data(summary),
        "coverage": _coverage_data(summary),
        "diagrams": diagrams.as_dict(),
        "run": dict(summary.extra),
    }


def _json(data: Any) -> str:
    """JSON with one top-level key, and one item of a list, per line.

    json's C encoder serves only unindented output; indenting a whole run's results took
    about 2 s of the report's 2.2 s when every step kept its view, and still costs most of
    the report's time for a run that fails.
    """
    if not isinstance(data, dict):
        return json.dumps(data, ensure_ascii=False, default=str) + "\n"

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)

    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            inner = ",\n".join(f"    {dump(item)}" for item in value)
            lines.append(f"  {dump(key)}: [\n{inner}\n  ]")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _diagrams(spec: Spec, coverage: Mapping[str, str]) -> tuple[DiagramsInfo, dict[str, bytes]]:
    """The diagrams as SVG with the coverage overlay, or why there are none."""
    from harness.diagrams.draw import RenderFailure, render_all

    with tempfile.TemporaryDirectory(prefix="otpspec-diagrams-") as scratch:
        try:
            written = render_all(spec, Path(scratch), coverage, formats=("svg",))
        except (RenderFailure, OSError) as error:
            return DiagramsInfo(False, f"diagrams not rendered: {error}"), {}
        files = {f"diagrams/{path.name}": path.read_bytes() for path in written}
    shown = tuple(name for name in files if name.endswith(".svg"))
    return DiagramsInfo(True, f"{len(shown)} diagrams rendered", shown), files


def report_files(
    spec: Spec, summary: RunSummary, *, diagrams: bool = True, now: datetime | None = None
) -> dict[str, str | bytes]:
    """Every report file of one run: relative path → content."""
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    info = DiagramsInfo(False, "diagrams not rendered: turned off")
    pictures: dict[str, bytes] = {}
    if diagrams and not summary.implementation.start_failure:
        info, pictures = _diagrams(spec, summary.coverage)
    files: dict[str, str | bytes] = {
        "results.json": _json(results_data(summary, info, stamp)),
        "traceability.md": traceability_md(summary),
        "coverage.json": _json(dict(summary.coverage)),
        "report.html": render_report(spec, summary, info, stamp),
    }
    files.update(pictures)
    return files


def write_reports(
    spec: Spec, summary: RunSummary, report_dir: Path, *, diagrams: bool = True
) -> list[Path]:
    """Writes one run's reports into `report_dir`, all at once.

    Raises:
        ReportDirError: The directory cannot be written (nothing is changed).
    """
    return publish(report_files(spec, summary, diagrams=diagrams), report_dir)
