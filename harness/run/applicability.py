"""A vendor's declaration at work: checks that are not applicable, deviations that are
accepted, and the alarms that say the declaration no longer matches the implementation.

The declaration (docs/declaration.md) lists the optional capabilities an implementation does
not offer and the assumptions it decides otherwise. A check that needs an absent capability
(`statechart.capabilities.Capability.governs`: its sections, the states it enters, the
requests it sends, the fixture it starts from) is not run: its verdict is "not
applicable". A deviation from a listed assumption is accepted (with the vendor's reason).
The run alarms when an absent capability's screens show anyway, and when a listed deviation
did not occur.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.generation.steps import TransitionIndex
from harness.run.checks import DifferentialItem, GeneratedItem
from harness.run.records import ItemRecord
from harness.run.replay import ScenarioReplayer
from harness.run.session import RunState
from harness.scenarios.feature import Scenario, Step, StepKind
from statechart.capabilities import Capability, Declaration, load_capabilities, load_declaration
from statechart.model import Spec
from statechart.problems import SpecInvalid

__all__ = [
    "NOT_APPLICABLE",
    "Alarm",
    "Applicability",
    "capability_labels",
    "load_applicability",
    "lost_by_rewrite",
    "needs",
]

NOT_APPLICABLE: Final = "not applicable"
"""How a skip reason for an absent capability starts (harness.run.outcomes reads it)."""
_KINDS: Final[dict[str, StepKind]] = {"given": "given", "when": "when", "then": "then"}


@dataclass(frozen=True)
class Alarm:
    """The declaration no longer matches what the implementation does."""

    kind: str
    subject: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready."""
        return {"kind": self.kind, "subject": self.subject, "message": self.message}


@dataclass(frozen=True)
class Applicability:
    """A declaration together with the capabilities it declares absent."""

    declaration: Declaration
    absent: tuple[Capability, ...]

    def accepted(self, assumptions: Iterable[str]) -> str:
        """The vendor's reason when the declaration accepts a deviation from one of these."""
        listed = {d.assumption: d.reason for d in self.declaration.deviations}
        return next((listed[a] for a in assumptions if a in listed), "")

    def governing(
        self,
        *,
        sections: Iterable[str] = (),
        states: Iterable[str] = (),
        ops: Iterable[str] = (),
        fixture: dict[str, Any] | None = None,
    ) -> Capability | None:
        """The first absent capability a check with these features needs, or None."""
        sections, states, ops = tuple(sections), tuple(states), tuple(ops)
        for capability in self.absent:
            if capability.governs(sections=sections, states=states, ops=ops, fixture=fixture):
                return capability
        return None

    def alarms(self, spec: Spec, records: Sequence[ItemRecord]) -> list[Alarm]:
        """Absent capabilities whose screens showed, and declared deviations that did not occur."""
        found: list[Alarm] = []
        seen = [label for record in records for step in record.steps for label in _shown(step.view)]
        for capability in self.absent:
            own = capability_labels(spec, capability)
            showed = next((label for label in seen if label in own), None)
            if showed is not None:
                found.append(
                    Alarm(
                        "capability observed",
                        capability.id,
                        f"declared absent, but the implementation showed 「{showed}」",
                    )
                )
        happened = {a for record in records for a in record.deviates_from}
        for deviation in self.declaration.deviations:
            if deviation.assumption not in happened:
                found.append(
                    Alarm(
                        "deviation not seen",
                        deviation.assumption,
                        "declared as a deviation, but no check deviated from it: remove it "
                        "from the declaration if the implementation now follows it",
                    )
                )
        return found


def _shown(view: object) -> Iterator[str]:
    """The titles and labels a view shows (its screen, elements, fields, dialog buttons)."""
    if not isinstance(view, dict):
        return
    screen, dialog = view.get("screen"), view.get("dialog")
    if isinstance(screen, dict) and isinstance(screen.get("title"), str):
        yield screen["title"]
    for label in view.get("elements") or ():
        yield str(label)
    yield from (str(label) for label in (view.get("fields") or {}))
    if isinstance(dialog, dict):
        yield from (str(label) for label in dialog.get("buttons") or ())


def capability_labels(spec: Spec, capability: Capability) -> frozenset[str]:
    """What only the capability shows: the titles of its states and the labels of the
    elements that lead into them or that only its sections cite, less any title or label
    the spec also shows without it (an 「ワンタイムパスワード」 dialog of 3.14 does not make
    the password screen the capability's)."""
    chart = spec.statechart

    def governed(path: str) -> bool:
        return capability.governs(states=[path])

    def bound(state_path: str, element: Any) -> bool:
        if governed(state_path):
            return True
        leads = [
            t
            for t in chart.state(state_path).transitions
            if t.element == element.label and t.target is not None
        ]
        if leads and all(governed(t.target or "") for t in leads):
            return True
        return (
            bool(element.sections)
            and capability.governs(sections=element.sections)
            and all(capability.governs(sections=[section]) for section in element.sections)
        )

    own: set[str] = set()
    elsewhere: set[str] = set()
    for state in chart.iter_states():
        if state.title:
            (own if governed(state.path) else elsewhere).add(state.title)
        for element in state.elements:
            (own if bound(state.path, element) else elsewhere).add(element.label)
    return frozenset(own - elsewhere)


def load_applicability(path: Path, spec: Spec) -> Applicability:
    """Reads a declaration and the capabilities it declares absent.

    Raises:
        pytest.UsageError: The file or the spec's capabilities are invalid (every problem,
            located).
    """
    try:
        capabilities = load_capabilities(spec)
        declaration = load_declaration(path, spec)
    except SpecInvalid as invalid:
        listed = "\n".join(problem.format() for problem in invalid.problems)
        raise pytest.UsageError(f"--otpspec-declaration {path}:\n{listed}") from None
    absent = tuple(c for c in capabilities if not declaration.offers(c.id))
    return Applicability(declaration, absent)


# ---- what a check needs


def _scenario_of(item: pytest.Item) -> Scenario | None:
    """The scenario a pytest-bdd test runs (its example row rendered), as typed data."""
    function = getattr(item, "obj", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    if template is None:
        return None
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec is not None else {}
    rendered = template.render(example)
    steps = tuple(
        Step(s.keyword.strip(), s.name, s.line_number, _KINDS.get(s.type, "given"))
        for s in rendered.steps
    )
    return Scenario(str(item.path), rendered.name, rendered.line_number, (), steps)


def lost_by_rewrite(state: RunState, item: pytest.Item) -> Capability | None:
    """The absent capability a scenario needs because, with its fixture rewritten without
    it, the spec no longer does what the scenario says (docs/declaration.md, step 1)."""
    if not state.absent or isinstance(item, GeneratedItem | DifferentialItem):
        return None
    scenario = _scenario_of(item)
    if scenario is None or state.replayer().replay(scenario).failed_step is None:
        return None
    plain = ScenarioReplayer(state.spec).replay(scenario)
    if plain.failed_step is not None:
        return None  # the scenario breaks on the spec anyway: validate reports it
    resets = [r["fixture"] for step in plain.steps for r in step.requests if r["op"] == "reset"]
    fixture: dict[str, Any] = resets[0] if resets else {}
    return next((c for c in state.absent if c.rewrite(fixture) != fixture), state.absent[0])


def needs(state: RunState, item: pytest.Item, sections: Sequence[str]) -> dict[str, Any] | None:
    """What a check needs (its sections, states, requests and fixture), or None to skip it."""
    if isinstance(item, GeneratedItem):
        check = item.check
        ops = {step.op for step in check.steps} | {f"{s.op}:{s.target}" for s in check.steps}
        # Not its sections: every transition cites every procedure it takes part in (the
        # launch cites the whole of 3.1, 3.1.3 among them); the states it enters say it.
        return {
            "sections": (),
            "states": check.states,
            "ops": ops,
            "fixture": check.fixture.fixture(),
        }
    if isinstance(item, DifferentialItem):
        return {"sections": (), "states": (), "ops": (), "fixture": item.fixture.fixture()}
    scenario = _scenario_of(item)
    if scenario is None:
        return None
    replay = state.replayer().replay(scenario)
    requests = [r for step in replay.steps for r in step.requests]
    index = TransitionIndex(state.spec)
    chart = state.spec.statechart
    states = {
        target
        for taken in replay.transitions
        for tid in taken
        if (target := chart.resolve_target(index.get(tid))) is not None
    }
    ops = {str(r["op"]) for r in requests}
    ops |= {f"key:{r['key']}" for r in requests if r["op"] == "key"}
    fixture = next((r["fixture"] for r in requests if r["op"] == "reset"), None)
    return {"sections": sections, "states": states, "ops": ops, "fixture": fixture}
