"""`otpspec conform`: runs the scenarios and checks against implementations.

One run per implementation: every scenario of the feature files (the spec and features
are loaded once), then the generated checks (harness/generation/checks.py) and the
differential check (harness/generation/differential.py). Each scenario is also replayed on
an in-process reference that records the spec transitions each step takes: a transition is
`covered` when its step passed against the implementation and `failing` when it failed.
A broken implementation process fails the scenario it broke in, with its kind and stderr
tail; the adapter starts a fresh process for the next one. harness/reports/writers.py writes
the reports of a `ConformRun`.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from harness.adapters import (
    REFERENCE,
    Adapter,
    ImplementationError,
    ImplementationFailure,
    adapter_for,
    parse_impl_command,
)
from harness.protocol import Implementation, Op
from harness.run.runner import ScenarioResult, StepResult, run_scenario
from harness.scenarios.gherkin import Feature, FeatureInvalid, Scenario, load_features
from harness.scenarios.replay import DEFAULT_FEATURES_DIR, ScenarioReplayer, split_per_step
from harness.scenarios.text import Masker, scenario_secrets, secret_fields
from harness.vocabulary.phrases import match_step
from statechart.checks import check_spec
from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.model import Spec
from statechart.problems import SpecInvalid

__all__ = [
    "DEFAULT_REPORT_DIR",
    "CheckOutcome",
    "CheckStatus",
    "ConformError",
    "ConformOptions",
    "ConformRun",
    "ImplFailure",
    "ImplRun",
    "Progress",
    "ScenarioRun",
    "conform",
    "coverage_of",
    "load_inputs",
    "run_implementation",
]

DEFAULT_REPORT_DIR: Final = Path("reports")
EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_NOT_STARTED: Final = 3

CheckStatus = Literal["passed", "failed", "not run"]
_COVERAGE_MARK: Final = {"passed": "covered", "failed": "failing", "error": "failing"}


class ConformError(Exception):
    """Bad input for conform (an --impl, a feature path, the spec): one line for the user."""


@dataclass(frozen=True)
class ConformOptions:
    """What `otpspec conform` runs and where it reports.

    Attributes:
        impls: Implementation command lines; empty (or "reference"): the in-process reference.
        report_dir: Where the reports go.
        features: Feature files or directories.
        timeout: Seconds a subprocess gets per request.
        differential: Run the differential check.
        generated: Run the generated checks.
        seed: The differential check's seed.
        max_examples: Walks the differential check tries.
        diagrams: Render the diagrams into the report.
        spec_dir: The spec directory.
    """

    impls: tuple[str, ...] = ()
    report_dir: Path = DEFAULT_REPORT_DIR
    features: tuple[Path, ...] = (DEFAULT_FEATURES_DIR,)
    timeout: float = 5.0
    differential: bool = True
    generated: bool = True
    seed: int = 0
    max_examples: int = 100
    diagrams: bool = True
    spec_dir: Path = DEFAULT_SPEC_DIR


@dataclass(frozen=True)
class CheckOutcome:
    """The generated checks or the differential check, as run on one implementation.

    Attributes:
        name: `generated checks` or `differential check`.
        status: passed, failed or `not run`.
        summary: One line: what ran and what came of it, or why it did not run.
        passed: Checks that passed.
        failed: Checks that failed.
        sections: Manual sections the failures involve.
        failures: JSON-ready details of each failure (masked; with a `gherkin` replay).
        seconds: Time taken.
    """

    name: str
    status: CheckStatus
    summary: str
    passed: int = 0
    failed: int = 0
    sections: tuple[str, ...] = ()
    failures: tuple[dict[str, Any], ...] = ()
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The outcome as JSON-ready data."""
        return {
            "status": self.status,
            "summary": self.summary,
            "passed": self.passed,
            "failed": self.failed,
            "sections": list(self.sections),
            "failures": list(self.failures),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class ImplFailure:
    """The implementation's process broke during a scenario (masked)."""

    kind: str
    message: str
    stderr_tail: str


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario as run on an implementation, and as the reference ran it.

    Attributes:
        scenario: The scenario.
        result: The implementation's result.
        step_seconds: Time its requests took, per step (None: skipped or undefined).
        expected_views: The reference's view after each step (None: no view there).
        transitions: The spec transitions the reference took at each step.
        failure: The implementation's process broke in it.
    """

    scenario: Scenario
    result: ScenarioResult
    step_seconds: tuple[float | None, ...]
    expected_views: tuple[dict[str, Any] | None, ...]
    transitions: tuple[tuple[str, ...], ...]
    failure: ImplFailure | None = None

    @property
    def passed(self) -> bool:
        """True if the scenario passed."""
        return self.result.status == "passed"


def coverage_of(scenarios: Iterable[ScenarioRun]) -> dict[str, str]:
    """Transition id → `covered` or `failing` (failing anywhere wins); unexercised absent."""
    marks: dict[str, str] = {}
    for run in scenarios:
        for step, taken in zip(run.result.steps, run.transitions, strict=True):
            mark = _COVERAGE_MARK.get(step.status)
            if mark is None:  # skipped or undefined: the implementation never did it
                continue
            for tid in taken:
                if marks.get(tid) != "failing":
                    marks[tid] = mark
    return dict(sorted(marks.items()))


@dataclass(frozen=True)
class ImplRun:
    """Everything run on one implementation.

    Attributes:
        impl: The `--impl` command line, or "reference" for the in-process reference.
        label: A file-name-safe name, unique within the conform run.
        name: The name it gave in `hello`.
        version: The version it gave in `hello`.
        capabilities: The capabilities it gave in `hello`.
        scenarios: The scenarios, in feature order.
        generated: The generated checks.
        differential: The differential check.
        timings: Seconds per phase (`hello`, `scenarios`, `generated`, `differential`, `total`).
        start_failure: Why it could not start ("" if it did).
    """

    impl: str
    label: str
    name: str = ""
    version: str = ""
    capabilities: tuple[str, ...] = ()
    scenarios: tuple[ScenarioRun, ...] = ()
    generated: CheckOutcome = CheckOutcome("generated checks", "not run", "not run")
    differential: CheckOutcome = CheckOutcome("differential check", "not run", "not run")
    timings: dict[str, float] = field(default_factory=dict)
    start_failure: str = ""

    @property
    def coverage(self) -> dict[str, str]:
        """Transition id → covered / failing, from the scenarios."""
        return coverage_of(self.scenarios)

    @property
    def counts(self) -> dict[str, int]:
        """passed / failed / skipped / undefined over scenarios, generated checks, differential."""
        counts = {"passed": 0, "failed": 0, "skipped": 0, "undefined": 0}
        for run in self.scenarios:
            status = run.result.status
            counts["failed" if status == "error" else status] += 1
        for check in (self.generated, self.differential):
            counts["passed"] += check.passed
            counts["failed"] += check.failed
        return counts

    @property
    def ok(self) -> bool:
        """True if it started and everything run on it passed."""
        counts = self.counts
        return not self.start_failure and counts["failed"] == counts["undefined"] == 0


@dataclass(frozen=True)
class ConformRun:
    """A whole `otpspec conform`: the spec, the features, one run per implementation."""

    spec: Spec
    features: tuple[Feature, ...]
    runs: tuple[ImplRun, ...]

    @property
    def exit_code(self) -> int:
        """3 if an implementation could not start, else 1 if anything failed, else 0."""
        if any(run.start_failure for run in self.runs):
            return EXIT_NOT_STARTED
        return EXIT_OK if all(run.ok for run in self.runs) else EXIT_FAILED


class Progress:
    """Told what happens while conform runs; does nothing (the CLI's printer overrides it)."""

    def begin(self, run: ImplRun, total: int) -> None:
        """An implementation started (`run` holds its hello) with `total` scenarios to run."""

    def scenario(self, done: ScenarioRun) -> None:
        """A scenario finished."""

    def feature(self, feature: Feature, runs: Sequence[ScenarioRun]) -> None:
        """A feature file finished."""

    def check(self, name: str, outcome: CheckOutcome | None) -> None:
        """A check starts (`outcome` None) or finished."""

    def end(self, run: ImplRun) -> None:
        """An implementation finished (or could not start)."""


# ---- inputs


def load_inputs(
    options: ConformOptions, spec: Spec | None = None
) -> tuple[Spec, tuple[Feature, ...]]:
    """Checks the --impl commands, then loads the spec (unless given) and the features once.

    Raises:
        ConformError: A command cannot be split, a path is missing, a file is invalid.
    """
    for impl in options.impls:
        if impl.strip() != REFERENCE:
            try:
                parse_impl_command(impl)
            except ValueError as error:
                raise ConformError(str(error)) from None
    missing = [str(path) for path in options.features if not path.exists()]
    if missing:
        raise ConformError(f"feature path not found: {', '.join(missing)}")
    spec = spec or _spec(options.spec_dir)
    try:
        features = load_features(options.features, spec)
    except FeatureInvalid as invalid:
        listed = "\n".join(problem.format() for problem in invalid.problems)
        message = f"the feature files have problems (run `otpspec validate`):\n{listed}"
        raise ConformError(message) from None
    if not any(feature.scenarios for feature in features):
        raise ConformError(f"no scenarios in {', '.join(map(str, options.features))}")
    return spec, features


def _spec(spec_dir: Path) -> Spec:
    """Loads the spec and runs its cross-checks (a hundredth of a second) once."""
    try:
        spec = load_spec(spec_dir)
        errors = [problem for problem in check_spec(spec) if problem.is_error]
    except SpecInvalid as invalid:
        errors = list(invalid.problems)
    if errors:
        raise ConformError(
            f"the spec {spec_dir} is invalid ({len(errors)} problems): run `otpspec validate`"
        )
    return spec


def _labels(impls: Sequence[str]) -> list[str]:
    """File-name-safe, unique names: `reference`, `otpspec-serve`, `otpspec-serve-2`."""
    labels: list[str] = []
    for impl in impls:
        words = [Path(word).name or word for word in parse_impl_command(impl)]
        base = re.sub(r"[^A-Za-z0-9._]+", "-", "-".join(words)).strip("-.")[:60] or "impl"
        label, number = base, 2
        while label in labels:
            label, number = f"{base}-{number}", number + 1
        labels.append(label)
    return labels


# ---- one implementation


class _Watched(Adapter):
    """An implementation whose requests are timed and whose process failures are kept."""

    def __init__(self, inner: Adapter) -> None:
        self.name = inner.name
        self._inner = inner
        self.seconds: list[float] = []
        self.failure: ImplementationFailure | None = None

    def begin(self) -> None:
        """Forgets the previous scenario's timings and failure."""
        self.seconds = []
        self.failure = None

    def close(self) -> None:
        """Closes the implementation."""
        self._inner.close()

    def _call(self, op: Op, args: dict[str, Any]) -> dict[str, Any]:
        began = time.perf_counter()
        try:
            # The public ops take the protocol's argument names, so one call fits all.
            method: Callable[..., dict[str, Any]] = getattr(self._inner, op)
            return method(**args)
        except ImplementationFailure as failure:
            self.failure = failure
            raise
        finally:
            self.seconds.append(time.perf_counter() - began)


def _masker(scenario: Scenario, fields: frozenset[str]) -> Masker:
    matches = [match_step(step.text, step.kind) for step in scenario.all_steps]
    return Masker(scenario_secrets([m for m in matches if m is not None], fields))


def _with_failure(
    result: ScenarioResult, failure: ImplementationFailure, masker: Masker
) -> tuple[ScenarioResult, ImplFailure]:
    """The result with the failing step saying what broke, not the runner's generic words."""
    kept = ImplFailure(failure.kind, masker.text(failure.message), masker.text(failure.stderr_tail))
    said = f"実装の異常 ({kept.kind}): {kept.message}"
    failed = result.failed_step
    if failed is None:
        return result, kept
    step = replace(failed, observed=said, message=said)
    steps = tuple(step if s is failed else s for s in result.steps)
    message = f"{result.feature_path}:{failed.line}: {failed.keyword} {failed.text}: {said}"
    return replace(result, steps=steps, message=message), kept


def _step_seconds(result: ScenarioResult, seconds: Sequence[float]) -> tuple[float | None, ...]:
    per_step = split_per_step(result, seconds)
    return tuple(
        None if step.status in ("skipped", "undefined") else sum(times, 0.0)
        for step, times in zip(result.steps, per_step, strict=True)
    )


def _views(steps: Sequence[StepResult]) -> tuple[dict[str, Any] | None, ...]:
    return tuple(step.view for step in steps)


@dataclass
class _Runner:
    """Runs the scenarios of one implementation and replays them on the reference."""

    impl: _Watched
    spec: Spec
    replayer: ScenarioReplayer
    fields: frozenset[str]

    def run(self, scenario: Scenario) -> ScenarioRun:
        self.impl.begin()
        result = run_scenario(self.impl, scenario, spec=self.spec)
        seconds, failure = self.impl.seconds, self.impl.failure
        kept = None
        if failure is not None:
            result, kept = _with_failure(result, failure, _masker(scenario, self.fields))
        replay = self.replayer.replay(scenario)
        return ScenarioRun(
            scenario=scenario,
            result=result,
            step_seconds=_step_seconds(result, seconds),
            expected_views=_views(replay.result.steps),
            transitions=replay.transitions,
            failure=kept,
        )


def _hello(adapter: Adapter) -> dict[str, Any] | str:
    """The hello answer, or why the implementation could not start."""
    try:
        return adapter.hello()
    except ImplementationFailure as failure:
        tail = f"\n{failure.stderr_tail}" if failure.stderr_tail else ""
        return f"{failure.kind}: {failure.message}{tail}"
    except ImplementationError as error:
        return f"it refused hello: {error}"


def run_implementation(
    impl: str,
    label: str,
    spec: Spec,
    features: Sequence[Feature],
    options: ConformOptions,
    progress: Progress | None = None,
) -> ImplRun:
    """Runs every scenario, then the generated and differential checks, on one implementation.

    Args:
        impl: "reference" (in process) or a command line.
        label: Its file-name-safe name.
        spec: The loaded spec.
        features: The loaded features.
        options: Timeout, checks to run, seed.
        progress: Told of each scenario, feature and check.
    """
    progress = progress or Progress()
    began = time.perf_counter()
    with adapter_for(impl, spec, timeout=options.timeout) as adapter:
        hello = _hello(adapter)
        if isinstance(hello, str):
            run = ImplRun(impl, label, start_failure=hello)
            progress.end(run)
            return run
        run = ImplRun(
            impl,
            label,
            name=str(hello.get("name", "")),
            version=str(hello.get("version", "")),
            capabilities=tuple(str(c) for c in hello.get("capabilities", ())),
        )
        timings = {"hello": time.perf_counter() - began}
        progress.begin(run, sum(len(feature.scenarios) for feature in features))
        scenarios = _run_features(adapter, spec, features, progress, timings)
        generated = _timed(
            timings, "generated", lambda: _generated(adapter, spec, options, progress)
        )
        differential = _timed(
            timings, "differential", lambda: _differential(adapter, spec, options, progress)
        )
    timings["total"] = time.perf_counter() - began
    rounded = {name: round(value, 3) for name, value in timings.items()}
    run = replace(
        run, scenarios=scenarios, generated=generated, differential=differential, timings=rounded
    )
    progress.end(run)
    return run


def _timed(timings: dict[str, float], name: str, work: Callable[[], CheckOutcome]) -> CheckOutcome:
    began = time.perf_counter()
    outcome = work()
    timings[name] = time.perf_counter() - began
    return replace(outcome, seconds=timings[name])


def _run_features(
    adapter: Adapter,
    spec: Spec,
    features: Sequence[Feature],
    progress: Progress,
    timings: dict[str, float],
) -> tuple[ScenarioRun, ...]:
    began = time.perf_counter()
    runner = _Runner(_Watched(adapter), spec, ScenarioReplayer(spec), secret_fields(spec))
    done: list[ScenarioRun] = []
    for feature in features:
        runs: list[ScenarioRun] = []
        for scenario in feature.scenarios:
            runs.append(runner.run(scenario))
            progress.scenario(runs[-1])
        progress.feature(feature, runs)
        done.extend(runs)
    timings["scenarios"] = time.perf_counter() - began
    return tuple(done)


# ---- the checks of other modules, run when they are there


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:  # the module is there but one of its imports is not
            raise
        return None


def _not_run(name: str, why: str) -> CheckOutcome:
    return CheckOutcome(name, "not run", f"not run: {why}")


def _broken(name: str, error: Exception) -> CheckOutcome:
    message = f"{type(error).__name__}: {error}"
    return CheckOutcome(
        name, "failed", f"failed: {message}", failed=1, failures=({"error": message},)
    )


def _generated(
    impl: Implementation, spec: Spec, options: ConformOptions, progress: Progress
) -> CheckOutcome:
    name = "generated checks"
    if not options.generated:
        return _not_run(name, "turned off (--no-generated)")
    paths = _module("harness.generation.checks")
    if paths is None:
        return _not_run(name, "harness/generation/checks.py is not there")
    progress.check(name, None)
    try:
        results = paths.run_generated(impl, paths.generate_checks(spec))
    except Exception as error:  # a broken implementation or check: reported, the run goes on
        outcome = _broken(name, error)
    else:
        outcome = _generated_outcome(name, results)
    progress.check(name, outcome)
    return outcome


def _finding(result: Any) -> dict[str, Any]:
    keys = ("name", "step", "field", "expected", "observed", "sections", "gherkin", "fixture")
    found = {key: getattr(result, key) for key in keys if hasattr(result, key)}
    if "sections" in found:
        found["sections"] = list(found["sections"])
    if isinstance(getattr(result, "steps", None), tuple):
        found["steps"] = list(result.steps)
    return found


def _generated_outcome(name: str, results: Sequence[Any]) -> CheckOutcome:
    failed = [r for r in results if not r.ok]
    passed = len(results) - len(failed)
    sections = tuple(dict.fromkeys(s for r in failed for s in r.sections))
    return CheckOutcome(
        name,
        "failed" if failed else "passed",
        f"{len(results)} checks: {passed} passed, {len(failed)} failed",
        passed=passed,
        failed=len(failed),
        sections=sections,
        failures=tuple(_finding(r) for r in failed),
    )


def _differential(
    impl: Implementation, spec: Spec, options: ConformOptions, progress: Progress
) -> CheckOutcome:
    name = "differential check"
    if not options.differential:
        return _not_run(name, "turned off (--no-differential)")
    module = _module("harness.generation.differential")
    if module is None:
        return _not_run(name, "harness/generation/differential.py is not there")
    progress.check(name, None)
    try:
        result = module.differential_check(
            impl, spec, max_examples=options.max_examples, seed=options.seed
        )
    except Exception as error:  # a broken implementation or check: reported, the run goes on
        outcome = _broken(name, error)
    else:
        walks = f"{result.examples} walks, seed {options.seed}"
        if result.ok:
            outcome = CheckOutcome(name, "passed", f"passed ({walks})", passed=1)
        else:
            summary = f"failed ({walks}): the views differ at {result.field}"
            finding = (_finding(result),)
            sections = tuple(result.sections)
            outcome = CheckOutcome(name, "failed", summary, 0, 1, sections, finding)
    progress.check(name, outcome)
    return outcome


# ---- the whole run


def conform(
    options: ConformOptions, progress: Progress | None = None, *, spec: Spec | None = None
) -> ConformRun:
    """Runs the scenarios and checks on every implementation of the options.

    Args:
        options: What to run and how.
        progress: Told of each scenario, feature file and check.
        spec: The loaded spec (default: loaded from `options.spec_dir`).

    Raises:
        ConformError: Bad input: an --impl that cannot be split, a missing or invalid
            feature file, an invalid spec.
    """
    spec, features = load_inputs(options, spec)
    impls = options.impls or (REFERENCE,)
    runs = tuple(
        run_implementation(impl, label, spec, features, options, progress)
        for impl, label in zip(impls, _labels(impls), strict=True)
    )
    return ConformRun(spec, features, runs)
