"""The reports of `otpspec conform`: JUnit XML, Cucumber JSON, results JSON, traceability,
the conformance matrix, the coverage file and the diagrams, each file written atomically.

One implementation's reports go to the report directory; with several, each goes to a
subdirectory named by its label and `matrix.html` / `matrix.md` go to the top. Every text is
built before the first file is written, and each file is written to a temporary file in
its directory and then moved into place, so a failure leaves no file half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from harness.run.conform import ConformRun, ImplRun, ScenarioRun
from harness.scenarios.gherkin import Feature
from statechart.model import Section, Spec

__all__ = [
    "REPORT_FILES",
    "DiagramsInfo",
    "SectionVerdict",
    "Verdict",
    "cucumber_json",
    "junit_xml",
    "matrix_md",
    "render_diagrams",
    "results_data",
    "run_outcome",
    "section_verdicts",
    "traceability_data",
    "traceability_md",
    "write_atomic",
    "write_reports",
]

Verdict = Literal["pass", "fail", "not covered"]
REPORT_FILES: Final = (
    "junit.xml",
    "cucumber.json",
    "results.json",
    "traceability.md",
    "coverage.json",
    "report.html",
)
_RESULTS_FORMAT: Final = "otpspec-conform-results/1"
_CUCUMBER_STATUS: Final = {"error": "failed"}
_NANOSECONDS: Final = 1_000_000_000


@dataclass(frozen=True)
class SectionVerdict:
    """A manual section's verdict on one implementation, and the evidence for it.

    Attributes:
        section: The section (sections.yaml).
        verdict: `fail` if a scenario or check involving it failed, else `pass` if a
            scenario covers it, else `not covered`.
        scenarios: Its scenarios (tagged `@section-<id>`).
        findings: Checks whose failures involve it (`differential check`, …).
    """

    section: Section
    verdict: Verdict
    scenarios: tuple[ScenarioRun, ...]
    findings: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        """How many of its scenarios passed."""
        return sum(1 for run in self.scenarios if run.passed)

    @property
    def cell(self) -> str:
        """`pass (3/3)`, `fail (2/3)`, `fail (3/3; differential check)`, `not covered`."""
        if self.verdict == "not covered":  # no scenario, and no check failed there
            return "not covered"
        found = "; ".join([f"{self.passed}/{len(self.scenarios)}", *self.findings])
        return f"{self.verdict} ({found})"

    def as_dict(self) -> dict[str, Any]:
        """The verdict and its scenarios as JSON-ready data."""
        return {
            "id": self.section.id,
            "title": self.section.title,
            "in_scope": self.section.in_scope,
            "verdict": self.verdict,
            "passed": self.passed,
            "total": len(self.scenarios),
            "findings": list(self.findings),
            "scenarios": [_scenario_ref(run) for run in self.scenarios],
        }


def _scenario_ref(run: ScenarioRun) -> dict[str, Any]:
    result = run.result
    return {"location": result.location, "name": result.name, "status": result.status}


def section_verdicts(spec: Spec, run: ImplRun) -> tuple[SectionVerdict, ...]:
    """The verdict of every in-scope section, and of out-of-scope ones that have scenarios."""
    checks = (run.generated, run.differential)
    verdicts: list[SectionVerdict] = []
    for section in spec.sections:
        scenarios = tuple(s for s in run.scenarios if section.id in s.scenario.sections)
        if not section.in_scope and not scenarios:
            continue
        findings = tuple(
            c.name for c in checks if c.status == "failed" and section.id in c.sections
        )
        verdict: Verdict = "not covered" if not scenarios else "pass"
        if findings or any(not s.passed for s in scenarios):
            verdict = "fail"
        verdicts.append(SectionVerdict(section, verdict, scenarios, findings))
    return tuple(verdicts)


# ---- JUnit XML


def _junit_case(run: ScenarioRun) -> ET.Element:
    result = run.result
    case = ET.Element(
        "testcase",
        name=result.name,
        classname=result.feature_path,
        file=result.feature_path,
        line=str(result.line),
        time=f"{result.duration:.6f}",
    )
    properties = ET.SubElement(case, "properties")
    for section in run.scenario.sections:
        ET.SubElement(properties, "property", name="section", value=section)
    for assumption in run.scenario.assumptions:
        ET.SubElement(properties, "property", name="assumption", value=assumption)
    if result.status != "passed":
        tag = "error" if result.status == "error" else "failure"
        problem = ET.SubElement(case, tag, message=result.message, type=result.status)
        detail = result.replay()
        if run.failure is not None and run.failure.stderr_tail:
            detail += f"\n--- stderr (tail) ---\n{run.failure.stderr_tail}\n"
        problem.text = detail
    return case


def _junit_suite(name: str, cases: Sequence[ET.Element], seconds: float) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.find("failure") is not None)),
        errors=str(sum(1 for c in cases if c.find("error") is not None)),
        skipped=str(sum(1 for c in cases if c.find("skipped") is not None)),
        time=f"{seconds:.6f}",
    )
    suite.extend(cases)
    return suite


def _junit_checks(run: ImplRun) -> ET.Element:
    cases: list[ET.Element] = []
    for check in (run.generated, run.differential):
        case = ET.Element(
            "testcase", name=check.name, classname="otpspec", time=f"{check.seconds:.6f}"
        )
        if check.status == "not run":
            ET.SubElement(case, "skipped", message=check.summary)
        elif check.status == "failed":
            failure = ET.SubElement(case, "failure", message=check.summary, type="failed")
            failure.text = "\n\n".join(str(f.get("gherkin") or f) for f in check.failures)
        cases.append(case)
    return _junit_suite(
        "otpspec checks", cases, sum(c.seconds for c in (run.generated, run.differential))
    )


def junit_xml(run: ImplRun) -> str:
    """One testsuite per feature file and one testcase per scenario, then the checks."""
    root = ET.Element("testsuites", name=f"otpspec conform: {run.impl}")
    properties = ET.SubElement(root, "properties")
    for name, value in (
        ("implementation", run.name),
        ("version", run.version),
        ("command", run.impl),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    by_file: dict[str, list[ScenarioRun]] = {}
    for scenario in run.scenarios:
        by_file.setdefault(scenario.result.feature_path, []).append(scenario)
    for path, runs in by_file.items():
        seconds = sum(r.result.duration for r in runs)
        root.append(_junit_suite(path, [_junit_case(r) for r in runs], seconds))
    root.append(_junit_checks(run))
    suites = list(root.iter("testsuite"))
    for total in ("tests", "failures", "errors", "skipped"):
        root.set(total, str(sum(int(suite.get(total, "0")) for suite in suites)))
    root.set("time", f"{run.timings.get('total', 0.0):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---- Cucumber JSON


def _slug(text: str) -> str:
    return "-".join(text.lower().split()) or "-"


def _cucumber_step(run: ScenarioRun, index: int) -> dict[str, Any]:
    step = run.result.steps[index]
    result: dict[str, Any] = {"status": _CUCUMBER_STATUS.get(step.status, step.status)}
    seconds = run.step_seconds[index]
    if seconds is not None:
        result["duration"] = int(seconds * _NANOSECONDS)
    if step.message:
        result["error_message"] = step.message
    return {"keyword": step.keyword, "name": step.text, "line": step.line, "result": result}


def _cucumber_elements(run: ScenarioRun, feature_id: str) -> list[dict[str, Any]]:
    scenario = run.scenario
    background = len(scenario.background)
    steps = [_cucumber_step(run, i) for i in range(len(run.result.steps))]
    elements: list[dict[str, Any]] = []
    if background:
        line = scenario.background[0].line
        elements.append(
            {"keyword": "背景", "type": "background", "name": "", "description": ""}
            | {"line": line, "steps": steps[:background]}
        )
    outline = scenario.example_row is not None
    elements.append(
        {
            "id": f"{feature_id};{_slug(run.result.name)}",
            "keyword": "シナリオアウトライン" if outline else "シナリオ",
            "type": "scenario",
            "name": run.result.name,
            "description": "",
            "line": run.result.line,
            "tags": [{"name": f"@{tag}"} for tag in run.result.tags],
            "steps": steps[background:],
        }
    )
    return elements


def cucumber_json(run: ImplRun, features: Iterable[Feature]) -> list[dict[str, Any]]:
    """Cucumber's JSON format: features → elements → steps, undefined steps included."""
    by_file: dict[str, list[ScenarioRun]] = {}
    for scenario in run.scenarios:
        by_file.setdefault(scenario.scenario.feature_path, []).append(scenario)
    documents: list[dict[str, Any]] = []
    for feature in features:
        feature_id = _slug(feature.name)
        elements = [
            e for r in by_file.get(feature.path, []) for e in _cucumber_elements(r, feature_id)
        ]
        documents.append(
            {
                "uri": feature.path,
                "id": feature_id,
                "keyword": "機能",
                "name": feature.name,
                "description": "",
                "line": feature.line,
                "tags": [{"name": f"@{tag}"} for tag in feature.tags],
                "elements": elements,
            }
        )
    return documents


# ---- results JSON and traceability


@dataclass(frozen=True)
class DiagramsInfo:
    """What became of the diagrams: rendered or why not, and the files (report-relative)."""

    rendered: bool
    note: str
    files: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"rendered": self.rendered, "note": self.note, "files": list(self.files)}


def traceability_data(verdicts: Sequence[SectionVerdict]) -> dict[str, Any]:
    """In-scope sections → scenarios and their verdicts; sections without any are gaps."""
    in_scope = [v for v in verdicts if v.section.in_scope]
    return {
        "gaps": [v.section.id for v in in_scope if not v.scenarios],
        "sections": [v.as_dict() for v in in_scope],
    }


def traceability_md(run: ImplRun, verdicts: Sequence[SectionVerdict]) -> str:
    """The traceability matrix as Markdown, gaps first ("Gaps: none" when there are none)."""
    in_scope = [v for v in verdicts if v.section.in_scope]
    gaps = [v for v in in_scope if not v.scenarios]
    lines = ["# Traceability: manual sections → scenarios", ""]
    lines.append(f"Implementation: {run.name} {run.version} (`{run.impl}`)")
    lines.append("")
    if gaps:
        lines.append(f"Gaps: {len(gaps)} in-scope section(s) without a scenario")
        lines.extend(f"- {v.section.id} {v.section.title}" for v in gaps)
    else:
        lines.append("Gaps: none")
    for verdict in in_scope:
        lines += ["", f"## {verdict.section.id} {verdict.section.title} — {verdict.verdict}", ""]
        if not verdict.scenarios:
            lines.append("- (no scenario)")
        for scenario in verdict.scenarios:
            result = scenario.result
            lines.append(f"- {result.location} {result.name} — {result.status}")
        lines.extend(f"- {finding}: failed" for finding in verdict.findings)
    return "\n".join(lines) + "\n"


def _scenario_data(run: ScenarioRun) -> dict[str, Any]:
    data = run.result.as_dict()
    data["sections"] = list(run.scenario.sections)
    data["step_durations"] = [None if s is None else round(s, 6) for s in run.step_seconds]
    failure = run.failure
    data["implementation_failure"] = None if failure is None else vars(failure).copy()
    return data


def _coverage_data(spec: Spec, coverage: Mapping[str, str]) -> dict[str, Any]:
    total = sum(len(state.transitions) for state in spec.statechart.iter_states())
    statuses = list(coverage.values())
    return {
        "total": total,
        "covered": statuses.count("covered"),
        "failing": statuses.count("failing"),
        "transitions": dict(coverage),
    }


def results_data(
    spec: Spec, run: ImplRun, verdicts: Sequence[SectionVerdict], diagrams: DiagramsInfo, now: str
) -> dict[str, Any]:
    """Everything about one implementation's run as JSON-ready data."""
    return {
        "format": _RESULTS_FORMAT,
        "generated_at": now,
        "implementation": {
            "command": run.impl,
            "label": run.label,
            "name": run.name,
            "version": run.version,
            "capabilities": list(run.capabilities),
            "start_failure": run.start_failure,
        },
        "ok": run.ok,
        "summary": run.counts,
        "scenarios": [_scenario_data(s) for s in run.scenarios],
        "sections": [{"id": v.section.id, "verdict": v.verdict} for v in verdicts],
        "traceability": traceability_data(verdicts),
        "generated": run.generated.as_dict(),
        "differential": run.differential.as_dict(),
        "coverage": _coverage_data(spec, run.coverage),
        "diagrams": diagrams.as_dict(),
        "timings": run.timings,
    }


# ---- the matrix


def matrix_md(conform_run: ConformRun, verdicts: Mapping[str, Sequence[SectionVerdict]]) -> str:
    """Implementations × in-scope sections (pass / fail / not covered), as Markdown."""
    runs = conform_run.runs
    header = "| section | " + " | ".join(f"{r.label}" for r in runs) + " |"
    lines = ["# Conformance matrix", "", header, "|---" * (len(runs) + 1) + "|"]
    for section in (s for s in conform_run.spec.sections if s.in_scope):
        cells = [_matrix_cell(run, verdicts[run.label], section.id) for run in runs]
        lines.append(f"| {section.id} {section.title} | " + " | ".join(cells) + " |")
    lines += ["", "Implementations:", ""]
    lines.extend(f"- {run.label} (`{run.impl}`): {run_outcome(run)}" for run in runs)
    return "\n".join(lines) + "\n"


def run_outcome(run: ImplRun) -> str:
    """One line: `otpspec-reference 4.1.0: 55 passed, 1 failed` or why it did not start."""
    if run.start_failure:
        return f"could not start: {run.start_failure.splitlines()[0]}"
    counts = ", ".join(f"{count} {kind}" for kind, count in run.counts.items() if count)
    return f"{run.name} {run.version}: {counts or 'nothing run'}"


def _matrix_cell(run: ImplRun, verdicts: Sequence[SectionVerdict], section_id: str) -> str:
    if run.start_failure:
        return "did not start"
    found = next((v for v in verdicts if v.section.id == section_id), None)
    if found is None or found.verdict == "not covered":
        return "not covered"
    return found.cell


# ---- writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Writes a file through a temporary file in its directory and `os.replace`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(raw)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it 0600; reports are for all
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def render_diagrams(spec: Spec, report_dir: Path, coverage: Mapping[str, str]) -> DiagramsInfo:
    """Renders the diagrams with the coverage overlay into `report_dir/diagrams` (SVG).

    They are drawn in a temporary directory and each file is then moved into place. A
    missing Japanese font or Graphviz is a note, not a failure.
    """
    from harness.diagrams.draw import RenderFailure, render_all

    target = report_dir / "diagrams"
    scratch = Path(tempfile.mkdtemp(dir=report_dir, prefix=".diagrams-"))
    try:
        written = render_all(spec, scratch, coverage, formats=("svg",))
        target.mkdir(exist_ok=True)
        for path in written:
            for stale in target.glob(f"{path.stem}.*"):  # a PNG of an older `otpspec render`
                if stale.suffix not in {".dot", ".svg", ".md"}:
                    stale.unlink()
            os.replace(path, target / path.name)
    except (RenderFailure, OSError) as error:
        return DiagramsInfo(False, f"diagrams not rendered: {error}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    files = tuple(f"diagrams/{p.name}" for p in written if p.suffix == ".svg")
    return DiagramsInfo(True, f"{len(files)} diagrams rendered", files)


def _run_texts(
    conform_run: ConformRun,
    run: ImplRun,
    verdicts: Sequence[SectionVerdict],
    diagrams: DiagramsInfo,
    now: str,
) -> dict[str, str]:
    from harness.reports.html import render_report

    spec = conform_run.spec
    results = results_data(spec, run, verdicts, diagrams, now)
    return {
        "junit.xml": junit_xml(run),
        "cucumber.json": _json(cucumber_json(run, conform_run.features)),
        "results.json": _json(results),
        "traceability.md": traceability_md(run, verdicts),
        "coverage.json": _json(run.coverage),
        "report.html": render_report(spec, run, verdicts, diagrams, now),
    }


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _matrix_texts(
    conform_run: ConformRun, verdicts: Mapping[str, Sequence[SectionVerdict]], now: str
) -> dict[str, str]:
    from harness.reports.html import render_matrix

    return {
        "matrix.md": matrix_md(conform_run, verdicts),
        "matrix.html": render_matrix(conform_run, verdicts, now),
    }


def write_reports(
    conform_run: ConformRun, report_dir: Path, *, diagrams: bool = True, now: datetime | None = None
) -> list[Path]:
    """Writes every report of a conform run; returns the files written (diagrams aside).

    The diagrams are rendered first (the HTML embeds them), then every text is built, and
    only then are the files written.

    Raises:
        OSError: A directory cannot be made or a file cannot be written.
    """
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    several = len(conform_run.runs) > 1
    verdicts = {run.label: section_verdicts(conform_run.spec, run) for run in conform_run.runs}
    texts: dict[Path, str] = {}
    for run in (r for r in conform_run.runs if not r.start_failure):
        out = report_dir / run.label if several else report_dir
        out.mkdir(parents=True, exist_ok=True)
        info = DiagramsInfo(False, "diagrams not rendered: turned off")
        if diagrams:
            info = render_diagrams(conform_run.spec, out, run.coverage)
        for name, text in _run_texts(conform_run, run, verdicts[run.label], info, stamp).items():
            texts[out / name] = text
    if several:
        report_dir.mkdir(parents=True, exist_ok=True)
        for name, text in _matrix_texts(conform_run, verdicts, stamp).items():
            texts[report_dir / name] = text
    for path, text in texts.items():
        write_atomic(path, text)
    return list(texts)
