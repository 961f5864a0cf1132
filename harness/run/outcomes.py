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

from harness.adapters import ImplementationFailure
from harness.run.applicability import NOT_APPLICABLE, Applicability
from harness.run.checks import CheckMismatch, GeneratedItem, _CheckItem
from harness.run.exports import CUCUMBER_OWN, check_scenario, failure_text
from harness.run.items import (
    INTERRUPTED,
    Interrupted,
    is_ours,
    item_assumptions,
    item_sections,
    problem_name,
    unavailable,
)
from harness.run.records import ItemKind, ItemRecord, StepRecord
from harness.run.scenario_records import scenario_record
from harness.run.session import ImplementationUnavailable, RunState

__all__ = ["Policy", "cut_short", "finish_report", "implementation_data"]

_RECORDED: Final = pytest.StashKey[bool]()
"""Set once an item's record is on a report (a signal after that cuts nothing short)."""


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
        record = scenario_record(state, item, error)
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
        name=problem_name(item) if not isinstance(item, _CheckItem) else item.name,
        path=str(item.path),
        line=(item.location[1] or 0) + 1,
        feature="",
        sections=item_sections(state, item),
        assumptions=item_assumptions(item),
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


# ---- generated checks and differential walks


def _check_record(item: _CheckItem, error: BaseException | None) -> ItemRecord:
    if isinstance(error, CheckMismatch):
        return error.record
    if item.record is not None and error is None:
        return item.record
    message = f"予期しない例外: {type(error).__name__}: {error}"
    if isinstance(error, ImplementationUnavailable):
        message = unavailable(item.state, error)
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
