"""SCXML export: python-statemachine's SCXML reader finds the spec's states and transitions."""

from __future__ import annotations

from collections.abc import Iterator

from statemachine.io import load
from statemachine.io.model import State
from statemachine.io.scxml.reader import parse_scxml

from harness.diagrams.export import SCREEN_SUFFIX, event_name, to_scxml
from statechart.model import Spec, Transition
from statechart.problems import Origin


def _walk(states: dict[str, State]) -> Iterator[State]:
    for state in states.values():
        yield state
        yield from _walk(state.states)


def test_scxml_has_the_same_states_and_transitions(shipped_spec: Spec) -> None:
    definition = parse_scxml(to_scxml(shipped_spec))
    read = {s.id: s for s in _walk(definition.states) if not s.id.endswith(SCREEN_SUFFIX)}
    chart = shipped_spec.statechart
    assert set(read) == set(chart.states)
    for path, state in chart.states.items():
        transitions = [t for t in read[path].transitions if not t.initial]
        assert len(transitions) == len(state.transitions), path
    assert definition.initial_states == [chart.initial]


def test_scxml_compiles_and_runs(shipped_spec: Spec) -> None:
    machine = load(to_scxml(shipped_spec), format="scxml")()
    assert {state.id for state in machine.configuration} == {"closed"}
    machine.send("launch")
    assert "running.privacy" in {state.id for state in machine.configuration}


def _transition(**fields: str) -> Transition:
    return Transition(owner="x", origin=Origin("statechart.yaml"), **fields)  # type: ignore[arg-type]


def test_event_names_are_scxml_tokens() -> None:
    tap = _transition(event="tap", element="生体認証ログイン 利用設定")
    assert event_name(tap) == "tap.生体認証ログイン_利用設定"
    assert event_name(_transition(event="key", key="back")) == "key.back"
    assert event_name(_transition(event="biometric", result="success")) == "biometric.success"
    assert event_name(_transition()) is None
