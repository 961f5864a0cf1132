"""Differential check: random walks drive an implementation and the reference side by side.

Each walk starts both from the same fixture (harness/generation/fixtures.py: fresh install, one
token, two tokens with PIN and lock, a token near expiry) and then repeats one step chosen
from what the reference shows: tap an element, type one of the interesting values into a
visible field, press back (where the device has it) or home, move the clock (59 s, 60 s, a
day, 180 days), launch when closed. After every step the two views are compared
(harness/generation/steps.py). Hypothesis chooses the walks and, on a difference, shrinks the walk
to a minimal one, reported as a Gherkin scenario and the first differing field.

Hypothesis keeps no example database here: walks carry PINs and lock codes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from harness.adapters.base import ImplementationFailure
from harness.generation.as_gherkin import mask_data, scenario_text, secrets_of, step_phrase
from harness.generation.compare import compare_outcomes
from harness.generation.fixtures import FIXTURES, WalkFixture, field_values, secret_labels
from harness.generation.steps import (
    Difference,
    Outcome,
    Refusal,
    TracingApp,
    WalkStep,
    attempt,
    attempt_reset,
)
from harness.grading import Grounds, StepTrace, difference_grounds
from harness.protocol import Implementation
from statechart.model import Spec

__all__ = ["CLOCK_STEPS", "DifferentialResult", "differential_check"]

CLOCK_STEPS: Final[tuple[float, ...]] = (59, 60, 86_400, 180 * 86_400)
"""How far a walk may move the clock: within a password, to the next, a day, 180 days."""

_T = TypeVar("_T")
Choose = Callable[[Sequence[_T]], _T]


@dataclass(frozen=True)
class DifferentialResult:
    """The outcome of a differential check.

    Attributes:
        ok: No walk found a difference.
        steps: The minimal walk as Gherkin steps (secrets masked); () when ok.
        gherkin: A feature file replaying it ("" when ok).
        field: The first differing field of the view (`request` for a refusal), or None.
        expected: The reference's value there (secrets masked).
        observed: The implementation's value there (secrets masked).
        sections: The manual sections of what broke (`grounds.sections`).
        fixture: The name of the fixture the walk started from.
        examples: How many walks ran (shrinking included).
        walk: The walk itself (values unmasked: not for reports).
        grounds: What broke rests on: its verdict (fail or deviation), sections, ASM ids.
        trace: The spec's trace of the differing step.
    """

    ok: bool
    steps: tuple[str, ...] = ()
    gherkin: str = ""
    field: str | None = None
    expected: Any = None
    observed: Any = None
    sections: tuple[str, ...] = ()
    fixture: str | None = None
    examples: int = 0
    walk: tuple[WalkStep, ...] = dataclasses.field(default=(), repr=False)
    grounds: Grounds = dataclasses.field(default_factory=Grounds)
    trace: StepTrace | None = None


@dataclass(frozen=True)
class _Found:
    """A difference with what is needed to report it."""

    fixture: WalkFixture
    steps: tuple[WalkStep, ...]
    difference: Difference
    expected: Outcome
    grounds: Grounds
    trace: StepTrace
    spec: Spec


class _DifferenceFound(Exception):
    """Raised inside a walk so that hypothesis shrinks it."""


class _Walker:
    """Runs one walk on both sides and says where they first differ."""

    def __init__(
        self,
        impl: Implementation,
        spec: Spec,
        on_step: Callable[[WalkStep, Outcome], None] | None = None,
    ) -> None:
        self.impl = impl
        self.spec = spec
        self.on_step = on_step
        self.reference = TracingApp(spec)
        self._secret = secret_labels(spec)
        keys = spec.rules.value("device_keys")
        self._keys: dict[str, list[str]] = dict(keys) if isinstance(keys, dict) else {}
        self._values: dict[tuple[str, str], list[WalkStep]] = {}

    def run(self, fixture: WalkFixture, length: int, choose: Choose[Any]) -> _Found | None:
        """Walks `length` steps from `fixture`; the first difference, or None."""
        steps: list[WalkStep] = []
        typed: dict[str, str] = {}
        expected = attempt_reset(self.reference, fixture.fixture())
        self.reference.begin_step()
        trace = self.reference.step_trace()
        observed = attempt_reset(self.impl, fixture.fixture())
        if self.on_step is not None:
            self.on_step(WalkStep("reset", fixture.name), observed)
        found = self._compare(fixture, steps, expected, observed, trace)
        for _ in range(length):
            if found is not None or isinstance(expected, Refusal):
                break
            step = self._choose(fixture, expected, choose)
            steps.append(step)
            before = expected
            self.reference.begin_step()
            expected = attempt(self.reference, step)
            trace = self.reference.step_trace()
            typed = _typed(typed, step, before, expected)
            observed = attempt(self.impl, step)
            if self.on_step is not None:
                self.on_step(step, observed)
            found = self._compare(fixture, steps, expected, observed, trace, typed)
        return found

    def _compare(
        self,
        fixture: WalkFixture,
        steps: list[WalkStep],
        expected: Outcome,
        observed: Outcome,
        trace: StepTrace,
        typed: Mapping[str, str] | None = None,
    ) -> _Found | None:
        difference = compare_outcomes(expected, observed, spec=self.spec, trace=trace)
        if difference is None:
            return None
        grounds = difference_grounds(self.spec, trace, difference, typed or {})
        return _Found(fixture, tuple(steps), difference, expected, grounds, trace, self.spec)

    def _choose(self, fixture: WalkFixture, view: dict[str, Any], choose: Choose[Any]) -> WalkStep:
        # A kind is drawn first, as often as its weight says; then a step of that kind.
        groups = [g for weight, g in self._options(fixture, view) if g for _ in range(weight)]
        group: list[WalkStep] = choose(groups)
        step: WalkStep = choose(group)
        return step

    def _options(
        self, fixture: WalkFixture, view: dict[str, Any]
    ) -> list[tuple[int, list[WalkStep]]]:
        """The steps a person could take now, by kind (simplest first) with their weights.

        Taps and typing weigh most: they lead deeper into the app, where home and the
        clock mostly lead out of it.
        """
        clock = [WalkStep("clock", seconds=s) for s in CLOCK_STEPS]
        # Only a pending transaction is notified (docs/protocol.md): an answer to any other
        # `notify` is the implementation's choice and is not compared.
        notify = [WalkStep("notify", t) for t in fixture.transactions if self.reference.pending(t)]
        taps = [WalkStep("tap", label) for label in view.get("elements", [])]
        if view.get("app") == "closed":
            return [(3, [WalkStep("launch")]), (1, taps), (1, clock), (1, notify)]
        os = str(fixture.data.get("device", {}).get("os", "android"))
        keys = [WalkStep("key", key) for key in self._keys.get(os, [])]
        biometric = [WalkStep("biometric", r) for r in ("success", "failure", "cancel")]
        if not self.spec.statechart.transitions_for(self.reference.machine.state, "biometric"):
            biometric = []
        enters = self._enters(fixture, view)
        return [(4, taps), (3, enters), (1, keys), (1, clock), (1, notify + biometric)]

    def _enters(self, fixture: WalkFixture, view: dict[str, Any]) -> list[WalkStep]:
        # A disabled field (3.7's 入力不可能) is left alone: typing there is refused alike.
        tappable = set(view.get("elements", [])) | set(view.get("disabled") or [])
        labels = [k for k, v in view.get("fields", {}).items() if isinstance(v, str)]
        steps: list[WalkStep] = []
        for label in labels:
            if label not in tappable:
                steps.extend(self._values_of(fixture, label))
        return steps

    def _values_of(self, fixture: WalkFixture, label: str) -> list[WalkStep]:
        key = (fixture.name, label)
        if key not in self._values:
            secret = label in self._secret
            self._values[key] = [
                WalkStep("enter", label, v.text, secret=secret, note=v.note)
                for v in field_values(self.spec, fixture, label)
            ]
        return self._values[key]


def _screen(outcome: Outcome) -> object:
    return None if isinstance(outcome, Refusal) else (outcome.get("screen") or {}).get("title")


def _typed(
    typed: dict[str, str], step: WalkStep, before: Outcome, after: Outcome
) -> dict[str, str]:
    """What was typed on the screen now shown, by label (a new screen starts afresh)."""
    current = {} if _screen(before) != _screen(after) else dict(typed)
    if step.op == "enter":
        current[step.target] = step.value
    return current


def _name(impl: Implementation) -> str:
    return str(getattr(impl, "name", type(impl).__name__))


def _result(found: _Found, examples: int, seed: int, impl: Implementation) -> DifferentialResult:
    difference = found.difference
    secrets = secrets_of(found.fixture, found.steps)
    expected = None if isinstance(found.expected, Refusal) else found.expected
    gherkin = scenario_text(
        title=f"参照実装との差分: {difference.field} ({found.fixture.title}から)",
        fixture=found.fixture,
        steps=found.steps,
        difference=difference,
        expected_view=expected,
        sections=found.grounds.sections,
        assumptions=found.grounds.assumptions,
        spec=found.spec,
        trace=found.trace,
        header=f"otpspec 差分検査 (seed {seed}): 参照実装と {_name(impl)} の最小の違い",
    )
    return DifferentialResult(
        ok=False,
        steps=tuple(step_phrase(step) for step in found.steps),
        gherkin=gherkin,
        field=difference.field,
        expected=mask_data(difference.expected, secrets),
        observed=mask_data(difference.observed, secrets),
        sections=found.grounds.sections,
        fixture=found.fixture.name,
        examples=examples,
        walk=found.steps,
        grounds=found.grounds,
        trace=found.trace,
    )


def differential_check(
    impl: Implementation,
    spec: Spec,
    *,
    max_examples: int = 100,
    seed: int = 0,
    max_steps: int = 25,
    fixtures: Sequence[WalkFixture] = FIXTURES,
    on_step: Callable[[WalkStep, Outcome], None] | None = None,
) -> DifferentialResult:
    """Walks an implementation and the in-process reference side by side.

    Args:
        impl: Any implementation (e.g. a SubprocessAdapter); it is reset for every walk.
        spec: The spec the reference is built from.
        max_examples: How many walks hypothesis tries before shrinking.
        seed: Hypothesis's seed: the same seed tries the same walks.
        max_steps: The longest walk.
        fixtures: Where walks may start.
        on_step: Told of each request sent to the implementation and its answer, the
            reset first (as `WalkStep("reset", fixture name)`); an exception it raises
            ends the walk, is shrunk by hypothesis, and is raised from here.

    Returns:
        ok, or the minimal walk that differs with the first differing field.

    Raises:
        ImplementationFailure: The implementation's process broke (not shrunk: walking
            stops at once).
    """
    walker = _Walker(impl, spec, on_step)
    found: list[_Found] = []
    broken: list[ImplementationFailure] = []
    runs = [0]

    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @hypothesis_seed(seed)
    @given(st.data())
    def walks(data: st.DataObject) -> None:
        if broken:
            return  # the implementation broke: no more walks, nothing to shrink
        runs[0] += 1
        fixture = data.draw(st.sampled_from(list(fixtures)))
        length = data.draw(st.integers(1, max_steps))
        try:
            outcome = walker.run(
                fixture, length, lambda options: data.draw(st.sampled_from(options))
            )
        except ImplementationFailure as failure:
            broken.append(failure)
            return
        if outcome is not None:
            found.append(outcome)
            raise _DifferenceFound

    try:
        walks()
    except (_DifferenceFound, Flaky):  # the shrunk walk's difference (flaky: the last seen)
        if not broken:
            return _result(found[-1], runs[0], seed, impl)
    if broken:
        raise broken[0]
    return DifferentialResult(ok=True, examples=runs[0])
