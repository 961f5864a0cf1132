"""The HTML reports of a conformance run (the one module that imports jinja2).

`report.html` shows one implementation: its verdict per manual section, every item that did
not pass with its verdict, clauses, the expected (reference) and observed views side by
side and the scenario that replays it, then the diagrams with the coverage overlay and
every item. `matrix.html` shows implementations × sections. The templates are
`harness/reports/templates/*.html.j2`; every value is escaped by jinja2's autoescape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import jinja2

from harness.resources import TEMPLATES_DIR
from harness.run.records import VERDICTS, ItemRecord

if TYPE_CHECKING:
    from harness.reports.summary import DiagramsInfo, RunSummary
    from statechart.model import Spec

__all__ = ["ViewRow", "render_matrix", "render_report", "view_rows"]

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


def _failure(record: ItemRecord) -> dict[str, Any]:
    step = record.failed_step
    expected = step.expected_view if step is not None else None
    observed = step.view if step is not None else None
    return {
        "record": record,
        "step": f"{step.keyword} {step.text}" if step is not None else "",
        "step_line": step.line if step is not None else record.line,
        "expectation": step.expectation if step is not None else "",
        "expected": step.expected if step is not None else "",
        "observed": step.observed if step is not None else "",
        "rows": view_rows(expected, observed) if expected or observed else [],
        "reference_reached": expected is not None,
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
    spec: Spec, summary: RunSummary, diagrams: DiagramsInfo, generated_at: str
) -> str:
    """The HTML report of one implementation's run."""
    coverage = list(summary.coverage.values())
    template = _environment().get_template("report.html.j2")
    return template.render(
        about=summary.implementation,
        ok=summary.ok,
        interrupted=summary.interrupted,
        strict=summary.strict,
        alarms=summary.alarms,
        counts=summary.counts,
        verdicts=VERDICTS,
        total=len(summary.records),
        generated_at=generated_at,
        sections=summary.sections,
        gaps=summary.gaps,
        failures=[_failure(r) for r in summary.records if r.verdict != "pass"],
        records=summary.records,
        diagrams=_diagrams(diagrams),
        coverage={
            "total": summary.total_transitions,
            "covered": coverage.count("covered"),
            "failing": coverage.count("failing"),
        },
    )


def render_matrix(spec: Spec, summaries: Sequence[RunSummary], generated_at: str) -> str:
    """The HTML conformance matrix: implementations × in-scope sections."""
    template = _environment().get_template("matrix.html.j2")
    cells = {s.implementation.label: {v.section.id: v for v in s.sections} for s in summaries}
    return template.render(
        runs=summaries,
        sections=[s for s in spec.sections if s.in_scope],
        cells=cells,
        generated_at=generated_at,
    )
