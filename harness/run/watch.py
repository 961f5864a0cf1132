"""Generated checks and differential walks under the contracts: every request they send
the implementation, and its answer, goes to the run's contract monitor (harness.contracts).

`ContractWatch` is the observer both take (replay_check's, through harness/run/checks.py,
and differential_check's `on_step`); it raises `ContractBreach` at the first step whose
answer breaks a contract, with the walk up to it, which checks.py turns into the item's
failure: the step failed with the contract, its sections and its assumptions, and a
scenario that replays it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from harness.contracts import Breach, Monitor
from harness.contracts import Refusal as RefusalSeen
from harness.contracts import Request as RequestSent
from harness.generation.as_gherkin import scenario_text
from harness.generation.fixtures import WalkFixture, fixture_named
from harness.generation.steps import Difference, Outcome, Refusal, WalkStep
from harness.run.context import breach_text
from harness.run.records import StepRecord
from harness.run.secrets import SecretBook

__all__ = ["ContractBreach", "ContractWatch", "breach_replay", "failed_by"]


class ContractBreach(Exception):
    """A step of a generated check or walk whose answer broke a contract.

    Attributes:
        walk: The steps since the reset, the breaking one last.
        breaches: What the monitor found at that step.
    """

    def __init__(self, walk: tuple[WalkStep, ...], breaches: tuple[Breach, ...]) -> None:
        super().__init__(breach_text(breaches))
        self.walk = walk
        self.breaches = breaches

    @property
    def clauses(self) -> tuple[str, ...]:
        """The first breach's sections, then the assumptions that alone require what broke."""
        first = self.breaches[0]
        return (*first.sections, *first.assumed)


_ARGUMENTS: Final[dict[str, Callable[[WalkStep], dict[str, Any]]]] = {
    "launch": lambda step: {},
    "tap": lambda step: {"target": step.target},
    "enter": lambda step: {"field": step.target, "value": step.value},
    "key": lambda step: {"key": step.target},
    "clock": lambda step: {"advance": step.seconds},
    "notify": lambda step: {"transaction": step.target},
    "biometric": lambda step: {"result": step.target},
    "server": lambda step: {"operation": step.target, "code": step.value},
}
"""A walk step as the request it sends (generation/steps.py's calls)."""


class ContractWatch:
    """Feeds a check's or walk's requests and answers to the run's contract monitor.

    Called with each step and what the implementation answered; a `reset` step stands for
    the reset with the walk fixture it names (differential_check's hook), or with `fixture`
    when it names none (replay_check's observer). Raises ContractBreach when the answer
    breaks a contract.
    """

    def __init__(self, monitor: Monitor, fixture: WalkFixture | None = None) -> None:
        self.monitor = monitor
        self.fixture = fixture
        self.walk: list[WalkStep] = []

    def __call__(self, step: WalkStep, outcome: Outcome) -> None:
        if step.op == "reset":
            self.walk = []
            if step.target and (self.fixture is None or self.fixture.name != step.target):
                self.fixture = fixture_named(step.target)
            if self.fixture is None:
                raise ValueError("a reset without a walk fixture: name one, or give one")
            request = RequestSent("reset", {"fixture": self.fixture.fixture()})
        else:
            self.walk.append(step)
            request = RequestSent(step.op, _ARGUMENTS[step.op](step))
        seen = (
            RefusalSeen(outcome.kind, outcome.message) if isinstance(outcome, Refusal) else outcome
        )
        breaches = self.monitor.step(request, seen)
        if breaches:
            raise ContractBreach(tuple(self.walk), tuple(breaches))


def breach_replay(fixture: WalkFixture, breach: ContractBreach, title: str) -> str:
    """A feature file that replays the walk: its last もし step breaks the contract."""
    first = breach.breaches[0]
    text = scenario_text(
        title=title,
        fixture=fixture,
        steps=breach.walk,
        difference=Difference(f"契約 {first.contract}", first.expected, first.observed),
        expected_view=None,
        sections=first.sections,
        header=f"otpspec 契約 {first.contract} に反する手順 ({title})",
    )
    return text.replace("期待 (参照実装)", "期待 (契約)")


def failed_by(step: StepRecord, breach: ContractBreach, secrets: SecretBook) -> StepRecord:
    """The step record, failed by the breach (contract, clauses and assumptions recorded)."""
    first = breach.breaches[0]
    return replace(
        step,
        status="failed",
        expected=first.expected,
        observed=secrets.text(first.observed),
        message=secrets.text(str(breach)),
        contract=first.contract,
        clauses=first.sections,
        assumptions=first.assumed,
    )
