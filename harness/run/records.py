"""What one test item of a conformance run leaves behind, as JSON-ready data.

Every item the plugin runs (a scenario, a generated check, a differential walk, a broken
feature file) ends with one `ItemRecord`: its verdict, the manual clauses behind the
expectation that broke, each step with the requests sent and the view seen, the replayable
Gherkin, and the spec transitions it covered. The record travels with pytest's report (as
plain JSON, so pytest-xdist carries it from a worker to the controller), and the reports of
the run are built from the records alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal, cast, get_args

__all__ = [
    "KINDS",
    "STEP_STATUSES",
    "VERDICTS",
    "ItemKind",
    "ItemRecord",
    "StepRecord",
    "StepStatus",
    "Verdict",
]

Verdict = Literal["pass", "fail", "deviation", "not applicable", "error"]
"""pass; fail: the manual requires what was not observed; deviation: only registered
assumptions require it; not applicable: the implementation declared it does not offer the
capability; error: the run broke (crash, timeout, protocol error, a broken feature file)."""
VERDICTS: Final[tuple[Verdict, ...]] = get_args(Verdict)

ItemKind = Literal["scenario", "generated", "differential", "feature file"]
KINDS: Final[tuple[ItemKind, ...]] = get_args(ItemKind)

StepStatus = Literal["passed", "failed", "undefined", "skipped", "error"]
STEP_STATUSES: Final[tuple[StepStatus, ...]] = get_args(StepStatus)


@dataclass(frozen=True)
class StepRecord:
    """One step as run.

    Attributes:
        keyword: 前提, もし, ならば, かつ, … (a generated step: its op).
        text: The step as written (test data is shown: it is needed to replay).
        line: Its line in the feature file (0 for a generated step).
        status: passed, failed, undefined, skipped or error.
        requests: The requests sent for it, in order.
        view: The last view the implementation showed in it, or None; kept, masked, in
            the records of items that did not pass (outcomes.finish_report).
        expected_view: The reference's view after it, where one is known, or None; kept
            beside the step that failed.
        expectation: What the step checks or does (its phrase's doc).
        expected: On failure, what was expected.
        observed: On failure, what was observed (masked).
        message: On failure, the whole message.
        seconds: Time its requests took.
        contract: On failure, the contract of spec/contracts.yaml it broke ('' when none).
        clauses: On failure, the manual sections the broken expectation (or contract) rests on.
        assumptions: On failure, the assumptions it rests on (any: a deviation, not a fail).
    """

    keyword: str
    text: str
    line: int
    status: StepStatus
    requests: tuple[dict[str, Any], ...] = ()
    view: dict[str, Any] | None = None
    expected_view: dict[str, Any] | None = None
    expectation: str = ""
    expected: str = ""
    observed: str = ""
    message: str = ""
    seconds: float = 0.0
    contract: str = ""
    clauses: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The step as JSON-ready data (the views and requests are JSON already: not copied)."""
        data = {name: getattr(self, name) for name in _STEP_FIELDS}
        data["requests"] = list(self.requests)
        data["clauses"] = list(self.clauses)
        data["assumptions"] = list(self.assumptions)
        data["seconds"] = round(self.seconds, 6)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepRecord:
        """The step from `to_json` data."""
        values = dict(data)
        values["requests"] = tuple(values.get("requests", ()))
        values["clauses"] = tuple(values.get("clauses", ()))
        values["assumptions"] = tuple(values.get("assumptions", ()))
        return cls(**values)


@dataclass(frozen=True)
class ItemRecord:
    """One item of a conformance run, and what came of it.

    Attributes:
        nodeid: pytest's node id.
        kind: scenario, generated, differential or feature file.
        name: The scenario's or check's name.
        path: The feature file (or the spec file the check comes from).
        line: Its line there.
        feature: The feature's name (生成された検査 / 差分検査 for checks).
        sections: The manual sections it exercises (its `@section-…` tags, or the sections
            of the transitions a check takes).
        assumptions: The assumptions it rests on (`@ASM-…` tags).
        verdict: pass, fail, deviation, not applicable or error.
        clauses: The sections (and assumption ids) of the expectation that broke; () when
            it passed.
        message: What broke, in one paragraph ('' when it passed).
        replay: A feature file that replays it up to the failure ('' when it passed).
        steps: Its steps.
        transitions: Per step, the spec transitions the reference took there.
        implementation_failure: `{kind, message, stderr_tail}` when the implementation's
            process broke in it.
        seconds: Wall time of the item.
        deviates_from: For a deviation, the assumptions the broken expectation rests on.
        accepted: For a deviation the vendor's declaration lists, their reason.
        extra: Anything else a report shows (a walk's count, a capability).
    """

    nodeid: str
    kind: ItemKind
    name: str
    path: str
    line: int
    feature: str
    sections: tuple[str, ...]
    assumptions: tuple[str, ...] = ()
    verdict: Verdict = "pass"
    clauses: tuple[str, ...] = ()
    message: str = ""
    replay: str = ""
    steps: tuple[StepRecord, ...] = ()
    transitions: tuple[tuple[str, ...], ...] = ()
    implementation_failure: dict[str, str] | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    deviates_from: tuple[str, ...] = ()
    accepted: str = ""

    @property
    def location(self) -> str:
        """`path:line`."""
        return f"{self.path}:{self.line}"

    @property
    def failed_step(self) -> StepRecord | None:
        """The first step that did not pass or get skipped, if any."""
        return next((s for s in self.steps if s.status not in ("passed", "skipped")), None)

    def masked(self, mask: Callable[[Any], Any]) -> ItemRecord:
        """The record with `mask` applied to every view it keeps (SecretBook.data)."""

        def step_masked(step: StepRecord) -> StepRecord:
            if step.view is None and step.expected_view is None:
                return step
            view = None if step.view is None else mask(step.view)
            expected = None if step.expected_view is None else mask(step.expected_view)
            return replace(step, view=view, expected_view=expected)

        return replace(self, steps=tuple(step_masked(step) for step in self.steps))

    def without_views(self) -> ItemRecord:
        """The record without what the implementation showed at each step: a passing
        item's views are read by no report, and they were most of every record that
        crossed from a worker and of results.json."""
        return replace(self, steps=tuple(replace(step, view=None) for step in self.steps))

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (what crosses from an xdist worker)."""
        data = {name: getattr(self, name) for name in _ITEM_FIELDS}
        data["sections"] = list(self.sections)
        data["assumptions"] = list(self.assumptions)
        data["clauses"] = list(self.clauses)
        data["deviates_from"] = list(self.deviates_from)
        data["steps"] = [step.to_json() for step in self.steps]
        data["transitions"] = [list(taken) for taken in self.transitions]
        data["seconds"] = round(self.seconds, 6)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ItemRecord:
        """The record from `to_json` data."""
        values = dict(data)
        for name in ("sections", "assumptions", "clauses", "deviates_from"):
            values[name] = tuple(values.get(name, ()))
        values["steps"] = tuple(StepRecord.from_json(s) for s in values.get("steps", ()))
        values["transitions"] = tuple(tuple(t) for t in values.get("transitions", ()))
        values["kind"] = cast(ItemKind, values["kind"])
        return cls(**values)


_STEP_FIELDS: Final = tuple(f.name for f in fields(StepRecord))
_ITEM_FIELDS: Final = tuple(f.name for f in fields(ItemRecord))
