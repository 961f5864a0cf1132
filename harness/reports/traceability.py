"""Traceability: every in-scope manual section → the items that exercise it, and gaps."""

from __future__ import annotations

from typing import Any

from harness.reports.summary import RunSummary

__all__ = ["traceability_data", "traceability_md"]


def traceability_data(summary: RunSummary) -> dict[str, Any]:
    """In-scope sections → their items and verdicts; sections without a scenario are gaps."""
    in_scope = [v for v in summary.sections if v.section.in_scope]
    return {
        "gaps": [section.id for section in summary.gaps],
        "sections": [v.as_dict() for v in in_scope],
    }


def traceability_md(summary: RunSummary) -> str:
    """The traceability matrix as Markdown, gaps first ("Gaps: none" when there are none)."""
    about = summary.implementation
    lines = ["# Traceability: manual sections → scenarios and checks", ""]
    lines += [f"Implementation: {about.name} {about.version} (`{about.command}`)", ""]
    if summary.gaps:
        lines.append(f"Gaps: {len(summary.gaps)} in-scope section(s) without a scenario")
        lines.extend(f"- {section.id} {section.title}" for section in summary.gaps)
    else:
        lines.append("Gaps: none")
    for verdict in (v for v in summary.sections if v.section.in_scope):
        section = verdict.section
        lines += ["", f"## {section.id} {section.title} — {verdict.status}", ""]
        if not verdict.scenarios:
            lines.append("- (no scenario)")
        for record in verdict.scenarios:
            lines.append(f"- {record.location} {record.name} — {record.verdict}")
        checks = [r for r in verdict.items if r.kind in ("generated", "differential")]
        if checks:
            passed = sum(1 for r in checks if r.verdict == "pass")
            lines.append(f"- generated checks and walks: {passed}/{len(checks)} pass")
        lines.extend(
            f"- broken here: {r.name} — {r.verdict}"
            for r in verdict.breaking
            if r not in verdict.scenarios
        )
    return "\n".join(lines) + "\n"
