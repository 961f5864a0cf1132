"""Model-based checks generated from the statechart, in the style of XState or GraphWalker.

The explorer (harness/generation/explore.py) drives the in-process reference breadth-first from
each fixture with the events each view offers, and records which spec transitions fire
(ids `owner#index`, as harness.diagrams.labels). The shortest path that first covered each
transition, and each submitted form, is a candidate; a greedy set cover keeps few paths
that together take everything covered. Each becomes a `GeneratedCheck`: a fixture, steps,
and the reference's view after each step. `run_generated` replays them on any
implementation and compares views as the differential check does.

The set depends on the spec only, so `generate_checks` computes it once per spec and run.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from harness.generation.as_gherkin import mask_data, scenario_text, secrets_of
from harness.generation.compare import compare_outcomes
from harness.generation.explore import Exploration, Limits, explore
from harness.generation.fixtures import FIXTURES, WalkFixture, fixture_named
from harness.generation.graph import Unreached, explain
from harness.generation.steps import (
    Difference,
    Outcome,
    Refusal,
    TracingApp,
    TransitionIndex,
    WalkStep,
    attempt,
    attempt_reset,
)
from harness.generation.tree import Item, Node
from harness.grading import Grounds, StepTrace, difference_grounds
from harness.protocol import Implementation
from statechart.model import Spec

__all__ = [
    "CheckResult",
    "GeneratedCheck",
    "GeneratedSet",
    "Limits",
    "Unreached",
    "failed_result",
    "generate_checks",
    "replay_check",
    "run_generated",
    "trace_at",
]


@dataclass(frozen=True)
class GeneratedCheck:
    """One generated path: from a fixture, these steps, and the views the reference showed.

    Attributes:
        name: `G007 one_token → トークン追加完了`.
        fixture: Where it starts.
        steps: What to send after `reset`.
        expected_views: The reference's view after each step.
        transitions: The transition ids the reference took at each step.
        states: The reference's state path after each step.
        covers: The transition ids it takes.
    """

    name: str
    fixture: WalkFixture
    steps: tuple[WalkStep, ...]
    expected_views: tuple[dict[str, Any], ...] = field(repr=False)
    transitions: tuple[tuple[str, ...], ...] = field(repr=False)
    states: tuple[str, ...] = field(repr=False)
    covers: frozenset[str] = field(repr=False)
    spec: Spec = field(repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The check as JSON-ready data (the spec is not included: `from_json` takes it)."""
        return {
            "name": self.name,
            "fixture": self.fixture.name,
            "steps": [asdict(step) for step in self.steps],
            "expected_views": list(self.expected_views),
            "transitions": [list(taken) for taken in self.transitions],
            "states": list(self.states),
            "covers": sorted(self.covers),
        }

    @classmethod
    def from_json(
        cls, data: dict[str, Any], spec: Spec, fixtures: Sequence[WalkFixture] = FIXTURES
    ) -> GeneratedCheck:
        """The check from `to_json` data, for `spec` (the one it was generated from) and
        the `fixtures` it was generated from.

        Raises:
            KeyError, TypeError, ValueError: The data is not what `to_json` writes.
        """
        return cls(
            name=str(data["name"]),
            fixture=fixture_named(str(data["fixture"]), fixtures),
            steps=tuple(WalkStep(**step) for step in data["steps"]),
            expected_views=tuple(data["expected_views"]),
            transitions=tuple(tuple(taken) for taken in data["transitions"]),
            states=tuple(data["states"]),
            covers=frozenset(data["covers"]),
            spec=spec,
        )


@dataclass(frozen=True)
class GeneratedSet:
    """The generated checks and what they cover.

    Attributes:
        checks: The checks.
        total: Transitions in the spec.
        covered: Transition ids the checks take.
        inputs: Submitted forms (transition and form content) the checks take.
        unreached: The transitions never taken, with a reason each.
        nodes: States explored.
        levels: Breadth-first levels explored.
        seconds: Time spent generating.
        stopped: Why exploration stopped.
    """

    checks: tuple[GeneratedCheck, ...]
    total: int
    covered: frozenset[str]
    inputs: int
    unreached: tuple[Unreached, ...]
    nodes: int
    levels: int
    seconds: float
    stopped: str

    @property
    def percent(self) -> float:
        """Transition coverage, in percent (one decimal)."""
        return round(100 * len(self.covered) / self.total, 1) if self.total else 100.0

    @property
    def steps(self) -> int:
        """Steps in all checks together."""
        return sum(len(check.steps) for check in self.checks)

    def report(self) -> list[str]:
        """The coverage in a few lines, then each transition never taken and why."""
        lines = [
            f"generated checks: {len(self.checks)} ({self.steps} steps)",
            f"transitions: {len(self.covered)}/{self.total} = {self.percent}%",
            f"submitted forms: {self.inputs}",
            f"explored: {self.nodes} states in {self.levels} levels, {self.seconds:.1f} s"
            f" (stopped: {self.stopped})",
        ]
        lines += [
            f"  not reached {u.transition} [{', '.join(u.sections)}]: {u.reason}"
            for u in self.unreached
        ]
        return lines


@dataclass(frozen=True)
class CheckResult:
    """A generated check replayed on an implementation.

    Attributes:
        name: The check's name.
        ok: Every step showed what the reference showed.
        step: The index of the first differing step (-1: the reset), or None.
        field: The first differing field there, or None.
        expected: The reference's value (secrets masked).
        observed: The implementation's value (secrets masked).
        sections: The manual sections of what broke (`grounds.sections`).
        gherkin: A feature file replaying the check up to the difference ("" when ok).
        grounds: What broke rests on: its verdict (fail or deviation), sections, ASM ids.
        trace: The spec's trace of the differing step.
    """

    name: str
    ok: bool
    step: int | None = None
    field: str | None = None
    expected: Any = None
    observed: Any = None
    sections: tuple[str, ...] = ()
    gherkin: str = ""
    grounds: Grounds = dataclasses.field(default_factory=Grounds)
    trace: StepTrace | None = None


# ---- choosing the checks


def _select(first: dict[Item, Node]) -> list[Node]:
    """Few paths that together cover every item (greedy set cover, shorter paths on ties)."""
    candidates = list(dict.fromkeys(first.values()))
    items = {id(node): node.items() for node in candidates}
    left = set(first)
    chosen: list[Node] = []
    while left:
        best = max(candidates, key=lambda n: (len(items[id(n)] & left), -n.depth))
        gained = items[id(best)] & left
        if not gained:
            break
        chosen.append(best)
        left -= gained
    return chosen


def _check(number: int, node: Node, spec: Spec) -> GeneratedCheck:
    records = node.path()
    last = records[-1].view
    title = (last.get("screen") or {}).get("title") or "終了"
    return GeneratedCheck(
        name=f"G{number:03d} {node.fixture.name} → {title}",
        fixture=node.fixture,
        steps=tuple(r.step for r in records),
        expected_views=tuple(r.view for r in records),
        transitions=tuple(r.transitions for r in records),
        states=tuple(r.state for r in records),
        covers=frozenset(tid for r in records for tid in r.transitions),
        spec=spec,
    )


def _build(spec: Spec, exploration: Exploration) -> GeneratedSet:
    chosen = _select(exploration.first)
    order = {f.name: i for i, f in enumerate(FIXTURES)}
    chosen.sort(key=lambda n: (order.get(n.fixture.name, len(order)), n.depth))
    checks = tuple(_check(i + 1, node, spec) for i, node in enumerate(chosen))
    covered = frozenset(tid for check in checks for tid in check.covers)
    total = len(TransitionIndex(spec).ids)
    return GeneratedSet(
        checks=checks,
        total=total,
        covered=covered,
        inputs=sum(1 for item in exploration.first if len(item) > 1),
        unreached=explain(spec, set(covered), exploration.seen, exploration.guard_names),
        nodes=exploration.nodes,
        levels=exploration.levels,
        seconds=exploration.seconds,
        stopped=exploration.stopped,
    )


_CACHE: Final[dict[tuple[int, Limits, tuple[str, ...]], tuple[Spec, GeneratedSet]]] = {}
_LOCK = threading.Lock()


def generate_checks(
    spec: Spec, *, limits: Limits | None = None, fixtures: Sequence[WalkFixture] = FIXTURES
) -> GeneratedSet:
    """The generated checks of a spec, computed once per spec object and limits.

    Args:
        spec: The spec.
        limits: When exploration stops (default: `Limits()`).
        fixtures: Where paths start.
    """
    limits = limits or Limits()
    key = (id(spec), limits, tuple(f.key for f in fixtures))
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is None or cached[0] is not spec:
            exploration = explore(spec, fixtures, limits)
            cached = (spec, _build(spec, exploration))
            _CACHE[key] = cached
    return cached[1]


# ---- replaying them


def _typed(check: GeneratedCheck, index: int) -> dict[str, str]:
    """What was typed on the screen shown at step `index` since it was entered (by label)."""
    title = (check.expected_views[index].get("screen") or {}).get("title")
    start = index
    while start > 0 and (check.expected_views[start - 1].get("screen") or {}).get("title") == title:
        start -= 1
    return {s.target: s.value for s in check.steps[start : index + 1] if s.op == "enter"}


def _scope(check: GeneratedCheck, index: int) -> StepTrace:
    """What a comparison needs of step `index`: the transitions taken, the state after."""
    return StepTrace(transitions=check.transitions[index], state=check.states[index])


def trace_at(check: GeneratedCheck, index: int) -> StepTrace:
    """The full trace of step `index` (-1: the reset), the check replayed on the reference."""
    app = TracingApp(check.spec)
    app.reset(check.fixture.fixture())
    app.begin_step()
    trace = app.step_trace()
    for step in check.steps[: index + 1]:
        app.begin_step()
        attempt(app, step)
        trace = app.step_trace()
    return trace


def failed_result(check: GeneratedCheck, index: int, difference: Difference) -> CheckResult:
    """The result of a check that differs at step `index` (-1: the reset), with its replay."""
    spec = check.spec
    expected = check.expected_views[index] if index >= 0 else None
    trace = trace_at(check, index)
    typed = _typed(check, index) if index >= 0 else {}
    grounds = difference_grounds(spec, trace, difference, typed)
    # The check's name carries the fixture's short name, which a vendor does not have.
    shown = check.name.replace(f" {check.fixture.name} ", f" {check.fixture.title}から ")
    gherkin = scenario_text(
        title=f"生成検査 {shown}: {difference.field}",
        fixture=check.fixture,
        steps=check.steps[: index + 1],
        difference=difference,
        expected_view=expected,
        sections=grounds.sections,
        header=f"otpspec 生成検査 {shown} の再現",
        assumptions=grounds.assumptions,
        spec=spec,
        trace=trace,
    )
    secrets = secrets_of(check.fixture, check.steps[: index + 1])
    return CheckResult(
        check.name,
        False,
        index,
        difference.field,
        mask_data(difference.expected, secrets),
        mask_data(difference.observed, secrets),
        grounds.sections,
        gherkin,
        grounds,
        trace,
    )


StepObserver = Callable[[int, WalkStep, Outcome, Outcome], None]
"""Told of each step replayed: its index (-1: the reset), the step, expected and observed."""


def replay_check(
    impl: Implementation, check: GeneratedCheck, observe: StepObserver | None = None
) -> CheckResult:
    """Replays one check on an implementation (reset first), up to its first difference.

    Args:
        impl: Any implementation.
        check: The check.
        observe: Told of each step and what both sides showed (the reset included).
    """
    reset = attempt_reset(impl, check.fixture.fixture())
    if observe is not None:
        observe(-1, WalkStep("reset"), {}, reset)
    if isinstance(reset, Refusal):
        refused = Difference("request", "view", f"{reset.kind}: {reset.message}")
        return failed_result(check, -1, refused)
    for index, (step, expected) in enumerate(zip(check.steps, check.expected_views, strict=True)):
        observed = attempt(impl, step)
        if observe is not None:
            observe(index, step, expected, observed)
        scope = _scope(check, index)
        difference = compare_outcomes(expected, observed, spec=check.spec, trace=scope)
        if difference is not None:
            return failed_result(check, index, difference)
    return CheckResult(check.name, True)


def run_generated(
    impl: Implementation,
    checks: GeneratedSet | Iterable[GeneratedCheck],
    *,
    stop_early: bool = False,
) -> list[CheckResult]:
    """Replays generated checks on an implementation (reset before each).

    Args:
        impl: Any implementation.
        checks: A generated set or some of its checks.
        stop_early: Stop after the first failing check.

    Returns:
        One result per check run, in order.
    """
    listed = checks.checks if isinstance(checks, GeneratedSet) else tuple(checks)
    results: list[CheckResult] = []
    for check in listed:
        results.append(replay_check(impl, check))
        if stop_early and not results[-1].ok:
            break
    return results
