"""Tests of the Statechart helpers in statechart.model."""

from __future__ import annotations

import pytest

from statechart.model import Spec, Transition


def _labels(spec: Spec, path: str) -> list[str]:
    return [element.label for element in spec.statechart.visible_elements(path)]


def _targets(transitions: tuple[Transition, ...]) -> list[str | None]:
    return [transition.target for transition in transitions]


class TestIterStates:
    def test_parents_before_children(self, minimal_spec: Spec) -> None:
        paths = [state.path for state in minimal_spec.statechart.iter_states()]
        assert paths[:3] == ["closed", "running", "running.start"]
        assert paths.index("running.otp") < paths.index("running.otp.exit_confirm")
        assert len(paths) == len(set(paths)) == 8


class TestState:
    def test_by_path(self, minimal_spec: Spec) -> None:
        state = minimal_spec.statechart.state("running.pin_entry.error")
        assert state.kind == "error_dialog"
        assert state.parent == "running.pin_entry"

    def test_unknown_path(self, minimal_spec: Spec) -> None:
        with pytest.raises(KeyError):
            minimal_spec.statechart.state("running.nowhere")


class TestResolveTarget:
    def test_absolute(self, minimal_spec: Spec) -> None:
        chart = minimal_spec.statechart
        transition = chart.state("closed").transitions[0]
        assert chart.resolve_target(transition) == "running"

    def test_parent_of_a_template_instance(self, minimal_spec: Spec) -> None:
        chart = minimal_spec.statechart
        no = chart.state("running.otp.exit_confirm").transitions[1]
        assert no.target == ".."
        assert chart.resolve_target(no) == "running.otp"

    def test_parent_of_a_plain_child(self, minimal_spec: Spec) -> None:
        chart = minimal_spec.statechart
        ok = chart.state("running.pin_entry.error").transitions[0]
        assert chart.resolve_target(ok) == "running.pin_entry"


class TestEnter:
    def test_follows_initial(self, minimal_spec: Spec) -> None:
        assert minimal_spec.statechart.enter("running") == "running.start"

    def test_a_screen_with_dialogs_is_entered_itself(self, minimal_spec: Spec) -> None:
        assert minimal_spec.statechart.enter("running.otp") == "running.otp"
        assert minimal_spec.statechart.is_resting("running.otp")


class TestVisibleElements:
    def test_own_then_ancestors(self, minimal_spec: Spec) -> None:
        assert _labels(minimal_spec, "running.pin_entry") == ["PIN", "確定", "設定"]

    def test_a_dialog_is_modal(self, minimal_spec: Spec) -> None:
        assert _labels(minimal_spec, "running.otp.exit_confirm") == ["はい", "いいえ"]


class TestTransitionsFor:
    def test_own_first_then_ancestors(self, minimal_spec: Spec) -> None:
        chart = minimal_spec.statechart
        keys = chart.transitions_for("running.otp", "key")
        assert _targets(keys) == ["running.otp.exit_confirm", "closed"]

    def test_eventless(self, minimal_spec: Spec) -> None:
        chart = minimal_spec.statechart
        assert len(chart.transitions_for("running.start", None)) == 2


class TestApplicableTransitions:
    def test_taps_on_hidden_elements_do_not_apply(self, minimal_spec: Spec) -> None:
        chart = minimal_spec.statechart
        targets = _targets(chart.applicable_transitions("running.otp.exit_confirm"))
        assert "running.about" not in targets
        assert "closed" in targets


class TestSpecIds:
    def test_ids(self, minimal_spec: Spec) -> None:
        assert minimal_spec.assumption_ids() == {"ASM-001"}
        assert "3.11" in minimal_spec.section_ids()
        assert minimal_spec.rules.keys >= {"version", "inputs", "suffix"}
