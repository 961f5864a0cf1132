"""The otpspec pytest plugin (entry point `pytest11`): the conformance suite as pytest tests.

Turned on by any `--otpspec…` option (or `otpspec = true` in the ini file). Then:

- every `.feature` file under the given paths is a module of pytest-bdd scenario tests,
  their steps the phrases of the step library (harness.run.steps), their `@section-…` and
  `@ASM-…` tags markers (`-m section-3.4`, or `--otpspec-section 3.9` for a section and its
  subsections);
- the spec's `statechart.yaml` yields the generated checks and the differential walks;
- with no paths on the command line, the shipped features and checks are collected;
- each process (each pytest-xdist worker) starts the implementation once and resets it
  for every item;
- every item ends with an `ItemRecord` carried on its report, and a failure is reported as
  its verdict, clauses and a replayable scenario, not a traceback;
- `--otpspec-report DIR` writes results.json, report.html, traceability.md, coverage.json
  and the diagrams from the records; pytest's `--junitxml`, pytest-bdd's `--cucumberjson`
  and allure-pytest-bdd report the same items.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from pytest_bdd.parser import Feature as BddFeature
from pytest_bdd.parser import Scenario as BddScenario
from pytest_bdd.parser import Step as BddStep

from harness.adapters import REFERENCE, CommandError, parse_impl_command
from harness.reports.publish import ReportDirError
from harness.reports.results import write_reports
from harness.reports.summary import Implementation, RunSummary, summarize
from harness.run import exports, lookup, outcomes
from harness.run.applicability import (
    NOT_APPLICABLE,
    Alarm,
    load_applicability,
    lost_by_rewrite,
    needs,
)
from harness.run.checks import ChecksFile, generated_checks
from harness.run.collect import FeatureFile, FeatureProblems
from harness.run.configure import loaded_spec, prepare_outputs, register_markers
from harness.run.context import ScenarioContext, StepOutcome
from harness.run.items import BDD_SCENARIO, CONTEXT, SCENARIO, is_ours, item_sections
from harness.run.memory import CollectorTuning
from harness.run.options import add_options, enabled, read_options
from harness.run.outcomes import Policy
from harness.run.records import ItemRecord
from harness.run.session import RunState
from harness.scenarios.feature import (
    FeatureProblem,
    Scenario,
    Step,
    StepKind,
    marker_name,
)
from harness.vocabulary.check import undefined_message

__all__ = ["STATE", "OtpspecRun", "otpspec_scenario"]

STATE: Final = pytest.StashKey["OtpspecRun"]()
"""The run, in `config.stash` (present when the plugin is on)."""
_KINDS: Final[dict[str, StepKind]] = {"given": "given", "when": "when", "then": "then"}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Adds the `--otpspec…` options."""
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Loads the spec once, registers the steps, the markers and the run; picks the paths."""
    if not enabled(config):
        return
    options = read_options(config)
    if options.impl != REFERENCE:
        try:
            parse_impl_command(options.impl)
        except CommandError as error:
            raise pytest.UsageError(f"--otpspec-impl: {error}") from None
    prepare_outputs(config, options)
    if options.report_dir is not None:  # hypothesis caches literals of the code it runs
        set_hypothesis_home_dir(options.report_dir / ".hypothesis")
    state = RunState(options, loaded_spec(options.spec_dir))
    applicability = None
    if options.declaration is not None:
        applicability = load_applicability(options.declaration, state.spec)
        state.absent = tuple(c for c in applicability.absent if c.without)
    run = OtpspecRun(config, state, Policy(options.strict, applicability))
    config.stash[STATE] = run
    from harness.run import steps  # defines the step fixtures: only when the plugin is on

    config.pluginmanager.register(steps, "otpspec-steps")
    lookup.install(config)
    config.pluginmanager.register(run, "otpspec-run")
    config.pluginmanager.register(CollectorTuning(config), "otpspec-memory")
    register_markers(config, run.state.spec)
    if config.args_source == pytest.Config.ArgsSource.INVOCATION_DIR:  # no paths, no testpaths
        config.args[:] = [*map(str, options.features), str(options.spec_dir)]


def _run(config: pytest.Config) -> OtpspecRun | None:
    return config.stash.get(STATE, None)


@pytest.fixture
def otpspec_scenario(request: pytest.FixtureRequest) -> Iterator[ScenarioContext]:
    """The running scenario's context: the implementation, its facts, what it saw."""
    run = _run(request.config)
    if run is None:
        pytest.fail("the otpspec plugin is off: run pytest with --otpspec", pytrace=False)
    state = run.state
    rewrite = state.rewrite if state.absent else None
    context = ScenarioContext(state.implementation(), state.spec, state.secrets, rewrite=rewrite)
    request.node.stash[CONTEXT] = context
    yield context


def _our_step(step: BddStep) -> Step:
    return Step(step.keyword.strip(), step.name, step.line_number, _KINDS.get(step.type, "given"))


def _repr_verdict(
    default: Callable[..., Any], excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
) -> Any:
    """A failing step's report text without its traceback (finish_report replaces it)."""
    if isinstance(excinfo.value, StepOutcome | FeatureProblems):
        return str(excinfo.value)
    return default(excinfo) if style is None else default(excinfo, style)


class OtpspecRun:
    """The plugin's hooks for one enabled run, around this process's `RunState`."""

    def __init__(self, config: pytest.Config, state: RunState, policy: Policy) -> None:
        self.config = config
        self.state = state
        self.policy = policy
        self.records: list[ItemRecord] = []
        self.about: dict[str, Any] = {}
        self.report_error = ""
        self.interrupted = False

    @property
    def is_worker(self) -> bool:
        """True in a pytest-xdist worker (the controller collects records and reports)."""
        return hasattr(self.config, "workerinput")

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Computes the generated checks once, before pytest-xdist starts its workers.

        That takes seconds on a first run. A signal meanwhile is taken up again when
        collection starts: pytest ends a session interrupted before it has started without
        pytest_sessionfinish, so no report would say that this run was interrupted, and an
        earlier run's reports would stay as if they were this one's.
        """
        if self.state.options.generated and not self.is_worker:
            try:
                generated_checks(self.state.spec, getattr(self.config, "cache", None))
            except KeyboardInterrupt:
                self.interrupted = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        """Ends the session a signal interrupted while it started (see sessionstart)."""
        if self.interrupted:
            raise KeyboardInterrupt

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        """Feature files, and the spec's statechart.yaml (the generated checks)."""
        if file_path.suffix == ".feature":
            feature: FeatureFile = FeatureFile.from_parent(parent, path=file_path)
            feature.spec = self.state.spec
            return feature
        if file_path.resolve() == (self.state.options.spec_dir / "statechart.yaml").resolve():
            checks: ChecksFile = ChecksFile.from_parent(parent, path=file_path)
            checks.state = self.state
            return checks
        return None

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """`--otpspec-section`: keeps the items of those sections and their subsections.

        Also spares pytest formatting a traceback for a verdict: the report's text is the
        record's (outcomes.finish_report), and a traceback costs ~0.4 s per failing item.
        """
        for item in items:
            if isinstance(item, pytest.Function) and is_ours(item):
                item.repr_failure = functools.partial(_repr_verdict, item.repr_failure)  # type: ignore[method-assign]
        wanted = self.state.options.sections
        if not wanted:
            return
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            sections = item_sections(self.state, item)
            chosen = any(s == w or s.startswith(w + ".") for s in sections for w in wanted)
            (keep if chosen else drop).append(item)
        if drop:
            self.config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_bdd_apply_tag(self, tag: str, function: Any) -> Any:
        """A tag becomes a marker of the same name (`(`, `)`, spaces … become `_`)."""
        return getattr(pytest.mark, marker_name(tag))(function)

    def pytest_bdd_before_scenario(
        self, request: pytest.FixtureRequest, feature: BddFeature, scenario: BddScenario
    ) -> None:
        """Keeps the scenario (as rendered for its example row) with its item."""
        node = request.node
        node.stash[BDD_SCENARIO] = scenario
        node.stash[SCENARIO] = Scenario(
            feature_path=str(node.path),
            name=scenario.name,
            line=scenario.line_number,
            tags=tuple(sorted(scenario.tags)),
            steps=tuple(_our_step(step) for step in scenario.steps),
            feature_name=feature.name,
        )

    def pytest_bdd_before_step(
        self,
        request: pytest.FixtureRequest,
        feature: BddFeature,
        scenario: BddScenario,
        step: BddStep,
        step_func: Any,
    ) -> None:
        """Tells the scenario's context which step pytest-bdd is about to run."""
        context: ScenarioContext = request.getfixturevalue("otpspec_scenario")
        context.current = _our_step(step)

    def pytest_bdd_step_func_lookup_error(
        self,
        request: pytest.FixtureRequest,
        feature: BddFeature,
        scenario: BddScenario,
        step: BddStep,
        exception: Exception,
    ) -> None:
        """An undefined step fails with the nearest phrases, not pytest-bdd's words."""
        message = undefined_message(_our_step(step))
        problem = FeatureProblem(feature.filename, step.line_number, step.name, message)
        raise FeatureProblems([problem])

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Gives each otpspec item's report its record, verdict and a readable failure."""
        report = yield
        outcomes.finish_report(self.state, item, call, report, self.policy)
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        """An item a signal cuts short still gets its report (an error, `interrupted`):
        pytest makes none, though JUnit lists the item from its setup."""
        try:
            return (yield)
        except KeyboardInterrupt:
            report = outcomes.cut_short(item)
            if report is not None:
                item.ihook.pytest_runtest_logreport(report=report)
            raise

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Does not run a check the declaration makes not applicable (it is skipped)."""
        applicability = self.policy.applicability
        if applicability is not None and is_ours(item):
            sections = item_sections(self.state, item)
            capability = lost_by_rewrite(self.state, item)
            if capability is None:
                needed = needs(self.state, item, sections)
                capability = applicability.governing(**needed) if needed is not None else None
            if capability is not None:
                pytest.skip(
                    f"{NOT_APPLICABLE}: {capability.id} ({capability.title}) is declared "
                    "absent in the vendor's declaration"
                )
        return (yield)

    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> tuple[str, str, str] | None:
        """Words for the verdicts pytest has no outcome of its own for."""
        return exports.teststatus(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keeps every record (on the controller, pytest-xdist delivers the workers')."""
        data = getattr(report, "otpspec", None)
        if isinstance(data, str):  # JSON text (outcomes.finish_report)
            record = ItemRecord.from_json(json.loads(data))
            exports.cucumber(report, record, worker=self.is_worker)
            if self.is_worker:
                return
            self.records.append(record)
            exports.junit_property(self.config, record)
            about = getattr(report, "otpspec_implementation", None)
            if isinstance(about, dict):
                self.about = about

    def implementation(self) -> Implementation:
        """The implementation as it named itself (in this process or in a worker)."""
        options = self.state.options
        about = dict(self.about)
        if self.state.hello is not None or self.state.start_failure:
            about = outcomes.implementation_data(self.state)
        return Implementation(
            command=options.impl,
            label=options.label,
            name=str(about.get("name", "")),
            version=str(about.get("version", "")),
            capabilities=tuple(str(c) for c in about.get("capabilities", ())),
            start_failure=str(about.get("start_failure", "")),
        )

    def alarms(self) -> list[Alarm]:
        """Where the vendor's declaration no longer matches the implementation."""
        applicability = self.policy.applicability
        if applicability is None:
            return []
        return applicability.alarms(self.state.spec, self.records)

    def summary(self) -> RunSummary:
        """The run so far, summed up."""
        options = self.state.options
        extra: dict[str, Any] = {
            "seed": options.seed,
            "walks": options.walks,
            "timeout": options.timeout,
            "start_timeout": options.start_timeout or options.timeout,
        }
        applicability = self.policy.applicability
        if applicability is not None:
            extra["declaration"] = str(options.declaration)
        return summarize(
            self.state.spec,
            self.implementation(),
            self.records,
            strict=options.strict,
            alarms=tuple(alarm.as_dict() for alarm in self.alarms()),
            extra=extra,
            interrupted=self.interrupted,
        )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Stops the implementation; the controller writes the reports."""
        self.interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        self.state.close()
        if self.is_worker:
            return
        if any(a.kind == "capability observed" for a in self.alarms()):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        report_dir = self.state.options.report_dir
        if report_dir is None:
            return
        try:
            write_reports(
                self.state.spec, self.summary(), report_dir, diagrams=self.state.options.diagrams
            )
        except ReportDirError as error:
            self.report_error = str(error)
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """One line with every verdict, and where the reports are."""
        if self.is_worker or not self.records:
            return
        terminalreporter.write_sep("-", "otpspec")
        terminalreporter.write_line(f"otpspec: {self.summary().line()}")
        for alarm in self.alarms():
            text = f"otpspec: ALARM {alarm.kind}: {alarm.subject}: {alarm.message}"
            terminalreporter.write_line(text, yellow=True)
        report_dir = self.state.options.report_dir
        if self.report_error:
            terminalreporter.write_line(f"otpspec: {self.report_error}", red=True)
        elif report_dir is not None:
            terminalreporter.write_line(f"otpspec: reports in {report_dir}/")
