"""Runs scenarios of the feature files against any implementation of protocol v1.

One execution path: the test suite and `otpspec conform` both call `run_scenario`. The
前提 steps build a fixture, sent as `reset` before the first もし or ならば step (a reset
per scenario is the isolation; the implementation runs once). Each step is recorded with
the requests sent, the view seen and, when it fails, what was expected and observed;
secrets are masked in everything recorded (see runner_text.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from harness.protocol import CALLS, Implementation, reported_error
from harness.scenarios.gherkin import Feature, FeatureProblem, Scenario, Step
from harness.scenarios.text import Masker, replay_text, scenario_secrets, secret_fields
from harness.vocabulary.base import View
from harness.vocabulary.errors import Refused, StepError, StepFailed
from harness.vocabulary.facts import Facts
from harness.vocabulary.phrases import Phrase, match_any, match_step, suggest
from statechart.model import Spec

__all__ = [
    "ScenarioResult",
    "ScenarioStatus",
    "StepResult",
    "StepStatus",
    "check_steps",
    "masked_name",
    "run_scenario",
    "undefined_message",
]

StepStatus = Literal["passed", "failed", "undefined", "skipped", "error"]
ScenarioStatus = Literal["passed", "failed", "undefined", "error"]
Match = tuple[Phrase, dict[str, object]]

_SCENARIO_STATUS: Final[dict[StepStatus, ScenarioStatus]] = {
    "failed": "failed",
    "undefined": "undefined",
    "error": "error",
}

# A person's action refused as not_found or unsupported means the person could not do what
# the step says: a conformance failure. Any other refusal (bad_request, internal, or a
# refused clock, server, network, notify or biometric setup) means the run went wrong.
_FAILING_REFUSALS: Final = frozenset({"not_found", "unsupported"})
_PERSON_OPS: Final = frozenset({"launch", "tap", "enter", "key", "observe"})


@dataclass(frozen=True)
class StepResult:
    """One step as run; every text is masked.

    Attributes:
        keyword: 前提, もし, ならば, かつ, ….
        text: The step's text.
        line: Its line in the feature file.
        status: passed, failed, undefined, skipped or error.
        requests: The requests sent for it (`reset` goes with the first もし/ならば step).
        view: The last view seen in the step, or None.
        expectation: What the step checks or does (its phrase's doc).
        expected: On failure, what was expected.
        observed: On failure, what was observed.
        message: On failure, the whole message.
    """

    keyword: str
    text: str
    line: int
    status: StepStatus
    requests: tuple[dict[str, Any], ...] = ()
    view: dict[str, Any] | None = None
    expectation: str = ""
    expected: str = ""
    observed: str = ""
    message: str = ""

    def as_step(self) -> Step:
        """The step (masked) for a replay; the kind does not matter there."""
        return Step(self.keyword, self.text, self.line, "given")


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario as run; names, texts, requests and views are masked."""

    feature_path: str
    feature_name: str
    name: str
    line: int
    tags: tuple[str, ...]
    status: ScenarioStatus
    steps: tuple[StepResult, ...]
    duration: float
    message: str = ""

    @property
    def location(self) -> str:
        """`path:line` of the scenario."""
        return f"{self.feature_path}:{self.line}"

    @property
    def failed_step(self) -> StepResult | None:
        """The step that failed, was undefined or hit an error."""
        return next((s for s in self.steps if s.status not in ("passed", "skipped")), None)

    def replay(self) -> str:
        """The scenario up to and including its failing step, as a feature file ('' if passed)."""
        failed = self.failed_step
        if failed is None:
            return ""
        end = self.steps.index(failed) + 1
        return replay_text(
            location=self.location,
            feature_name=self.feature_name,
            name=self.name,
            tags=self.tags,
            steps=[step.as_step() for step in self.steps[:end]],
            observed=failed.observed or failed.message,
            expected=failed.expected,
        )

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "feature": self.feature_path,
            "scenario": self.name,
            "line": self.line,
            "tags": list(self.tags),
            "status": self.status,
            "duration": round(self.duration, 6),
            "message": self.message,
            "steps": [_step_dict(step) for step in self.steps],
        }


def _step_dict(step: StepResult) -> dict[str, Any]:
    return {
        "keyword": step.keyword,
        "text": step.text,
        "line": step.line,
        "status": step.status,
        "requests": list(step.requests),
        "view": step.view,
        "expectation": step.expectation,
        "expected": step.expected,
        "observed": step.observed,
        "message": step.message,
    }


def undefined_message(step: Step) -> str:
    """Says that no phrase matches a step, with the nearest phrases and a wrong kind."""
    message = f"未定義のステップ: {step.keyword} {step.text}"
    other = match_any(step.text)
    if other is not None:
        message += f" (これは「{other.keyword}」のステップです)"
    nearest = suggest(step.text, step.kind)
    if nearest:
        message += " もしかして: " + " / ".join(nearest)
    return message + "。`otpspec steps` で使える文を一覧できます"


def check_steps(features: Iterable[Feature]) -> tuple[FeatureProblem, ...]:
    """Finds undefined steps and 前提 after もし/ならば, without running anything.

    An outline's step is reported once, for its first row.
    """
    problems: list[FeatureProblem] = []
    for feature in features:
        seen: set[tuple[int, str]] = set()
        for scenario in feature.scenarios:
            for what, problem in _scenario_problems(scenario):
                if (problem.line, what) not in seen:
                    seen.add((problem.line, what))
                    problems.append(problem)
    return tuple(problems)


def _scenario_problems(scenario: Scenario) -> Iterable[tuple[str, FeatureProblem]]:
    path = scenario.feature_path
    acted = False
    for step in scenario.all_steps:
        if match_step(step.text, step.kind) is None:
            yield "undefined", FeatureProblem(path, step.line, step.text, undefined_message(step))
        if step.kind == "given" and acted:
            yield "late", FeatureProblem(path, step.line, step.text, _LATE_GIVEN)
        acted = acted or step.kind != "given"


_LATE_GIVEN: Final = (
    "前提は最初の「もし」「ならば」より前に書いてください (前提はアプリの初期状態です)"
)


@dataclass
class _Run:
    """The StepContext of one scenario run: sends requests and records what it saw."""

    impl: Implementation
    spec: Spec
    masker: Masker
    facts: Facts = field(default_factory=Facts)
    typed: dict[str, str] = field(default_factory=dict)
    otp_mark: str | None = None
    started: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    last_view: View | None = None
    next_id: int = 1

    def send(self, op: str, **args: Any) -> View:
        """Sends one request; raises Refused when the implementation refuses it."""
        self.requests.append(self.masker.data({"id": self.next_id, "op": op, **args}))
        self.next_id += 1
        try:
            view = CALLS[op](self.impl, args)
        except Exception as error:
            reported = reported_error(error)
            if reported is None:
                raise
            raise Refused(reported[0], reported[1], op) from None
        if not isinstance(view, dict):
            message = f"op '{op}' returned {type(view).__name__}, not a view"
            raise Refused("internal", message, op)
        self.last_view = view
        return view

    def view(self) -> View:
        """Observes the view now."""
        return self.send("observe")

    def start(self) -> None:
        """Sends the fixture of the 前提 steps as `reset`."""
        self.started = True
        self.send("reset", fixture=self.facts.to_fixture())


def _secrets_for(matches: list[Match | None], spec: Spec) -> Masker:
    found = [match for match in matches if match is not None]
    return Masker(scenario_secrets(found, secret_fields(spec)))


def masked_name(scenario: Scenario, *, spec: Spec) -> str:
    """The scenario's name with its secrets masked (an outline row's name holds its values)."""
    matches = [match_step(step.text, step.kind) for step in scenario.all_steps]
    return _secrets_for(matches, spec).text(scenario.name)


def run_scenario(impl: Implementation, scenario: Scenario, *, spec: Spec) -> ScenarioResult:
    """Runs one scenario: reset from its 前提, then its steps in order.

    Args:
        impl: The implementation (reused between scenarios; `reset` isolates them).
        scenario: The scenario.
        spec: The spec (secret fields, error catalogue, dialogs, rules).

    Returns:
        The result. A step with no phrase makes the scenario `undefined` before anything is
        sent; after the first step that does not pass, the rest are skipped.
    """
    began = time.perf_counter()
    steps = scenario.all_steps
    matches = [match_step(step.text, step.kind) for step in steps]
    run = _Run(impl, spec, _secrets_for(matches, spec))
    results = _undefined(steps, matches, run.masker) or _run_steps(run, steps, matches)
    return _result(scenario, results, run.masker, time.perf_counter() - began)


def _undefined(
    steps: tuple[Step, ...], matches: list[Match | None], masker: Masker
) -> list[StepResult]:
    if all(match is not None for match in matches):
        return []
    results: list[StepResult] = []
    for step, match in zip(steps, matches, strict=True):
        if match is None and all(r.status != "undefined" for r in results):
            message = masker.text(undefined_message(step))
            results.append(_plain(step, "undefined", masker, message=message))
        else:
            results.append(_plain(step, "skipped", masker))
    return results


def _plain(step: Step, status: StepStatus, masker: Masker, **extra: Any) -> StepResult:
    return StepResult(step.keyword, masker.text(step.text), step.line, status, **extra)


def _run_steps(run: _Run, steps: tuple[Step, ...], matches: list[Match | None]) -> list[StepResult]:
    results: list[StepResult] = []
    for step, match in zip(steps, matches, strict=True):
        if match is None or (results and results[-1].status != "passed"):
            results.append(_plain(step, "skipped", run.masker))
            continue
        results.append(_run_step(run, step, *match))
    return results


def _run_step(run: _Run, step: Step, phrase: Phrase, params: dict[str, object]) -> StepResult:
    run.requests = []
    run.last_view = None
    status, expected, observed, message = _attempt(run, step, phrase, params)
    masker = run.masker
    return StepResult(
        keyword=step.keyword,
        text=masker.text(step.text),
        line=step.line,
        status=status,
        requests=tuple(run.requests),
        view=None if run.last_view is None else masker.data(run.last_view),
        expectation=phrase.doc,
        expected=masker.text(expected),
        observed=masker.text(observed),
        message=masker.text(message),
    )


def _attempt(
    run: _Run, step: Step, phrase: Phrase, params: dict[str, object]
) -> tuple[StepStatus, str, str, str]:
    """Carries out a step: (status, expected, observed, message)."""
    try:
        if step.kind == "given" and run.started:
            raise StepError(_LATE_GIVEN)
        if step.kind != "given" and not run.started:
            run.start()
        phrase.handler(run, **params)
    except StepFailed as failed:
        return "failed", failed.expected, failed.observed, str(failed)
    except StepError as error:
        return "error", "", "", f"ステップを実行できません: {error}"
    except Refused as refused:
        failing = refused.kind in _FAILING_REFUSALS and refused.op in _PERSON_OPS
        status: StepStatus = "failed" if failing else "error"
        observed = f"{refused.kind}: {refused.message}"
        return status, "", observed, f"実装が要求を拒否しました: {observed}"
    except Exception as error:  # a bug in a handler or the implementation: report, go on
        return "error", "", "", f"予期しない例外: {type(error).__name__}: {error}"
    return "passed", "", "", ""


def _result(
    scenario: Scenario, steps: list[StepResult], masker: Masker, duration: float
) -> ScenarioResult:
    failed = next((s for s in steps if s.status not in ("passed", "skipped")), None)
    status: ScenarioStatus = "passed"
    message = ""
    if failed is not None:
        status = _SCENARIO_STATUS[failed.status]
        head = f"{scenario.feature_path}:{failed.line}: {failed.keyword} {failed.text}"
        message = f"{head}: {failed.message}"
    return ScenarioResult(
        feature_path=scenario.feature_path,
        feature_name=scenario.feature_name,
        name=masker.text(scenario.name),
        line=scenario.line,
        tags=scenario.tags,
        status=status,
        steps=tuple(steps),
        duration=duration,
        message=message,
    )
