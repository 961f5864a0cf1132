"""A scenario's record: its verdict, the grounds of a failure, the scenario that replays it,
and the transitions the reference takes through it (for coverage).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from harness.adapters import ImplementationFailure
from harness.grading import step_grounds
from harness.grading.grounds import narrowed
from harness.run.collect import FeatureProblems
from harness.run.context import StepOutcome
from harness.run.items import (
    BDD_SCENARIO,
    CONTEXT,
    INTERRUPTED,
    SCENARIO,
    Interrupted,
    item_assumptions,
    item_sections,
    problem_name,
    unavailable,
)
from harness.run.records import ItemRecord, StepRecord, Verdict
from harness.run.replay import Replay
from harness.run.session import ImplementationUnavailable, RunState
from harness.scenarios.feature import Scenario
from harness.scenarios.text import replay_text
from harness.vocabulary import match_step

__all__ = ["scenario_record"]


def scenario_record(state: RunState, item: pytest.Item, error: BaseException | None) -> ItemRecord:
    """The record of a scenario (or of a feature file's problem) that ran to `error`."""
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
        name=bdd.name if bdd is not None else problem_name(item),
        path=str(item.path),
        line=(location[1] or 0) + 1,
        feature=bdd.feature.name if bdd is not None else "",
        sections=sections,
        assumptions=item_assumptions(item),
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
    return replace(record, transitions=_per_step(found, len(record.steps)))


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
        return "error", unavailable(state, error), None
    if isinstance(error, Interrupted):
        return "error", INTERRUPTED, None
    return "error", f"予期しない例外: {type(error).__name__}: {error}", None


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
    transitions = _per_step(replay.transitions, len(record.steps))
    return replace(record, steps=steps, transitions=transitions)


def _per_step(transitions: tuple[tuple[str, ...], ...], steps: int) -> tuple[tuple[str, ...], ...]:
    """The reference's transitions, one entry per step of the record (none where the
    reference did not get that far)."""
    return tuple(transitions[i] if i < len(transitions) else () for i in range(steps))
