"""The conformance matrix of several implementations, from their results.json files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from harness.reports.summary import Implementation, RunSummary, summarize
from harness.run.records import ItemRecord
from statechart.model import Spec

__all__ = ["load_summary", "matrix_md"]


def load_summary(spec: Spec, results: Path) -> RunSummary | None:
    """A run's summary from its results.json (None if it is missing or not ours)."""
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
        about = data["implementation"]
        records = [ItemRecord.from_json(item) for item in data["items"]]
        implementation = Implementation(
            command=str(about["command"]),
            label=str(about["label"]),
            name=str(about.get("name", "")),
            version=str(about.get("version", "")),
            capabilities=tuple(about.get("capabilities", ())),
            start_failure=str(about.get("start_failure", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    strict, interrupted = bool(data.get("strict", False)), bool(data.get("interrupted", False))
    return summarize(spec, implementation, records, strict=strict, interrupted=interrupted)


def matrix_md(spec: Spec, summaries: Sequence[RunSummary]) -> str:
    """Implementations × in-scope sections (pass / fail / … / not covered), as Markdown."""
    labels = [s.implementation.label for s in summaries]
    lines = ["# Conformance matrix", "", "| section | " + " | ".join(labels) + " |"]
    lines.append("|---" * (len(summaries) + 1) + "|")
    cells = [{v.section.id: v for v in s.sections} for s in summaries]
    for section in (s for s in spec.sections if s.in_scope):
        row = []
        for summary, verdicts in zip(summaries, cells, strict=True):
            verdict = verdicts.get(section.id)
            if summary.implementation.start_failure:
                row.append("did not start")
            else:
                row.append("not covered" if verdict is None else verdict.cell)
        lines.append(f"| {section.id} {section.title} | " + " | ".join(row) + " |")
    lines += ["", "Implementations:", ""]
    lines += [
        f"- {s.implementation.label} (`{s.implementation.command}`): {s.line()}" for s in summaries
    ]
    return "\n".join(lines) + "\n"
