"""One scenario as it runs against an implementation: the StepContext the phrases act on.

The 前提 steps build up `Facts`; the fixture they make is sent as one `reset` before the
first もし or ならば step (a reset per scenario is the isolation: the implementation process
lives for the whole run). Each step is recorded with the requests sent, the time they took
and the view seen; a step that does not pass raises `StepOutcome`, which pytest reports and
the plugin turns into a verdict.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from harness.adapters import ImplementationFailure
from harness.contracts import Breach, Monitor
from harness.contracts import Refusal as RefusalSeen
from harness.contracts import Request as RequestSent
from harness.protocol import CALLS, Implementation, reported_error
from harness.run.records import StepRecord, StepStatus
from harness.run.secrets import SecretBook
from harness.scenarios.feature import Step
from harness.vocabulary import Phrase
from harness.vocabulary.base import View
from harness.vocabulary.check import LATE_GIVEN
from harness.vocabulary.errors import Refused, StepError, StepFailed
from harness.vocabulary.facts import Facts
from statechart.model import Spec

__all__ = [
    "ContractBroken",
    "ExpectationMissed",
    "ScenarioContext",
    "StepOutcome",
    "attach_monitor",
    "breach_text",
    "monitor_of",
]

# A person's action refused as not_found or unsupported means the person could not do what
# the step says: a conformance failure. Any other refusal (bad_request, internal, or a
# refused clock, server, network, notify or biometric setup) means the run went wrong.
_FAILING_REFUSALS: Final = frozenset({"not_found", "unsupported"})
_PERSON_OPS: Final = frozenset({"launch", "tap", "enter", "key", "observe"})

OutcomeKind = Literal["failed", "error", "broken"]

_MONITORS: weakref.WeakKeyDictionary[Implementation, Monitor] = weakref.WeakKeyDictionary()


def attach_monitor(impl: Implementation, monitor: Monitor) -> None:
    """Makes `monitor` the contract monitor of every scenario run on `impl`.

    A conformance run attaches one per implementation session (harness/run/session.py);
    the scenarios that only replay the reference (harness/run/replay.py) have none.
    """
    _MONITORS[impl] = monitor


def monitor_of(impl: Implementation) -> Monitor | None:
    """The contract monitor attached to `impl`, if any."""
    try:
        return _MONITORS.get(impl)
    except TypeError:  # an implementation that cannot be weakly referenced has none
        return None


def breach_text(breaches: Sequence[Breach]) -> str:
    """The breaches of a step, as its failure message (the first one first)."""
    lines = []
    for breach in breaches:
        cited = ", ".join((*breach.sections, *breach.assumptions))
        lines.append(
            f"契約 {breach.contract} [{cited}] に反しています: {breach.message}"
            f" / 期待: {breach.expected} / 観測: {breach.observed}"
        )
    return "\n".join(lines)


class ContractBroken(StepFailed):
    """A request whose answer broke a contract of spec/contracts.yaml (the step fails).

    Attributes:
        breach: The first breach (its contract, sections and assumptions are recorded).
        breaches: Every breach of the request.
    """

    def __init__(self, breaches: Sequence[Breach]) -> None:
        first = breaches[0]
        super().__init__(first.expected, first.observed)
        self.breach = first
        self.breaches = tuple(breaches)

    def __str__(self) -> str:
        return breach_text(self.breaches)


class StepOutcome(Exception):
    """A step that did not pass.

    Attributes:
        kind: `failed` (an expectation missed, or a person's action refused), `error` (the
            step could not be carried out: contradictory 前提, a refused setup request) or
            `broken` (the implementation's process broke).
        step: The step's record.
        failure: The broken process's failure, for `broken`.
    """

    def __init__(
        self, kind: OutcomeKind, step: StepRecord, failure: ImplementationFailure | None = None
    ) -> None:
        super().__init__(step.message)
        self.kind: OutcomeKind = kind
        self.step = step
        self.failure = failure


class ExpectationMissed(StepOutcome, AssertionError):
    """A step whose expectation the implementation did not meet (an assertion, for the tools
    that tell a failed check from a broken run, such as Allure)."""


@dataclass
class ScenarioContext:
    """The StepContext of one scenario run: sends requests and records what it saw.

    Attributes:
        impl: The implementation (shared by the scenarios of a worker; `reset` isolates).
        spec: The spec (error catalogue, dialogs, rules).
        secrets: Every secret the run has sent, for masking what comes back.
        facts: What the 前提 steps stated so far.
        typed: The last value typed into each field (by label).
        otp_mark: The password seen when a ならば step last looked at it.
        steps: The records of the steps run so far.
        current: The step pytest-bdd is about to run (set by the plugin's hook).
        monitor: The implementation's contract monitor (default: the one attached to
            `impl`; None checks no contract).
        rewrite: Applied to the fixture before it is sent: the vendor's declaration turns
            it into the manual's own case without the capabilities it lacks
            (docs/declaration.md); None sends it as the 前提 steps made it.
    """

    impl: Implementation
    spec: Spec
    secrets: SecretBook
    facts: Facts = field(default_factory=Facts)
    typed: dict[str, str] = field(default_factory=dict)
    otp_mark: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    current: Step | None = None
    started: bool = False
    monitor: Monitor | None = None
    rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    _requests: list[dict[str, Any]] = field(default_factory=list)
    _seconds: float = 0.0
    _last_view: View | None = None
    _next_id: int = 1

    def __post_init__(self) -> None:
        if self.monitor is None:
            self.monitor = monitor_of(self.impl)

    # ---- StepContext

    def send(self, op: str, **args: Any) -> View:
        """Sends one request; raises Refused when the implementation refuses it.

        Raises:
            Refused: The implementation refused the request.
            ContractBroken: The answer broke a contract (checked before Refused).
        """
        self._requests.append({"id": self._next_id, "op": op, **args})
        self._next_id += 1
        self.secrets.sent(op, args)
        began = time.perf_counter()
        try:
            view = CALLS[op](self.impl, args)
        except ImplementationFailure:
            raise
        except Exception as error:
            reported = reported_error(error)
            if reported is None:
                raise
            self._check_contracts(op, args, RefusalSeen(reported[0], reported[1]))
            raise Refused(reported[0], reported[1], op) from None
        finally:
            self._seconds += time.perf_counter() - began
        if not isinstance(view, dict):
            message = f"op '{op}' returned {type(view).__name__}, not a view"
            self._check_contracts(op, args, RefusalSeen("internal", message))
            raise Refused("internal", message, op)
        self._last_view = view
        self._check_contracts(op, args, view)
        return view

    def _check_contracts(self, op: str, args: dict[str, Any], outcome: View | RefusalSeen) -> None:
        """Feeds the monitor the request as sent and its answer; a breach fails the step."""
        if self.monitor is None:
            return
        breaches = self.monitor.step(RequestSent(op, dict(args)), outcome)
        if breaches:
            raise ContractBroken(breaches)

    def view(self) -> View:
        """Observes the view now."""
        return self.send("observe")

    # ---- running steps

    def start(self) -> None:
        """Sends the fixture of the 前提 steps as `reset`."""
        self.started = True
        fixture = self.facts.to_fixture()
        self.send("reset", fixture=self.rewrite(fixture) if self.rewrite else fixture)

    def run_current(self, phrase: Phrase, params: dict[str, object]) -> None:
        """Carries out the step pytest-bdd is running (`current`) as `phrase`."""
        if self.current is None:
            raise RuntimeError("no current step: the otpspec plugin sets it before each step")
        self.run_step(self.current, phrase, params)

    def run_step(self, step: Step, phrase: Phrase, params: dict[str, object]) -> None:
        """Carries out one step and records it.

        Raises:
            StepOutcome: The step did not pass (its record says why).
        """
        self._requests, self._seconds, self._last_view = [], 0.0, None
        status: StepStatus = "passed"
        expected, observed, message = "", "", ""
        failure: ImplementationFailure | None = None
        broken: Breach | None = None
        try:
            self._attempt(step, phrase.handler, params)
        except ContractBroken as contract:
            status, expected, observed = "failed", contract.expected, contract.observed
            message, broken = str(contract), contract.breach
        except StepFailed as failed:
            status, expected, observed = "failed", failed.expected, failed.observed
            message = str(failed)
        except StepError as error:
            status, message = "error", f"ステップを実行できません: {error}"
        except Refused as refused:
            failing = refused.kind in _FAILING_REFUSALS and refused.op in _PERSON_OPS
            status = "failed" if failing else "error"
            observed = f"{refused.kind}: {refused.message}"
            if refused.kind == "internal":  # not a refusal: the implementation failed
                message = f"実装の内部エラーで要求を実行できませんでした: {observed}"
            else:
                message = f"実装が要求を拒否しました: {observed}"
        except ImplementationFailure as crashed:
            failure, status = crashed, "error"
            message = f"実装の異常 ({crashed.kind}): {crashed.message}"
        record = self._record(step, phrase.doc, status, expected, observed, message)
        if broken is not None:
            record = replace(
                record,
                contract=broken.contract,
                clauses=broken.sections,
                assumptions=broken.assumed,
            )
        self.steps.append(record)
        if status == "failed":
            raise ExpectationMissed("failed", record)
        if status != "passed":
            raise StepOutcome("broken" if failure else "error", record, failure)

    def _attempt(self, step: Step, handler: Callable[..., None], params: dict[str, object]) -> None:
        if step.kind == "given" and self.started:
            raise StepError(LATE_GIVEN)
        if step.kind != "given" and not self.started:
            self.start()
        handler(self, **params)

    def _record(
        self,
        step: Step,
        expectation: str,
        status: StepStatus,
        expected: str,
        observed: str,
        message: str,
    ) -> StepRecord:
        mask = self.secrets
        return StepRecord(
            keyword=step.keyword,
            text=step.text,
            line=step.line,
            status=status,
            requests=tuple(self._requests),
            view=self._last_view,  # masked as the record leaves (outcomes.finish_report)
            expectation=expectation,
            expected=expected,
            observed=mask.text(observed),
            message=mask.text(message),
            seconds=self._seconds,
        )
