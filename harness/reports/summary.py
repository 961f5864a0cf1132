"""A conformance run, summed up from its item records: counts, section verdicts, coverage.

Every report (results.json, report.html, traceability.md, the matrix, the console line)
is built from the same `RunSummary`, so their counts agree. A section is red only when an
item's broken expectation rests on it (the record's `clauses`), not because a failing item
happened to pass through it: one bug makes one section red.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from harness.run.records import VERDICTS, ItemRecord, Verdict
from statechart.model import Section, Spec

__all__ = [
    "DiagramsInfo",
    "Implementation",
    "RunSummary",
    "SectionVerdict",
    "coverage_of",
    "section_verdicts",
    "summarize",
]

SectionStatus = Literal["pass", "fail", "deviation", "not applicable", "error", "not covered"]
_WORST: Final[tuple[Verdict, ...]] = ("error", "fail", "deviation", "not applicable")


@dataclass(frozen=True)
class Implementation:
    """The implementation a run drove, as it named itself.

    Attributes:
        command: Its command line, or `reference` (in process).
        label: A file-name-safe name, unique within a matrix.
        name: The name it gave in `hello`.
        version: The version it gave in `hello`.
        capabilities: What it said it can do.
        start_failure: Why it could not be started ('' if it was).
    """

    command: str
    label: str = "reference"
    name: str = ""
    version: str = ""
    capabilities: tuple[str, ...] = ()
    start_failure: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "command": self.command,
            "label": self.label,
            "name": self.name,
            "version": self.version,
            "capabilities": list(self.capabilities),
            "start_failure": self.start_failure,
        }


@dataclass(frozen=True)
class SectionVerdict:
    """A manual section's verdict on one implementation, and the evidence for it.

    Attributes:
        section: The section.
        status: The worst verdict of an item whose broken expectation rests on it; else
            `pass` when items exercise it; else `not covered`.
        items: The items that exercise it (tagged with it, or taking its transitions).
        breaking: The items whose broken expectation rests on it.
    """

    section: Section
    status: SectionStatus
    items: tuple[ItemRecord, ...]
    breaking: tuple[ItemRecord, ...] = ()

    @property
    def scenarios(self) -> tuple[ItemRecord, ...]:
        """Its scenarios (tagged `@section-<id>`)."""
        return tuple(r for r in self.items if r.kind in ("scenario", "feature file"))

    @property
    def cell(self) -> str:
        """`pass (3/3)`, `fail (2/3; G012 …)`, `not covered`."""
        if self.status == "not covered":
            return "not covered"
        passed = sum(1 for r in self.items if r.verdict == "pass")
        shown = [f"{passed}/{len(self.items)}", *(r.name for r in self.breaking[:3])]
        return f"{self.status} ({'; '.join(shown)})"

    def as_dict(self) -> dict[str, Any]:
        """The verdict and its items as JSON-ready data."""
        return {
            "id": self.section.id,
            "title": self.section.title,
            "in_scope": self.section.in_scope,
            "verdict": self.status,
            "passed": sum(1 for r in self.items if r.verdict == "pass"),
            "total": len(self.items),
            "breaking": [r.nodeid for r in self.breaking],
            "items": [{"nodeid": r.nodeid, "verdict": r.verdict} for r in self.items],
        }


def _related(one: str, other: str) -> bool:
    return one == other or one.startswith(other + ".")


def section_verdicts(spec: Spec, records: Sequence[ItemRecord]) -> tuple[SectionVerdict, ...]:
    """The verdict of every in-scope section, and of out-of-scope ones with items."""
    verdicts: list[SectionVerdict] = []
    for section in spec.sections:
        items = tuple(r for r in records if any(_related(s, section.id) for s in r.sections))
        if not section.in_scope and not items:
            continue
        breaking = tuple(r for r in records if r.verdict != "pass" and section.id in r.clauses)
        status: SectionStatus = "pass" if items else "not covered"
        for worst in _WORST:
            if any(r.verdict == worst for r in breaking):
                status = worst
                break
        verdicts.append(SectionVerdict(section, status, items, breaking))
    return tuple(verdicts)


def coverage_of(records: Iterable[ItemRecord]) -> dict[str, str]:
    """Transition id → `covered` or `failing` (failing anywhere wins); unexercised absent.

    A transition is covered when a step that took it passed on the implementation, and
    failing when that step did not pass.
    """
    marks: dict[str, str] = {}
    for record in records:
        for step, taken in zip(record.steps, record.transitions, strict=False):
            if step.status in ("skipped", "undefined"):
                continue
            mark = "covered" if step.status == "passed" else "failing"
            for tid in taken:
                if marks.get(tid) != "failing":
                    marks[tid] = mark
    return dict(sorted(marks.items()))


@dataclass(frozen=True)
class RunSummary:
    """One implementation's run: who it was, every item's record, what they add up to.

    Attributes:
        implementation: The implementation.
        records: Every item's record, in the order they finished.
        sections: The verdict per manual section.
        coverage: Transition id → covered / failing.
        strict: Deviations the declaration does not accept fail the run.
        alarms: Where the vendor's declaration no longer matches the implementation.
        extra: Anything else a report shows (timings, options).
        interrupted: A signal (SIGINT, SIGTERM) stopped the run before its end: the
            records are the run so far.
    """

    implementation: Implementation
    records: tuple[ItemRecord, ...]
    sections: tuple[SectionVerdict, ...]
    coverage: Mapping[str, str]
    total_transitions: int
    strict: bool = False
    alarms: tuple[Mapping[str, str], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    interrupted: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Items per verdict (every verdict listed, zeros included)."""
        counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for record in self.records:
            counts[record.verdict] += 1
        return counts

    @property
    def ok(self) -> bool:
        """It started and ran to the end, nothing failed or broke (nor deviated unaccepted,
        when strict), and no capability declared absent showed."""
        counts = self.counts
        unaccepted = sum(1 for r in self.records if r.verdict == "deviation" and not r.accepted)
        bad = counts["fail"] + counts["error"] + (unaccepted if self.strict else 0)
        observed = any(alarm.get("kind") == "capability observed" for alarm in self.alarms)
        started = not self.implementation.start_failure
        return started and not self.interrupted and bad == 0 and not observed

    @property
    def gaps(self) -> tuple[Section, ...]:
        """In-scope sections no scenario exercises."""
        return tuple(v.section for v in self.sections if v.section.in_scope and not v.scenarios)

    def line(self) -> str:
        """`otpspec-reference 4.1.0: 702 pass, 1 fail` (every non-zero verdict), and
        `; interrupted: the run so far` when a signal stopped it."""
        about = self.implementation
        if about.start_failure:
            return f"could not start: {about.start_failure.splitlines()[0]}"
        counts = ", ".join(f"{n} {verdict}" for verdict, n in self.counts.items() if n)
        cut = "; interrupted: the run so far" if self.interrupted else ""
        return f"{about.name} {about.version}: {counts or 'nothing run'}{cut}"


def summarize(
    spec: Spec,
    implementation: Implementation,
    records: Sequence[ItemRecord],
    *,
    strict: bool = False,
    alarms: tuple[Mapping[str, str], ...] = (),
    extra: Mapping[str, Any] | None = None,
    interrupted: bool = False,
) -> RunSummary:
    """Sums up a run's records (`interrupted`: a signal stopped the run before its end)."""
    total = sum(len(state.transitions) for state in spec.statechart.iter_states())
    return RunSummary(
        implementation=implementation,
        records=tuple(records),
        sections=section_verdicts(spec, records),
        coverage=coverage_of(records),
        total_transitions=total,
        strict=strict,
        alarms=alarms,
        extra=dict(extra or {}),
        interrupted=interrupted,
    )


@dataclass(frozen=True)
class DiagramsInfo:
    """What became of the diagrams: rendered or why not, and the files (report-relative)."""

    rendered: bool
    note: str
    files: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"rendered": self.rendered, "note": self.note, "files": list(self.files)}
