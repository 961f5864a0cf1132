"""The HTML reports of `otpspec conform` (the one module that imports jinja2).

`report.html` shows one implementation: its verdict per manual section, the checks, every
failure with the expected (reference) and observed views side by side and the failure
replayed as Gherkin, then the diagrams with the coverage overlay. `matrix.html` shows
implementations × sections. The templates are `harness/reports/templates/*.html.j2`; every value
is escaped by jinja2's autoescape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import jinja2

from harness.resources import TEMPLATES_DIR as TEMPLATES

if TYPE_CHECKING:
    from harness.reports.writers import DiagramsInfo, SectionVerdict
    from harness.run.conform import ConformRun, ImplRun, ScenarioRun
    from statechart.model import Spec

__all__ = ["TEMPLATES_DIR", "ViewRow", "render_matrix", "render_report", "view_rows"]

TEMPLATES_DIR: Final = TEMPLATES
_ABSENT: Final = "—"
_MISSING: Final = object()


@dataclass(frozen=True)
class ViewRow:
    """One field of a view, as the reference showed it and as the implementation did."""

    field: str
    expected: str
    observed: str

    @property
    def differs(self) -> bool:
        """True if the two sides show different values."""
        return self.expected != self.observed


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _rows(left: Mapping[str, Any], right: Mapping[str, Any], prefix: str = "") -> list[ViewRow]:
    """One row per field; parts that are objects on both sides get a row per member."""
    rows: list[ViewRow] = []
    for key in dict.fromkeys([*left, *right]):
        name = f"{prefix}{key}"
        expected, observed = left.get(key, _MISSING), right.get(key, _MISSING)
        if isinstance(expected, Mapping) and isinstance(observed, Mapping):
            rows.extend(_rows(expected, observed, f"{name}."))
            continue
        shown = [_ABSENT if v is _MISSING else _shown(v) for v in (expected, observed)]
        rows.append(ViewRow(name, *shown))
    return rows


def view_rows(
    expected: Mapping[str, Any] | None, observed: Mapping[str, Any] | None
) -> list[ViewRow]:
    """The fields of two views side by side, in the order they appear (— where absent)."""
    return _rows(expected or {}, observed or {})


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _failure(run: ScenarioRun) -> dict[str, Any]:
    result = run.result
    step = result.failed_step
    index = result.steps.index(step) if step is not None else -1
    expected = run.expected_views[index] if index >= 0 else None
    observed = step.view if step is not None else None
    return {
        "name": result.name,
        "location": result.location,
        "status": result.status,
        "message": result.message,
        "step": f"{step.keyword} {step.text}" if step is not None else "",
        "step_line": step.line if step is not None else result.line,
        "expectation": step.expectation if step is not None else "",
        "expected": step.expected if step is not None else "",
        "observed": step.observed if step is not None else "",
        "rows": view_rows(expected, observed),
        "reference_reached": expected is not None,
        "replay": result.replay(),
        "failure": run.failure,
    }


def _diagrams(info: DiagramsInfo) -> dict[str, Any]:
    files = set(info.files)
    procedures = sorted(f for f in files if f.startswith("diagrams/procedure-"))
    return {
        "rendered": info.rendered,
        "note": info.note,
        "overview": "diagrams/overview.svg" if "diagrams/overview.svg" in files else "",
        "coverage": "diagrams/coverage.svg" if "diagrams/coverage.svg" in files else "",
        "procedures": procedures,
        "others": sorted(files - set(procedures)),
    }


def render_report(
    spec: Spec,
    run: ImplRun,
    verdicts: Sequence[SectionVerdict],
    diagrams: DiagramsInfo,
    generated_at: str,
) -> str:
    """The HTML report of one implementation's run."""
    coverage = run.coverage
    total = sum(len(state.transitions) for state in spec.statechart.iter_states())
    template = _environment().get_template("report.html.j2")
    return template.render(
        run=run,
        counts=run.counts,
        generated_at=generated_at,
        verdicts=verdicts,
        gaps=[v.section for v in verdicts if v.section.in_scope and not v.scenarios],
        checks=(run.generated, run.differential),
        failures=[_failure(s) for s in run.scenarios if not s.passed],
        scenarios=run.scenarios,
        diagrams=_diagrams(diagrams),
        coverage={
            "total": total,
            "covered": sum(1 for s in coverage.values() if s == "covered"),
            "failing": sum(1 for s in coverage.values() if s == "failing"),
        },
    )


def _cells(run: ImplRun, verdicts: Sequence[SectionVerdict]) -> dict[str, SectionVerdict]:
    return {} if run.start_failure else {v.section.id: v for v in verdicts}


def render_matrix(
    conform_run: ConformRun, verdicts: Mapping[str, Sequence[SectionVerdict]], generated_at: str
) -> str:
    """The HTML conformance matrix: implementations × in-scope sections."""
    runs = conform_run.runs
    template = _environment().get_template("matrix.html.j2")
    return template.render(
        runs=runs,
        sections=[s for s in conform_run.spec.sections if s.in_scope],
        cells={run.label: _cells(run, verdicts[run.label]) for run in runs},
        generated_at=generated_at,
    )
