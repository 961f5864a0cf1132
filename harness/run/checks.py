"""The checks generated from the spec, as pytest items: one per generated path and one per
differential starting point.

They are collected from the spec's `statechart.yaml` (the file they are generated from):
each generated check replays its path on the implementation and compares every view with
the reference's; each differential item walks the implementation and the in-process
reference side by side from one starting fixture, and shrinks a difference it finds. Both
also feed every request and answer to the run's contract monitor (harness.contracts): a
broken contract fails the item at that step, naming the contract and its clauses (a walk
is shrunk to the shortest that breaks it). The generated set takes seconds to compute, so
it is kept in pytest's cache, keyed by the spec and the code that generates it, and
computed once for all workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import pytest
from _pytest._code.code import TerminalRepr

from harness.generation.as_gherkin import step_phrase
from harness.generation.checks import (
    CheckResult,
    GeneratedCheck,
    StepObserver,
    generate_checks,
    replay_check,
)
from harness.generation.differential import DifferentialResult, differential_check
from harness.generation.fixtures import FIXTURES, WalkFixture
from harness.generation.shipped import fingerprint, shipped_checks
from harness.generation.steps import Outcome, Refusal, TransitionIndex, WalkStep
from harness.grading import Grounds
from harness.grading.grounds import narrowed
from harness.run.records import ItemRecord, StepRecord
from harness.run.session import RunState
from harness.run.watch import ContractBreach, ContractWatch, breach_replay, failed_by
from harness.scenarios.feature import SECTION_TAG, marker_name
from statechart.model import Spec

__all__ = [
    "CheckMismatch",
    "ChecksFile",
    "DifferentialItem",
    "GeneratedItem",
    "generated_checks",
]

_CACHE_KEY: Final = "otpspec/generated"
_GENERATED_FEATURE: Final = "生成された検査"
_DIFFERENTIAL_FEATURE: Final = "差分検査"


class CheckMismatch(AssertionError):
    """A generated check or differential walk where the implementation showed otherwise (an
    assertion: the implementation ran, and showed something else)."""

    def __init__(self, record: ItemRecord) -> None:
        super().__init__(record.message)
        self.record = record


def generated_checks(
    spec: Spec, cache: pytest.Cache | None, fixtures: Sequence[WalkFixture] = FIXTURES
) -> tuple[GeneratedCheck, ...]:
    """The generated checks of a spec from `fixtures`, from pytest's cache when it holds
    them (keyed by the spec, the generating code and the fixtures' capabilities)."""
    absent = sorted({c.id for f in fixtures for c in f.absent})
    stamp = fingerprint(spec)
    if not absent and tuple(fixtures) == tuple(FIXTURES):
        shipped = shipped_checks(spec, stamp)
        if shipped is not None:
            return shipped
    key = f"{_CACHE_KEY}/{stamp[:24]}" + "".join(f"-without-{a}" for a in absent)
    if cache is not None:
        cached = cache.get(key, None)
        if isinstance(cached, list):
            try:
                return tuple(GeneratedCheck.from_json(data, spec, fixtures) for data in cached)
            except (KeyError, TypeError, ValueError):
                pass  # written by another version: computed again below
    checks = generate_checks(spec, fixtures=fixtures).checks
    if cache is not None:
        cache.set(key, [check.to_json() for check in checks])
    return checks


def _check_sections(spec: Spec, check: GeneratedCheck) -> tuple[str, ...]:
    index = TransitionIndex(spec)
    found = [s for tid in sorted(check.covers) for s in index.get(tid).sections]
    return tuple(dict.fromkeys(found))


class ChecksFile(pytest.File):
    """The spec's statechart.yaml, seen as the source of the generated checks."""

    state: RunState

    def collect(self) -> Iterator[pytest.Item]:
        """One item per generated check, then one per differential starting point."""
        options = self.state.options
        if options.generated:
            cache = getattr(self.config, "cache", None)
            for check in generated_checks(self.state.spec, cache, self.state.fixtures):
                item = GeneratedItem.from_parent(self, name=check.name, check=check)
                for section in _check_sections(self.state.spec, check):
                    item.add_marker(getattr(pytest.mark, marker_name(f"{SECTION_TAG}{section}")))
                item.add_marker(pytest.mark.generated)
                yield item
        if options.differential:
            for fixture in self.state.fixtures:
                walk = DifferentialItem.from_parent(
                    self, name=f"差分 {fixture.name}", fixture=fixture
                )
                walk.add_marker(pytest.mark.differential)
                yield walk


class _CheckItem(pytest.Item):
    """What the generated and differential items share: the run's state, a record."""

    record: ItemRecord | None = None

    @property
    def state(self) -> RunState:
        parent: Any = self.parent
        found: RunState = parent.state
        return found

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """The verdict's text, without a traceback (outcomes.finish_report writes it)."""
        if isinstance(excinfo.value, CheckMismatch):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class GeneratedItem(_CheckItem):
    """One generated path, replayed on the implementation."""

    def __init__(self, *, check: GeneratedCheck, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        """Replays the path; raises CheckMismatch at the first difference."""
        began = time.perf_counter()
        state = self.state
        impl = state.implementation()
        steps: list[StepRecord] = []
        watch = ContractWatch(state.monitor, self.check.fixture)
        try:
            result = replay_check(impl, self.check, _recorder(state, steps, watch))
        except ContractBreach as breach:
            seconds = time.perf_counter() - began
            self.record = _generated_breach(self, breach, steps, seconds)
            raise CheckMismatch(self.record) from None
        self.record = _generated_record(self, result, steps, time.perf_counter() - began)
        if not result.ok:
            raise CheckMismatch(self.record)


def _recorder(
    state: RunState, steps: list[StepRecord], watch: ContractWatch | None = None
) -> StepObserver:
    def observe(index: int, step: WalkStep, expected: Outcome, observed: Outcome) -> None:
        if index < 0:
            state.secrets.add(_walk_secrets(step))
        else:
            state.secrets.add([step.value] if step.secret else [])
        view = None if isinstance(observed, Refusal) else observed  # masked as it leaves
        want = None if isinstance(expected, Refusal) or index < 0 else expected
        text = "リセット" if index < 0 else step_phrase(step)
        if steps and steps[-1].expected_view is not None:  # only a failing last step shows it
            steps[-1] = replace(steps[-1], expected_view=None)
        steps.append(StepRecord("もし", text, 0, "passed", view=view, expected_view=want))
        if watch is not None:
            watch(WalkStep("reset") if index < 0 else step, observed)

    return observe


def _walk_secrets(step: WalkStep) -> list[str]:
    return [step.value] if step.secret and step.value else []


def _generated_record(
    item: GeneratedItem, result: CheckResult, steps: list[StepRecord], seconds: float
) -> ItemRecord:
    check = item.check
    sections = _check_sections(item.state.spec, check)
    taken = tuple(check.transitions[: len(steps) - 1]) if steps else ()
    if result.ok and steps:
        steps[-1] = replace(steps[-1], expected_view=None)
    if not result.ok and steps:
        last = steps[-1]
        steps[-1] = StepRecord(
            last.keyword,
            last.text,
            last.line,
            "failed",
            view=last.view,
            expected_view=last.expected_view,
            expected=_shown(result.expected),
            observed=item.state.secrets.text(_shown(result.observed)),
            message=_graded_message(item.state, result.field, result.grounds),
            clauses=result.grounds.sections,
            assumptions=result.grounds.assumptions,
        )
    return ItemRecord(
        nodeid=item.nodeid,
        kind="generated",
        name=check.name,
        path=str(item.path),
        line=0,
        feature=_GENERATED_FEATURE,
        sections=sections,
        verdict="pass" if result.ok else "fail",
        clauses=result.sections if not result.ok else (),
        message="" if result.ok else _mismatch(result.field, result.expected, result.observed),
        replay=result.gherkin,
        steps=tuple(steps),
        transitions=((), *taken) if steps else (),
        seconds=seconds,
    )


def _generated_breach(
    item: GeneratedItem, breach: ContractBreach, steps: list[StepRecord], seconds: float
) -> ItemRecord:
    check = item.check
    secrets = item.state.secrets
    steps[-1] = failed_by(steps[-1], breach, secrets)
    taken = tuple(check.transitions[: len(steps) - 1])
    sections = _check_sections(item.state.spec, check)
    return ItemRecord(
        nodeid=item.nodeid,
        kind="generated",
        name=check.name,
        path=str(item.path),
        line=0,
        feature=_GENERATED_FEATURE,
        sections=sections,
        verdict="fail",
        clauses=narrowed(breach.clauses, sections),
        message=secrets.text(str(breach)),
        replay=breach_replay(check.fixture, breach, f"生成検査 {check.name}"),
        steps=tuple(steps),
        transitions=((), *taken),
        seconds=seconds,
    )


def _graded_message(state: RunState, field: str | None, grounds: Grounds) -> str:
    """What differs, and on what the spec's expectation rests (docs/grading.md)."""
    return f"{field} が仕様の期待と異なります ({grounds.describe(state.spec)})"


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _mismatch(field: str | None, expected: Any, observed: Any) -> str:
    return f"{field}: 仕様の期待は {_shown(expected)}、実装は {_shown(observed)}"


class DifferentialItem(_CheckItem):
    """Random walks from one starting fixture, on the implementation and the reference."""

    def __init__(self, *, fixture: WalkFixture, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fixture = fixture

    def runtest(self) -> None:
        """Walks; raises CheckMismatch with the shrunk walk where the two differ."""
        began = time.perf_counter()
        state = self.state
        options = state.options
        try:
            result = differential_check(
                state.implementation(),
                state.spec,
                max_examples=options.walks,
                seed=options.seed,
                fixtures=(self.fixture,),
                on_step=ContractWatch(state.monitor, self.fixture),
            )
        except ContractBreach as breach:
            self.record = _differential_breach(self, breach, time.perf_counter() - began)
            raise CheckMismatch(self.record) from None
        self.record = _differential_record(self, result, time.perf_counter() - began)
        if not result.ok:
            raise CheckMismatch(self.record)


def _differential_breach(
    item: DifferentialItem, breach: ContractBreach, seconds: float
) -> ItemRecord:
    secrets = item.state.secrets
    steps = [StepRecord("もし", step_phrase(step), 0, "passed") for step in breach.walk]
    steps = steps or [StepRecord("もし", "リセット", 0, "passed")]
    steps[-1] = failed_by(steps[-1], breach, secrets)
    state = item.state
    return ItemRecord(
        nodeid=item.nodeid,
        kind="differential",
        name=item.name,
        path=str(item.path),
        line=0,
        feature=_DIFFERENTIAL_FEATURE,
        sections=breach.breaches[0].sections,
        verdict="fail",
        clauses=breach.clauses,
        message=secrets.text(str(breach)),
        replay=breach_replay(item.fixture, breach, f"{item.name} (seed {state.options.seed})"),
        steps=tuple(steps),
        seconds=seconds,
        extra={"walks": f"walks from {item.fixture.name}, seed {state.options.seed}"},
    )


def _differential_record(
    item: DifferentialItem, result: DifferentialResult, seconds: float
) -> ItemRecord:
    walks = f"{result.examples} walks from {item.fixture.name}, seed {item.state.options.seed}"
    steps = tuple(StepRecord("もし", text, 0, "passed") for text in result.steps)
    if result.ok:
        summary = f"{item.fixture.title}から {result.examples} 回歩いて参照実装と同じ画面を示す"
        steps = (StepRecord("ならば", summary, 0, "passed"),)
    if not result.ok and steps:
        last = steps[-1]
        failed = StepRecord(
            last.keyword,
            last.text,
            0,
            "failed",
            expected=_shown(result.expected),
            observed=item.state.secrets.text(_shown(result.observed)),
            message=_graded_message(item.state, result.field, result.grounds),
            clauses=result.grounds.sections,
            assumptions=result.grounds.assumptions,
        )
        steps = (*steps[:-1], failed)
    return ItemRecord(
        nodeid=item.nodeid,
        kind="differential",
        name=item.name,
        path=str(item.path),
        line=0,
        feature=_DIFFERENTIAL_FEATURE,
        sections=tuple(result.sections),
        verdict="pass" if result.ok else "fail",
        clauses=tuple(result.sections) if not result.ok else (),
        message="" if result.ok else _mismatch(result.field, result.expected, result.observed),
        replay=result.gherkin,
        steps=steps,
        seconds=seconds,
        extra={"walks": walks},
    )
