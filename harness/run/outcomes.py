"""From what happened in an item to its record, its verdict and what pytest reports.

Every otpspec item's report gets `report.otpspec`, its `ItemRecord` as JSON text, and
`report.otpspec_verdict`. pytest-xdist carries them to the controller; one string crosses far
faster than the same data nested, which execnet serializes object by object. A failure is
shown as its verdict, the clauses behind it and a scenario that replays it, never a Python
traceback: the verdict is what a vendor acts on.

Verdicts and pytest's outcomes (the same in the console, JUnit and Cucumber):

| verdict | outcome | JUnit | Cucumber |
|---|---|---|---|
| pass | passed | testcase | passed |
| fail | failed | `<failure message="fail …">` | failed, tag `@verdict-fail` |
| error | failed | `<failure message="error …">` | failed, tag `@verdict-error` |

An item a signal (SIGINT, SIGTERM) cuts short is an error with the message `interrupted`
(`cut_short`), in every report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Final

import pytest
from _pytest.outcomes import Failed  # pytest.fail.Exception, typed
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.adapters import ImplementationFailure
from harness.grading import step_grounds
from harness.grading.grounds import narrowed
from harness.run.applicability import NOT_APPLICABLE, Applicability
from harness.run.checks import CheckMismatch, GeneratedItem, _CheckItem
from harness.run.collect import FeatureFile, FeatureProblems
from harness.run.context import ScenarioContext, StepOutcome
from harness.run.exports import CUCUMBER_OWN, check_scenario, failure_text
from harness.run.records import ItemKind, ItemRecord, StepRecord, Verdict
from harness.run.replay import Replay
from harness.run.session import ImplementationUnavailable, RunState
from harness.scenarios.feature import ASSUMPTION_TAG, Scenario
from harness.scenarios.text import replay_text
from harness.vocabulary import match_step

__all__ = [
    "BDD_SCENARIO",
    "CONTEXT",
    "INTERRUPTED",
    "SCENARIO",
    "Interrupted",
    "Policy",
    "cut_short",
    "finish_report",
    "implementation_data",
    "is_ours",
    "item_sections",
]

CONTEXT: Final = pytest.StashKey[ScenarioContext]()
"""The scenario's context, in its item's stash."""
BDD_SCENARIO: Final = pytest.StashKey[Any]()
"""pytest-bdd's scenario (rendered for its example row), in its item's stash."""
SCENARIO: Final = pytest.StashKey[Scenario]()
"""The same scenario as our typed data (for replays on the reference)."""
_RECORDED: Final = pytest.StashKey[bool]()
"""Set once an item's record is on a report (a signal after that cuts nothing short)."""
INTERRUPTED: Final = "interrupted"
"""The message of an item a signal (SIGINT, SIGTERM) cut short: its verdict is error."""


class Interrupted(Failed):
    """Stands for the signal that cut an item short, in the report made for it."""

    def __init__(self) -> None:
        super().__init__(INTERRUPTED, pytrace=False)


def _interrupted() -> None:
    raise Interrupted


def cut_short(item: pytest.Item) -> pytest.TestReport | None:
    """The report of an otpspec item that a signal stopped before it had one (None: it
    has one, or it is not ours): an error, `interrupted`, made by the usual hooks, so that
    results.json, JUnit and Cucumber all list it. The caller logs it."""
    if not is_ours(item) or item.stash.get(_RECORDED, False):
        return None
    call = pytest.CallInfo.from_call(_interrupted, when="call")
    report: pytest.TestReport = item.ihook.pytest_runtest_makereport(item=item, call=call)
    return report


def item_sections(state: RunState, item: pytest.Item) -> tuple[str, ...]:
    """The manual sections an item is marked with (its `@section-…` tags)."""
    found = (state.section_markers.get(mark.name) for mark in item.iter_markers())
    return tuple(dict.fromkeys(section for section in found if section is not None))


def _item_assumptions(item: pytest.Item) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(m.name for m in item.iter_markers() if m.name.startswith(ASSUMPTION_TAG))
    )


def is_ours(item: pytest.Item) -> bool:
    """Whether the item is an otpspec scenario or check (not another test of the session)."""
    return isinstance(item, _CheckItem) or item.getparent(FeatureFile) is not None


@dataclass(frozen=True)
class Policy:
    """How verdicts become pytest outcomes.

    Attributes:
        strict: A deviation the declaration does not accept fails (else: an expected
            failure, which does not fail the run).
        applicability: The vendor's declaration, if any.
    """

    strict: bool = False
    applicability: Applicability | None = None


def finish_report(
    state: RunState,
    item: pytest.Item,
    call: pytest.CallInfo[None],
    report: pytest.TestReport,
    policy: Policy = Policy(),
) -> None:
    """Records an otpspec item's outcome on its report (setup failures and the call)."""
    if not is_ours(item) or report.when == "teardown":
        return
    if report.when == "setup" and report.passed:
        return
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, pytest.skip.Exception) and str(error).startswith(NOT_APPLICABLE):
        record = _not_applicable(state, item, str(error))
    elif isinstance(item, _CheckItem):
        record = _check_record(item, error)
    else:
        record = _scenario_record(state, item, error)
    record = _graded(record, policy)
    # Views are masked here, once, as the record leaves for the reports: a passing item's
    # are dropped unread, and masking every step's view as it came cost 0.4 s of a run.
    if record.verdict == "pass":
        record = record.without_views()
    else:
        record = record.masked(state.secrets.data)
    item.stash[_RECORDED] = True
    report.otpspec = json.dumps(record.to_json(), ensure_ascii=False)  # type: ignore[attr-defined]
    report.otpspec_verdict = record.verdict  # type: ignore[attr-defined]
    report.otpspec_implementation = implementation_data(state)  # type: ignore[attr-defined]
    if record.verdict not in ("pass", NOT_APPLICABLE):
        report.longrepr = failure_text(record)
    if record.verdict == "deviation" and (record.accepted or not policy.strict):
        # Tolerated: reported as an expected failure (pytest's xfail), which does not fail
        # the run; JUnit shows it as skipped with the deviation as its message.
        report.outcome = "skipped"
        report.wasxfail = f"deviation {', '.join(record.deviates_from)}: {record.message}"
    if report.when == "call" or report.failed:
        own = json.dumps(check_scenario(item, record), ensure_ascii=False)  # as report.otpspec
        setattr(report, CUCUMBER_OWN, own)


def _graded(record: ItemRecord, policy: Policy) -> ItemRecord:
    """A fail whose broken expectation rests on an assumption is a deviation (docs/grading.md)."""
    if record.verdict != "fail":
        return record
    step = record.failed_step
    assumptions = record.deviates_from or (step.assumptions if step is not None else ())
    if not assumptions:
        return record
    clauses = (step.clauses if step is not None and step.clauses else ()) or record.clauses
    applicability = policy.applicability
    accepted = applicability.accepted(assumptions) if applicability is not None else ""
    return replace(
        record,
        verdict="deviation",
        deviates_from=tuple(assumptions),
        clauses=clauses,
        accepted=accepted,
    )


def _not_applicable(state: RunState, item: pytest.Item, reason: str) -> ItemRecord:
    capability = reason.removeprefix(f"{NOT_APPLICABLE}: ").split(" ", 1)[0]
    step = StepRecord("", reason, 0, "skipped", message=reason)
    return ItemRecord(
        nodeid=item.nodeid,
        kind="scenario" if not isinstance(item, _CheckItem) else _check_kind(item),
        name=_problem_name(item) if not isinstance(item, _CheckItem) else item.name,
        path=str(item.path),
        line=(item.location[1] or 0) + 1,
        feature="",
        sections=item_sections(state, item),
        assumptions=_item_assumptions(item),
        verdict=NOT_APPLICABLE,
        message=reason,
        steps=(step,),
        extra={"capability": capability},
    )


def _check_kind(item: _CheckItem) -> ItemKind:
    return "generated" if isinstance(item, GeneratedItem) else "differential"


def implementation_data(state: RunState) -> dict[str, Any]:
    """What the implementation said in `hello` (or why it could not start), JSON-ready."""
    hello = state.hello or {}
    return {
        "name": hello.get("name", ""),
        "version": hello.get("version", ""),
        "capabilities": list(hello.get("capabilities", ())),
        "start_failure": state.start_failure,
    }


# ---- scenarios


def _scenario_record(state: RunState, item: pytest.Item, error: BaseException | None) -> ItemRecord:
    context = item.stash.get(CONTEXT, None)
    bdd = item.stash.get(BDD_SCENARIO, None)
    steps = list(context.steps) if context is not None else []
    if isinstance(error, FeatureProblems):  # what to fix, as the steps that did not run
        steps = [
            StepRecord("", p.text or p.message, p.line, "error", message=p.message)
            for p in error.problems
        ]
    verdict, message, failure = _scenario_verdict(state, error)
    steps += _not_run(bdd, len(steps))
    location = item.location
    sections = item_sections(state, item)
    record = ItemRecord(
        nodeid=item.nodeid,
        kind="scenario" if not isinstance(error, FeatureProblems) else "feature file",
        name=bdd.name if bdd is not None else _problem_name(item),
        path=str(item.path),
        line=(location[1] or 0) + 1,
        feature=bdd.feature.name if bdd is not None else "",
        sections=sections,
        assumptions=_item_assumptions(item),
        verdict=verdict,
        clauses=() if verdict == "pass" else sections,
        message=state.secrets.text(message),
        steps=tuple(steps),
        implementation_failure=_failure_dict(state, failure),
        seconds=sum(step.seconds for step in steps),
    )
    if verdict == "pass" and state.options.report_dir is not None:
        shipped = _shipped_transitions(state, item, record)
        if shipped is not None:
            return shipped
    needs_reference = verdict == "fail" or state.options.report_dir is not None
    replay = (
        _reference_replay(state, item) if needs_reference and record.kind == "scenario" else None
    )
    if verdict == "fail" and isinstance(error, StepOutcome) and replay is not None:
        record = _with_grounds(state, item, record, error, replay)
    if verdict != "pass" and bdd is not None:
        record = _with_replay(record, bdd)
    return _with_reference(state, record, replay)


def _shipped_transitions(
    state: RunState, item: pytest.Item, record: ItemRecord
) -> ItemRecord | None:
    """A passing scenario's record with the transitions shipped for it (what its replay on
    the reference would give it: _with_reference), or None when none were shipped."""
    scenario = item.stash.get(SCENARIO, None)
    found = None if scenario is None else state.shipped_transitions(scenario)
    if found is None:
        return None
    taken = tuple(found[i] if i < len(found) else () for i in range(len(record.steps)))
    return replace(record, transitions=taken)


def _reference_replay(state: RunState, item: pytest.Item) -> Replay | None:
    scenario = item.stash.get(SCENARIO, None)
    return None if scenario is None else state.replayer().replay(scenario)


_SCENARIO_DISAGREES = (
    "注意: 参照実装もこのシナリオの{line}行目に従いません。シナリオが仕様と食い違っている"
    "おそれがあります (`otpspec validate --features` で確かめてください)"
)


def _with_grounds(
    state: RunState, item: pytest.Item, record: ItemRecord, error: StepOutcome, replay: Replay
) -> ItemRecord:
    """The failing step's grounds (docs/grading.md): the clauses its expectation rests on,
    and the assumptions that make it a deviation. A broken contract brings its own."""
    failed = error.step
    if failed.contract or failed.clauses:
        return replace(record, clauses=narrowed(failed.clauses, record.sections) or record.clauses)
    scenario: Scenario = item.stash[SCENARIO]
    index = next((i for i, step in enumerate(record.steps) if step is failed), -1)
    if not 0 <= index < min(len(replay.traces), len(scenario.all_steps)):
        return record  # the reference did not get this far: the scenario's own sections
    disagrees = next((i for i, s in enumerate(replay.steps) if s.status != "passed"), None)
    if disagrees is not None and disagrees <= index:
        # The scenario contradicts the spec here, so the spec's trace grounds nothing: the
        # scenario's own sections stand, and the message says the scenario needs checking.
        note = _SCENARIO_DISAGREES.format(line=scenario.all_steps[disagrees].line)
        return replace(record, message=f"{record.message}\n{note}".strip())
    step = scenario.all_steps[index]
    found = match_step(step.text, step.kind)
    if found is None:
        return record
    context = item.stash.get(CONTEXT, None)
    grounds = step_grounds(
        state.spec,
        replay.traces[index],
        found[0],
        found[1],
        failed.view,
        (
            *record.assumptions,
            *(f"section-{section}" for section in record.sections),
            *(m.name for m in item.iter_markers() if m.name.startswith("not-ASM-")),
        ),
        typed_fields=context.typed if context is not None else None,
    )
    graded = replace(failed, clauses=grounds.sections, assumptions=grounds.assumptions)
    steps = tuple(graded if i == index else s for i, s in enumerate(record.steps))
    clauses = narrowed(grounds.sections, record.sections)
    return replace(record, steps=steps, clauses=clauses or record.clauses)


def _problem_name(item: pytest.Item) -> str:
    """The scenario's name for a test that did not run its steps (a problem, not applicable)."""
    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    if template is not None:
        return str(template.name)
    return str(getattr(function, "otpspec_name", "") or item.name)


def _scenario_verdict(
    state: RunState, error: BaseException | None
) -> tuple[Verdict, str, ImplementationFailure | None]:
    if error is None:
        return "pass", "", None
    if isinstance(error, StepOutcome):
        verdict: Verdict = "fail" if error.kind == "failed" else "error"
        return verdict, _at_step(error.step), error.failure
    if isinstance(error, FeatureProblems):
        return "error", "フィーチャファイルを直してください:\n" + str(error), None
    if isinstance(error, ImplementationUnavailable):
        return "error", _unavailable(state, error), None
    if isinstance(error, Interrupted):
        return "error", INTERRUPTED, None
    return "error", f"予期しない例外: {type(error).__name__}: {error}", None


def _unavailable(state: RunState, error: ImplementationUnavailable) -> str:
    """Says "cannot start" only when it never started; else it started and then broke."""
    label = "実装を起動できません" if state.start_failure else "実装を使えません"
    return f"{label}: {error}"


def _at_step(step: StepRecord) -> str:
    return f"{step.line}行目 {step.keyword} {step.text}: {step.message}"


def _not_run(bdd: Any, done: int) -> list[StepRecord]:
    if bdd is None:
        return []
    return [
        StepRecord(step.keyword.strip(), step.name, step.line_number, "skipped")
        for step in bdd.steps[done:]
    ]


def _failure_dict(state: RunState, failure: ImplementationFailure | None) -> dict[str, str] | None:
    if failure is None:
        return None
    return {
        "kind": failure.kind,
        "message": state.secrets.text(failure.message),
        "stderr_tail": state.secrets.text(failure.stderr_tail),
    }


def _with_replay(record: ItemRecord, bdd: Any) -> ItemRecord:
    """The record with a feature file that replays the scenario up to its failing step."""
    failed = record.failed_step
    end = record.steps.index(failed) + 1 if failed is not None else len(record.steps)
    tags = [*(f"section-{s}" for s in record.sections), *record.assumptions]
    text = replay_text(
        location=record.location,
        feature_name=record.feature,
        name=record.name,
        tags=tags,
        steps=record.steps[:end],
        observed=(failed.observed or failed.message) if failed is not None else record.message,
        expected=failed.expected if failed is not None else "",
    )
    return replace(record, replay=text)


def _with_reference(state: RunState, record: ItemRecord, replay: Replay | None) -> ItemRecord:
    """Adds what the reference took at each step (coverage) and, beside the step that
    failed, what it showed there (a passing step's would double the records for nothing)."""
    if state.options.report_dir is None or replay is None:
        return record
    failed = record.failed_step
    steps = tuple(
        replace(step, expected_view=replay.steps[i].view)
        if step is failed and i < len(replay.steps)
        else step
        for i, step in enumerate(record.steps)
    )
    transitions = tuple(
        replay.transitions[i] if i < len(replay.transitions) else ()
        for i in range(len(record.steps))
    )
    return replace(record, steps=steps, transitions=transitions)


# ---- generated checks and differential walks


def _check_record(item: _CheckItem, error: BaseException | None) -> ItemRecord:
    if isinstance(error, CheckMismatch):
        return error.record
    if item.record is not None and error is None:
        return item.record
    message = f"予期しない例外: {type(error).__name__}: {error}"
    if isinstance(error, ImplementationUnavailable):
        message = _unavailable(item.state, error)
    elif isinstance(error, Interrupted):
        message = INTERRUPTED
    elif isinstance(error, ImplementationFailure):
        message = f"実装の異常 ({error.kind}): {error.message}"
    return ItemRecord(
        nodeid=item.nodeid,
        kind="generated" if item.name.startswith("G") else "differential",
        name=item.name,
        path=str(item.path),
        line=0,
        feature="",
        sections=item_sections(item.state, item),
        verdict="error",
        message=item.state.secrets.text(message),
    )
