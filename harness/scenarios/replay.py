"""Scenarios replayed on the in-process reference: the paths the statechart allows.

`otpspec validate` replays every scenario on the reference and reports each scenario whose
steps the reference refuses or fails, located at the step (issue 6). `otpspec conform`
replays them too, to learn which spec transitions each step takes (the coverage overlay)
and what the reference shows at each step (the expected views of a report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from harness.diagrams.labels import transition_id
from harness.resources import FEATURES_DIR
from harness.run.runner import ScenarioResult, check_steps, run_scenario
from harness.scenarios.feature import Feature, FeatureInvalid, FeatureProblem, Scenario
from harness.scenarios.gherkin import load_features
from statechart.app import ReferenceApp
from statechart.loader import DEFAULT_SPEC_DIR
from statechart.model import Spec, Transition
from statechart.problems import Location, Problem, sort_problems

__all__ = [
    "DEFAULT_FEATURES_DIR",
    "FeatureCheck",
    "Replay",
    "ScenarioReplayer",
    "check_features",
    "default_feature_paths",
    "scenario_path_problems",
    "shown_path",
    "split_per_step",
]

DEFAULT_FEATURES_DIR: Final = FEATURES_DIR
"""The shipped features (package data of `harness.features`)."""


class _TracingReference:
    """The reference app in process, logging the spec transitions each request takes.

    It calls ReferenceApp directly, as the feature tests do: the protocol's checks of
    every request and view (InProcessAdapter) would double the time validate takes.
    """

    def __init__(self, spec: Spec) -> None:
        self.app = ReferenceApp(spec)
        chart = spec.statechart
        # Ids looked up by identity once: transition_id searches its owner's list each time.
        self._ids = {
            id(t): transition_id(chart, t)
            for state in chart.iter_states()
            for t in state.transitions
        }
        self.calls: list[list[str]] = []
        self.app.machine.on_taken(self._taken)

    def _taken(self, transition: Transition) -> None:
        if self.calls:
            self.calls[-1].append(self._ids[id(transition)])

    def _op(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        self.calls.append([])
        return call()

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


def split_per_step(result: ScenarioResult, per_call: Sequence[Any]) -> list[list[Any]]:
    """Groups per-request records by step: each step sent `len(step.requests)` requests.

    Args:
        result: The scenario as run.
        per_call: One record per request sent, in order.

    Returns:
        One list of records per step of `result.steps`.
    """
    grouped: list[list[Any]] = []
    start = 0
    for step in result.steps:
        end = start + len(step.requests)
        grouped.append(list(per_call[start:end]))
        start = end
    return grouped


@dataclass(frozen=True)
class Replay:
    """A scenario as the reference ran it, with the transition ids each step took."""

    result: ScenarioResult
    transitions: tuple[tuple[str, ...], ...]


class ScenarioReplayer:
    """Replays scenarios on one in-process reference app, tracing transitions.

    Args:
        spec: The loaded spec (the reference is built from it once).
    """

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self._reference = _TracingReference(spec)

    def replay(self, scenario: Scenario) -> Replay:
        """Runs the scenario on the reference; `transitions` is aligned with its steps."""
        self._reference.calls.clear()
        result = run_scenario(self._reference, scenario, spec=self._spec)
        per_step = split_per_step(result, self._reference.calls)
        taken = tuple(tuple(tid for call in step for tid in call) for step in per_step)
        return Replay(result, taken)


def _path_problem(result: ScenarioResult) -> FeatureProblem | None:
    step = result.failed_step
    if step is None or result.status == "undefined":  # undefined steps: check_steps says so
        return None
    why = {
        "failed": "参照実装ではこのステップが成り立ちません",
        "error": "参照実装ではこのステップを実行できません",
    }.get(step.status, "参照実装で失敗します")
    message = f"{why} (シナリオ「{result.name}」): {step.message}"
    return FeatureProblem(result.feature_path, step.line, step.text, message)


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
    found = (_path_problem(replayer.replay(scenario).result) for scenario in scenarios)
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


def shown_path(path: Path) -> Path:
    """The path relative to the working directory when it is below it (for locations)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def default_feature_paths(spec_dir: Path) -> list[Path]:
    """The shipped features when `spec_dir` is the shipped spec, else none (another spec)."""
    same = spec_dir.resolve() == DEFAULT_SPEC_DIR.resolve()
    return [shown_path(DEFAULT_FEATURES_DIR)] if same and DEFAULT_FEATURES_DIR.is_dir() else []


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
