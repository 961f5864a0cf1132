"""harness/grading on real traces: generated checks and feature scenarios run on mutants.

Each mutant is made for the test (a view rewrite or a spec edit of the reference); the
grades are what docs/grading.md promises: one element missing names its own section, a
completion screen's title is ASM-002's, 3.10's correction repeated at once must give S4H9 by
the manual (a fail) where the 60 and 179 second cases rest on ASM-063 (a deviation).
"""

from __future__ import annotations

from typing import Any

import pytest
from grading_helpers import (
    correction_window,
    first_failure,
    grade_scenario,
    mutant,
    scenario_named,
)

from harness.generation.checks import GeneratedCheck, GeneratedSet, generate_checks
from harness.mutants.edit import edit_element
from harness.run.replay import ScenarioReplayer
from statechart.model import Spec

CORRECTION_FEATURE = "3.10-パスワードを補正する.feature"
CORRECTED_TITLE = "パスワード補正完了"


@pytest.fixture(scope="module")
def generated(spec: Spec) -> GeneratedSet:
    return generate_checks(spec)


def _through(generated: GeneratedSet, tid: str) -> tuple[GeneratedCheck, ...]:
    """The generated checks that take a transition (the quick way to a mutant's failure)."""
    return tuple(check for check in generated.checks if tid in check.covers)


def _without_item(spec: Spec) -> Spec:
    """The spec with 「パスワード補正」 shown only for a token with a PIN (a plausible slip)."""
    return edit_element(
        spec, "running.main.settings.menu", "パスワード補正", when=("selected_has_pin",)
    )


def _renamed(spec: Spec, view: dict[str, Any]) -> dict[str, Any]:
    screen = view.get("screen")
    if isinstance(screen, dict) and screen.get("title") == CORRECTED_TITLE:
        return {**view, "screen": {**screen, "title": "補正完了"}}
    return view


class TestGeneratedChecks:
    def test_one_element_missing_makes_one_section_red(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        impl = mutant(spec, "no_correction_item", apply=_without_item)
        failed = first_failure(impl, generated.checks)
        assert failed.field == "elements"
        # 「設定メニュー」 cites 3.3 … 3.15; the missing item is 3.10's alone.
        assert failed.grounds.sections == ("3.10",) and failed.grounds.verdict == "fail"
        assert failed.sections == failed.grounds.sections
        assert failed.trace is not None and failed.trace.state.endswith("settings.menu")

    def test_a_completion_title_is_a_deviation(self, spec: Spec, generated: GeneratedSet) -> None:
        impl = mutant(spec, "renamed_completion", view=_renamed)
        checks = _through(generated, "running.main.settings.correction.sending#1")
        failed = first_failure(impl, checks)
        assert (failed.field, failed.observed) == ("screen.title", "補正完了")
        assert failed.grounds.verdict == "deviation" and failed.grounds.assumptions == ("ASM-002",)
        assert "@ASM-002" in failed.gherkin


class TestReplayTraces:
    def test_one_trace_per_step(self, spec: Spec) -> None:
        (scenario,) = scenario_named(spec, CORRECTION_FEATURE, "パスワード補正を連続的に実行する")
        replay = ScenarioReplayer(spec).replay(scenario)
        assert len(replay.traces) == len(replay.steps) == len(scenario.all_steps)
        launch = replay.traces[[s.keyword for s in replay.steps].index("もし")]
        assert launch.requests == (("reset", ""), ("launch", ""))
        assert launch.transitions[0] == "closed#0" and launch.before == "closed"
        texts = [step.text for step in replay.steps]
        again = replay.traces[len(texts) - 1 - texts[::-1].index("「実行」を選択する")]
        assert again.error_after == "S4H9" and again.transitions[-1].endswith("sending#0")
        assert "running.main.settings.correction.sending#1" in again.history


class TestFeatureSteps:
    def test_s4h9_at_once_is_a_fail(self, spec: Spec) -> None:
        (scenario,) = scenario_named(spec, CORRECTION_FEATURE, "パスワード補正を連続的に実行する")
        assert "ASM-063" not in scenario.tags
        graded = grade_scenario(spec, scenario, correction_window(spec, 0))
        assert graded.failed is not None and graded.failed.text == "エラー「S4H9」が表示される"
        assert graded.grounds is not None
        assert graded.grounds.verdict == "fail" and "4.3" in graded.grounds.sections

    def test_the_179_second_boundary_is_a_deviation(self, spec: Spec) -> None:
        rows = scenario_named(spec, CORRECTION_FEATURE, "前回のパスワード補正から180秒たつまでは")
        assert all("ASM-063" in row.tags for row in rows)
        impl = correction_window(spec, 120)
        graded = {row.example_row["秒数"]: grade_scenario(spec, row, impl) for row in rows}
        assert graded["60"].failed is None  # within 120 s: S4H9 as the spec says
        late = graded["179"]
        assert late.failed is not None and late.failed.text == "エラー「S4H9」が表示される"
        assert late.grounds is not None and late.grounds.verdict == "deviation"
        assert late.grounds.assumptions == ("ASM-063",)

    def test_refused_at_180_seconds_is_a_deviation(self, spec: Spec) -> None:
        rows = scenario_named(spec, CORRECTION_FEATURE, "前回のパスワード補正から180秒たてば")
        impl = correction_window(spec, 200)  # the manual's 3–4 minutes allow it
        graded = grade_scenario(spec, rows[0], impl)
        assert graded.failed is not None
        assert graded.failed.text == f"「{CORRECTED_TITLE}」画面が表示される"
        assert graded.grounds is not None and graded.grounds.assumptions == ("ASM-063",)

    def test_refused_after_four_minutes_is_a_fail(self, spec: Spec) -> None:
        (scenario,) = scenario_named(
            spec, CORRECTION_FEATURE, "一度パスワード補正を実施してから4分"
        )
        graded = grade_scenario(spec, scenario, correction_window(spec, 300))
        assert graded.grounds is not None and graded.grounds.verdict == "fail"

    def test_a_completion_title_step_is_a_deviation(self, spec: Spec) -> None:
        scenario = scenario_named(spec, CORRECTION_FEATURE, "[実行]ボタンを選択すると")[0]
        graded = grade_scenario(spec, scenario, mutant(spec, "renamed", view=_renamed))
        assert graded.failed is not None and graded.grounds is not None
        assert graded.grounds.assumptions == ("ASM-002",)

    def test_a_tap_refused_is_graded_by_its_element(self, spec: Spec) -> None:
        scenario = scenario_named(spec, CORRECTION_FEATURE, "[実行]ボタンを選択すると")[0]
        graded = grade_scenario(spec, scenario, mutant(spec, "no_item", apply=_without_item))
        assert graded.failed is not None and graded.failed.keyword == "もし"
        assert graded.grounds is not None
        assert (graded.grounds.sections, graded.grounds.verdict) == (("3.10",), "fail")
