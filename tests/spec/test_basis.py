"""What the shipped spec's expectations rest on (issue 12): the manual, or only an assumption.

Each case here is a requirement the manual does not make and the spec once made: it must now
be graded a deviation (or be gone), while the manual's own requirement next to it stays a fail.
"""

from __future__ import annotations

import pytest

from statechart.basis import Basis, basis, combine
from statechart.loader import load_spec
from statechart.model import Element, Spec, State, assumed_ids

SPEC: Spec = load_spec()
CHART = SPEC.statechart


def _element(path: str, label: str) -> Element:
    return next(e for e in CHART.state(path).elements if e.label == label)


def _error(code: str) -> Basis:
    return basis(next(e for e in SPEC.errors if e.code == code), "condition")


def test_the_manuals_ok_is_a_fail_and_the_added_cancel_a_deviation() -> None:
    dialog = "running.main.otp.transaction_start_confirm"  # 3.13.1 shows only [OK]
    assert basis(_element(dialog, "OK")).verdict == "fail"
    cancel = basis(_element(dialog, "キャンセル"))
    assert (cancel.verdict, cancel.assumptions) == ("deviation", ("ASM-035",))


@pytest.mark.parametrize(
    "path",
    [
        "running.main.settings.correction_done",  # 3.10 注意: 2～3分待ってから… is advice
        "running.main.transaction_done",  # 3.13.2: この段階では… is narrative
    ],
)
def test_notes_to_the_reader_are_not_screen_text(path: str) -> None:
    assert CHART.state(path).texts == ()


@pytest.mark.parametrize(
    "path",
    [
        "running.main.settings.menu.token_limit_notice",  # 3.3's 注意
        "running.main.settings.privacy.popup",  # 4.2's answer
    ],
)
def test_no_dialog_text_is_required_where_the_manual_prints_none(path: str) -> None:
    assert CHART.state(path).text is None


def test_every_dialog_text_the_spec_keeps_is_grounded() -> None:
    for state in CHART.iter_states():
        if state.kind == "dialog" and state.text is not None:
            assert basis(state, "text").assumptions, state.path


def test_the_no_transaction_line_is_the_printed_prefix_and_placed_by_an_assumption() -> None:
    # 3.13.2's 注意: the screen with this line is the one shown when 「取引確認」 is not;
    # which screen that is, ASM-052 decides (「取引確認開始完了」).
    assert CHART.state("running.main.transaction").texts == ()
    (line,) = CHART.state("running.main.transaction_started").texts
    assert (line.text, line.match) == ("現在認証対象のお取引がありません", "prefix")
    assert basis(line).assumptions == ("ASM-052",)


@pytest.mark.parametrize(
    "path",
    [
        "running.renewal_done",
        "running.main.settings.token_add_done",
        "running.main.settings.pin_change_done",
        "running.main.settings.correction_done",
    ],
)
def test_the_completion_screens_names_are_asm_002s(path: str) -> None:
    state: State = CHART.state(path)
    assert basis(state).verdict == "fail"  # the screen itself is the manual's
    assert basis(state, "title").assumptions == ("ASM-002",)


def test_exact_values_the_manual_leaves_open_are_assumed() -> None:
    assumed = SPEC.rules.assumed
    assert assumed_ids(assumed["renewal_extension_days"], "value") == ("ASM-010",)
    assert assumed_ids(assumed["correction_repeat_seconds"], "value") == ("ASM-063",)
    assert assumed_ids(assumed["max_tokens"], "value") == ()  # 10 is the manual's
    assert _error("S4H9").assumptions == ("ASM-063",)


def test_error_codes_and_messages_are_the_manuals_and_dismissal_is_asm_021s() -> None:
    for entry in SPEC.errors:
        assert basis(entry).verdict == "fail", entry.code
        assert basis(entry, "on_dismiss").assumptions == ("ASM-021",), entry.code


def test_the_tab_bar_is_the_manuals_on_the_password_screen_only() -> None:
    settings = _element("running.main", "設定")
    assert basis(settings).verdict == "fail"
    assert basis(settings, "inherited").assumptions == ("ASM-003",)
    assert basis(_element("running.main", "ワンタイムパスワード")).assumptions == ("ASM-003",)


def test_back_key_exits_by_the_manual_on_the_password_screen_only() -> None:
    def back(path: str) -> Basis:
        (transition,) = [t for t in CHART.state(path).transitions if t.key == "back"]
        return basis(transition)

    assert back("running.main.otp").verdict == "fail"  # 2.3.2
    assert back("running.main.token_select").assumptions == ("ASM-004",)


def test_priority_is_an_assumption_and_the_choice_itself_is_not() -> None:
    expired, *_ = CHART.state("running.token_route").transitions
    assert basis(expired).verdict == "fail"
    assert basis(expired, "priority").assumptions == ("ASM-001",)
    assert basis(expired, "guard").assumptions == ("ASM-008",)


def test_combine_is_a_deviation_when_any_part_is_assumed() -> None:
    manual, assumed = Basis(("3.3",)), Basis(("3.3",), ("ASM-002",))
    assert combine([manual, manual]).verdict == "fail"
    both = combine([manual, assumed])
    assert (both.verdict, both.sections, both.assumptions) == ("deviation", ("3.3",), ("ASM-002",))


def test_an_attribute_the_item_kind_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="has no attribute 'title'"):
        basis(_element("running.main", "設定"), "title")
