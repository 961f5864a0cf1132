"""A ならば step is graded by where the steps before it led, and a value kept or lost by what
the register says (docs/grading.md, "Features" and the checkbox and `otp` rows).

Each test runs a shipped scenario on a mutant made here: a plausible implementation that
takes a route, keeps a tick or shows a password where only a registered assumption says
otherwise. Each was graded `fail` before: a ならば step had no transitions to grade, a
checkbox's tick rested on its existence, a password off its screen on the screen's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from grading_helpers import grade_scenario, mutant, scenario_named

from harness.adapters import InProcessAdapter
from harness.grading import rows
from harness.grading.items import SpecIndex
from harness.grading.trace import StepTrace
from harness.mutants.edit import edit_transitions
from statechart import actions
from statechart.model import Spec, Transition
from statechart.session import Session

FETCHING = "running.main.transaction.fetching"
TICK = "お取引内容を確認しました"
TRANSACTION = "running.main.transaction"
OTP_SCREEN = "running.main.otp"


def _fetch_error_where_it_started(spec: Spec) -> Spec:
    def one(transition: Transition) -> Transition:
        old, new = "running.main.transaction_started.error", "running.main.transaction.error"
        return replace(transition, target=new) if transition.target == old else transition

    return edit_transitions(spec, FETCHING, one)


@pytest.fixture
def keeps_the_tick(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessAdapter]:
    """A fetch that leaves the tick as it was (ASM-067 says a fetch clears it)."""
    fetch = actions.ACTIONS["fetch_transaction"]

    def keeping(s: Session) -> None:
        kept = dict(s.form)
        fetch(s)
        s.form.update(kept)

    with monkeypatch.context() as patch:
        patch.setitem(actions.ACTIONS, "fetch_transaction", keeping)
        impl = mutant(spec, "fetch_keeps_the_tick")
    yield impl  # the reference the grader replays on is built after the patch is undone


class TestAThenStepIsGradedByTheRouteBeforeIt:
    def test_a_fetch_error_over_the_screen_it_started_from_deviates(self, spec: Spec) -> None:
        impl = mutant(spec, "fetch_error_where_it_started", apply=_fetch_error_where_it_started)
        (scenario,) = scenario_named(
            spec, "4.3-エラー表示一覧.feature", "取引確認: 端末の時計のずれが1時間を超えると"
        )
        graded = grade_scenario(spec, scenario, impl)
        assert graded.failed is not None and graded.failed.keyword in ("ならば", "かつ")
        assert graded.grounds is not None
        assert graded.grounds.verdict == "deviation"
        assert "ASM-075" in graded.grounds.assumptions


class TestACheckboxTick:
    def test_kept_through_a_fetch_deviates_from_asm_067(
        self, spec: Spec, keeps_the_tick: InProcessAdapter
    ) -> None:
        (scenario,) = scenario_named(
            spec, "3.13.2-取引確認を利用する.feature", "「取引確認」画面で[更新]を選択すると"
        )
        graded = grade_scenario(spec, scenario, keeps_the_tick)
        assert graded.failed is not None
        assert graded.failed.text == f"「{TICK}」は「いいえ」と表示される"
        assert graded.grounds is not None
        assert graded.grounds.verdict == "deviation"
        assert "ASM-067" in graded.grounds.assumptions


class TestAPasswordOffItsScreen:
    def test_is_a_deviation_from_asm_076(self, spec: Spec) -> None:
        shown = rows.otp(SpecIndex.of(spec), StepTrace(state=TRANSACTION), None, "123456")
        assert (shown.verdict, shown.assumptions) == ("deviation", ("ASM-076",))

    def test_missing_on_its_screen_is_still_a_fail(self, spec: Spec) -> None:
        missing = rows.otp(SpecIndex.of(spec), StepTrace(state=OTP_SCREEN), "123456", None)
        assert missing.verdict == "fail"
        assert "2.1" in missing.sections
