"""Tests of statechart.checks."""

from __future__ import annotations

from pathlib import Path

from repo_paths import MANUAL
from spec_helpers import MINIMAL_ACTIONS, MINIMAL_GUARDS, SpecCopy

from statechart.checks import check_spec, citations, coverage
from statechart.loader import load_spec
from statechart.model import Spec
from statechart.problems import Problem


def _checked(spec_dir: Path) -> list[Problem]:
    return check_spec(load_spec(spec_dir), MINIMAL_GUARDS, MINIMAL_ACTIONS)


def _messages(spec_dir: Path) -> list[str]:
    return [problem.message for problem in _checked(spec_dir)]


class TestCheckSpec:
    def test_minimal_spec_is_clean(self, minimal_spec: Spec) -> None:
        assert check_spec(minimal_spec, MINIMAL_GUARDS, MINIMAL_ACTIONS) == []

    def test_the_manual_is_in_the_repository(self) -> None:
        assert MANUAL.is_file()

    def test_no_registry_skips_the_name_check(self, minimal_spec: Spec) -> None:
        assert check_spec(minimal_spec, None, None) == []
        unknown = check_spec(minimal_spec, frozenset(), None)
        assert {p.message for p in unknown} == {
            "unknown guard 'has_pin'",
            "unknown guard 'pin_wrong'",
        }

    def test_unused_assumption_is_a_warning(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            ("statechart.yaml", ", assumptions: [ASM-001]}", "}"),
            ("rules.yaml", ", assumptions: [ASM-001]}", "}"),
        )
        (problem,) = _checked(spec_dir)
        assert problem.severity == "warning"
        assert problem.message == "assumption ASM-001 is cited by nothing"

    def test_eventless_transition_outside_a_choice(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            (
                "statechart.yaml",
                "{event: key, key: back, target: running.otp,",
                "{target: running.otp,",
            )
        )
        assert _messages(spec_dir) == ["a transition of running.about has no event"]

    def test_choice_with_an_event(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            ("statechart.yaml", "- {guard: [has_pin],", "- {event: timer, guard: [has_pin],")
        )
        assert _messages(spec_dir) == ["choice running.start has a transition with event timer"]

    def test_detail_of_another_event(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            ("statechart.yaml", "{event: launch, target", "{event: launch, key: back, target")
        )
        assert _messages(spec_dir) == ["`key` given on a transition whose event is not key"]

    def test_parent_target_at_the_top(self, spec_copy: SpecCopy) -> None:
        launch = '        - {event: launch, target: running, sections: ["2.1"]}\n'
        notify = '        - {event: notify, target: "..", sections: ["2.1"]}\n'
        spec_dir = spec_copy(("statechart.yaml", launch, launch + notify))
        assert _messages(spec_dir) == ["target '..' of top-level state closed has no parent"]

    def test_unknown_input_rule(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(("statechart.yaml", "rule: pin,", "rule: pim,"))
        assert _messages(spec_dir) == ["input rule 'pim' is not in rules.yaml"]

    def test_exclusive_elements_may_share_a_label(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            (
                "statechart.yaml",
                '            - {label: 確定, kind: button, sections: ["3.8"]}\n',
                '            - {label: 確定, kind: button, when: [has_pin], sections: ["3.8"]}\n'
                '            - {label: 確定, kind: button, unless: [has_pin], sections: ["3.8"]}\n',
            )
        )
        assert _messages(spec_dir) == []

    def test_duplicate_catalogue_entry(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy()
        errors = spec_dir / "errors.yaml"
        text = errors.read_text(encoding="utf-8")
        entry = text[text.index("  - code: A913") :]
        errors.write_text(text + entry, encoding="utf-8")
        assert _messages(spec_dir) == ["error code A913 appears twice for pin_change"]

    def test_manual_check_is_skipped_without_the_manual(self, spec_copy: SpecCopy) -> None:
        spec = load_spec(spec_copy(("sections.yaml", 'id: "1.2"', 'id: "1.9"')))
        assert check_spec(spec) == []
        assert [p.message for p in check_spec(spec, manual=MANUAL)] == [
            "no heading '1.9 …' in the manual"
        ]


class TestCoverage:
    def test_minimal_spec_covers_everything_in_scope(self, minimal_spec: Spec) -> None:
        result = coverage(minimal_spec)
        assert result.covered == ("2.1", "2.3.2", "3.8", "3.11", "4.3")
        assert result.uncovered == ()
        assert result.percent == 100.0

    def test_uncovered_sections_are_listed(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            (
                "sections.yaml",
                "ダウンロードする, in_scope: false",
                "ダウンロードする, in_scope: true",
            )
        )
        result = coverage(load_spec(spec_dir))
        assert result.uncovered == ("1.2",)
        assert (result.total, result.percent) == (6, 83.3)

    def test_rules_and_assumptions_do_not_cover(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            (
                "sections.yaml",
                "ダウンロードする, in_scope: false",
                "ダウンロードする, in_scope: true",
            ),
            ("rules.yaml", "max_tokens: 10", 'max_tokens: {value: 10, sections: ["1.2"]}'),
        )
        assert coverage(load_spec(spec_dir)).uncovered == ("1.2",)


class TestCitations:
    def test_template_citations_are_counted_once(self, minimal_spec: Spec) -> None:
        found = citations(minimal_spec)
        assert len(found) == len(set(found))
        template = [c for c in found if c.origin.path[:2] == ("statechart", "templates")]
        assert len(template) == 5

    def test_kinds(self, minimal_spec: Spec) -> None:
        kinds = {citation.kind for citation in citations(minimal_spec)}
        assert kinds == {"section", "assumption"}
