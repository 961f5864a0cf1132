"""Scenarios replayed on the in-process reference: the paths the statechart allows.

The replay runs a scenario's steps through the same `ScenarioContext` a conformance run
uses, on the traced reference (`harness.generation.steps.TracingApp`). A conformance run
replays each scenario to learn which transitions its steps cover (the coverage overlay),
what the reference shows at each step (the report's side-by-side views) and what the spec
did in each step (`Replay.traces`, the grader's input: harness.grading.step_grounds);
`otpspec validate` replays every scenario and reports each one whose steps the reference
refuses or fails, located at the step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.generation.steps import TracingApp
from harness.grading.trace import StepTrace
from harness.run.context import ScenarioContext, StepOutcome
from harness.run.records import StepRecord
from harness.run.secrets import SecretBook, secret_fields
from harness.scenarios.feature import Feature, FeatureInvalid, FeatureProblem, Scenario
from harness.scenarios.gherkin import load_features
from harness.vocabulary import match_step
from harness.vocabulary.check import check_steps
from statechart.model import Spec
from statechart.problems import Location, Problem, sort_problems

__all__ = [
    "FeatureCheck",
    "Replay",
    "ScenarioReplayer",
    "check_features",
    "run_scenario_steps",
    "scenario_path_problems",
]


class _TracingReference:
    """The traced reference in process, with the protocol's operations as keyword calls.

    It calls the app directly: the protocol's checks of every request and view
    (InProcessAdapter) would double the time a replay takes. `calls` lists, per request,
    the ids of the transitions it took.
    """

    def __init__(self, spec: Spec) -> None:
        self.app = TracingApp(spec)
        self.calls: list[list[str]] = []

    def _op(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        before = len(self.app.taken)
        try:
            return call()
        finally:
            ids = self.app.index
            self.calls.append([ids.id_of(t) for t in self.app.taken[before:]])

    def hello(self) -> dict[str, Any]:
        """Names the reference."""
        return self._op(self.app.hello)

    def reset(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """Starts over from a fixture."""
        return self._op(lambda: self.app.reset(fixture))

    def launch(self) -> dict[str, Any]:
        """Launches the app."""
        return self._op(self.app.launch)

    def tap(self, target: str) -> dict[str, Any]:
        """Taps a label."""
        return self._op(lambda: self.app.tap(target))

    def enter(self, field: str, value: str) -> dict[str, Any]:
        """Types into a field."""
        return self._op(lambda: self.app.enter(field, value))

    def key(self, key: str) -> dict[str, Any]:
        """Presses a device key."""
        return self._op(lambda: self.app.key(key))

    def observe(self) -> dict[str, Any]:
        """The view."""
        return self._op(self.app.observe)

    def clock(self, *, advance: float | None = None, set: str | None = None) -> dict[str, Any]:
        """Moves or sets the clock."""
        return self._op(lambda: self.app.clock(advance=advance, set=set))

    def network(self, online: bool) -> dict[str, Any]:
        """Takes the device on or off line."""
        return self._op(lambda: self.app.network(online))

    def server(self, operation: str, code: str) -> dict[str, Any]:
        """Injects a server error."""
        return self._op(lambda: self.app.server(operation, code))

    def notify(self, transaction: str) -> dict[str, Any]:
        """Delivers a push notification."""
        return self._op(lambda: self.app.notify(transaction))

    def biometric(self, result: str) -> dict[str, Any]:
        """Answers the biometric prompt."""
        return self._op(lambda: self.app.biometric(result))


def run_scenario_steps(
    context: ScenarioContext,
    scenario: Scenario,
    *,
    around: tuple[Callable[[], None], Callable[[], None]] | None = None,
) -> None:
    """Runs a scenario's steps (background first) on a context, up to the first that fails.

    The records are in `context.steps`; a step no phrase reads ends the run, recorded as
    `undefined`.

    Args:
        context: The context to run on.
        scenario: The scenario.
        around: Called before and after each step that runs (the replay frames traces).
    """
    for step in scenario.all_steps:
        found = match_step(step.text, step.kind)
        if found is None:
            context.steps.append(StepRecord(step.keyword, step.text, step.line, "undefined"))
            return
        if around is not None:
            around[0]()
        try:
            context.run_step(step, *found)
        except StepOutcome:
            return
        finally:
            if around is not None:
                around[1]()


@dataclass(frozen=True)
class Replay:
    """A scenario as the reference ran it.

    Attributes:
        steps: The records of the steps the reference ran (it stops where one fails).
        transitions: Per step, the transition ids the reference took.
        traces: Per step, what the spec did (harness.grading.StepTrace).
    """

    steps: tuple[StepRecord, ...]
    transitions: tuple[tuple[str, ...], ...]
    traces: tuple[StepTrace, ...] = ()

    @property
    def failed_step(self) -> StepRecord | None:
        """The step the reference did not pass, if any."""
        return next((s for s in self.steps if s.status != "passed"), None)


class ScenarioReplayer:
    """Replays scenarios on one in-process reference app, tracing transitions.

    Args:
        spec: The loaded spec (the reference is built from it once).
    """

    def __init__(
        self, spec: Spec, rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    ) -> None:
        self._spec = spec
        self._reference = _TracingReference(spec)
        self._secrets = SecretBook(secret_fields(spec))
        self._rewrite = rewrite

    def replay(self, scenario: Scenario) -> Replay:
        """Runs the scenario on the reference; `transitions` and `traces` are aligned with
        its steps."""
        reference = self._reference
        reference.calls.clear()
        context = ScenarioContext(reference, self._spec, self._secrets, rewrite=self._rewrite)
        traces: list[StepTrace] = []
        app = reference.app

        def after() -> None:
            record = context.steps[-1] if len(context.steps) > len(traces) else None
            requests = record.requests if record is not None else ()
            traces.append(app.step_trace(tuple(_request(r) for r in requests)))

        run_scenario_steps(context, scenario, around=(app.begin_step, after))
        taken: list[tuple[str, ...]] = []
        calls = iter(reference.calls)
        for step in context.steps:
            taken.append(tuple(tid for _ in step.requests for tid in next(calls, [])))
        traces += [StepTrace() for _ in range(len(context.steps) - len(traces))]
        traces = _carried(context.steps, traces[: len(context.steps)])
        return Replay(tuple(context.steps), tuple(taken), tuple(traces))


def _carried(steps: Sequence[StepRecord], traces: list[StepTrace]) -> list[StepTrace]:
    """Gives a step that only looked (a ならば step's `observe`) the trace of the last step
    that acted, where the spec still rests there: what it checks is where that step led, so
    an assumed route (ASM-075's screen after a failed fetch) grades a deviation."""
    carried: list[StepTrace] = []
    acted: StepTrace | None = None
    for step, trace in zip(steps, traces, strict=True):
        looked = all(request.get("op") == "observe" for request in step.requests)
        if not looked or trace.transitions:
            acted = trace
        elif acted is not None and step.requests and acted.state == trace.state:
            trace = acted
        carried.append(trace)
    return carried


def _request(request: Mapping[str, Any]) -> tuple[str, str]:
    """A recorded request as (op, target)."""
    op = str(request.get("op", ""))
    for key in ("target", "field", "key", "transaction", "result", "operation"):
        value = request.get(key)
        if isinstance(value, str):
            return op, value
    return op, ""


def _path_problem(scenario: Scenario, replay: Replay) -> FeatureProblem | None:
    step = replay.failed_step
    if step is None or step.status == "undefined":  # undefined steps: check_steps says so
        return None
    why = {
        "failed": "参照実装ではこのステップが成り立ちません",
        "error": "参照実装ではこのステップを実行できません",
    }.get(step.status, "参照実装で失敗します")
    message = f"{why} (シナリオ「{scenario.name}」): {step.message}"
    return FeatureProblem(scenario.feature_path, step.line, step.text, message)


def scenario_path_problems(features: Iterable[Feature], spec: Spec) -> tuple[FeatureProblem, ...]:
    """Replays every scenario on the reference; each one it cannot follow is a problem.

    A person's action the reference refuses (not_found, unsupported) or an outcome it does
    not show fails the scenario at that step: the steps are not a path the statechart
    allows. The problem is located at the step, with its text.
    """
    scenarios = [scenario for feature in features for scenario in feature.scenarios]
    if not scenarios:  # no reference to build (another spec may not make one)
        return ()
    replayer = ScenarioReplayer(spec)
    found = (_path_problem(s, replayer.replay(s)) for s in scenarios)
    return tuple(dict.fromkeys(problem for problem in found if problem is not None))


@dataclass(frozen=True)
class FeatureCheck:
    """What `otpspec validate` found in the feature files."""

    files: int
    scenarios: int
    problems: tuple[Problem, ...]

    def as_dict(self) -> dict[str, object]:
        """The counts as JSON-ready data (problems are listed with the spec's)."""
        return {"files": self.files, "scenarios": self.scenarios, "problems": len(self.problems)}


def _as_problem(problem: FeatureProblem) -> Problem:
    return Problem(
        location=Location(problem.path, problem.line, 1),
        json_path=f"「{problem.text}」" if problem.text else "(ファイル)",
        message=problem.message,
        hint="",
    )


def check_features(spec: Spec, paths: Sequence[str | Path]) -> FeatureCheck:
    """Checks feature files: loading (names, tags, …), steps, then paths on the reference.

    Args:
        spec: The valid spec the features are checked against.
        paths: Feature files or directories.

    Returns:
        The counts and every problem, as spec problems located at file:line.
    """
    if not paths:
        return FeatureCheck(0, 0, ())
    missing = [Path(p) for p in paths if not Path(p).exists()]
    if missing:
        why = "そのようなファイルもディレクトリもありません。パスを確かめてください"
        absent = [FeatureProblem(str(p), 1, str(p), why) for p in missing]
        return FeatureCheck(0, 0, tuple(_as_problem(p) for p in absent))
    try:
        features = load_features(paths, spec)
    except FeatureInvalid as invalid:
        return FeatureCheck(0, 0, tuple(_as_problem(p) for p in invalid.problems))
    found = [*check_steps(features), *scenario_path_problems(features, spec)]
    count = sum(len(feature.scenarios) for feature in features)
    problems = sort_problems(_as_problem(p) for p in found)
    return FeatureCheck(len(features), count, tuple(problems))
