"""harness/grading on hand-made traces: each row of docs/grading.md's table, one at a time."""

from __future__ import annotations

import pytest

from harness.grading import (
    Difference,
    Grounds,
    StepTrace,
    difference_grounds,
    expectation_kind,
    gather,
    step_grounds,
)
from harness.grading.grounds import REGISTER_ONLY, narrowed, register_grounds
from harness.vocabulary import Phrase, match_step
from harness.vocabulary.then import EXPECTATION_KINDS, THEN_PHRASES
from harness.vocabulary.then_app import THEN_APP_PHRASES
from statechart.basis import Basis
from statechart.model import Spec

MENU = "running.main.settings.menu"
CORRECTION = "running.main.settings.correction"
CORRECTED = StepTrace(
    transitions=(f"{CORRECTION}#0", f"{CORRECTION}.sending#1"),
    state="running.main.settings.correction_done",
    before=CORRECTION,
    requests=(("tap", "実行"),),
)
REFUSED_AGAIN = StepTrace(
    transitions=(f"{CORRECTION}#0", f"{CORRECTION}.sending#0"),
    state=f"{CORRECTION}.error",
    before=CORRECTION,
    requests=(("tap", "実行"),),
    error_after="S4H9",
)
MENU_LABELS = [
    "トークン追加",
    "トークン削除",
    "アプリロック設定",
    "パスワード補正",
    "バージョン情報",
    "トークン表示名設定",
    "プライバシーポリシー",
    "ワンタイムパスワード",
    "設定",
]


class TestGrounds:
    def test_verdicts(self) -> None:
        assert Grounds(("3.4",)).verdict == "fail"
        assert Grounds(("3.4",), ("ASM-019",)).verdict == "deviation"

    def test_describe_names_sections_or_questions(self, spec: Spec) -> None:
        assert Grounds(("3.4",)).describe(spec) == "fail: マニュアル 3.4"
        line = Grounds(("3.3",), ("ASM-002",)).describe(spec)
        assert line.startswith("deviation: ASM-002 (What are the unnamed completion screens")
        assert "\n" not in line and "3.3" in line

    def test_counting_keeps_every_assumption_but_the_disclaimed(self) -> None:
        grounds = Grounds(("4.3",), ("ASM-063", "ASM-021"))
        assert grounds.counting(["@ASM-021", "@section-3.10"]).assumptions == grounds.assumptions
        assert grounds.counting([]).verdict == "deviation"
        assert grounds.counting(["@not-ASM-063"]).assumptions == ("ASM-021",)
        assert grounds.counting(["not-ASM-063", "not-ASM-021"]).verdict == "fail"

    def test_a_disclaimer_names_the_scenarios_own_sections_first(self) -> None:
        # 4.2's FAQ settles that a wrong PIN gives a wrong password, not A913 (ASM-015)
        grounds = Grounds(("4.3", "3.1.3"), ("ASM-015",))
        tags = ["@section-4.2", "@section-3.1.3", "@ASM-015", "@not-ASM-015"]
        assert grounds.counting(tags) == Grounds(("4.2", "3.1.3", "4.3"), ())
        assert grounds.counting(["@section-4.2"]) == grounds  # nothing disclaimed

    def test_narrowed_keeps_the_clauses_of_the_items_sections(self) -> None:
        deletion = ("3.4", "3.9.2", "3.9.3")
        assert narrowed(deletion, ["3.4"]) == ("3.4",)
        assert narrowed(deletion, ["3.9"]) == ("3.9.2", "3.9.3")
        # an item of other sections keeps every clause: it still names what broke
        assert narrowed(deletion, ["2.1"]) == deletion

    def test_gather_names_the_shared_sections(self) -> None:
        launch = Basis(("2.1", "3.1.1", "3.1.2"))
        lock = Basis(("3.1.2", "3.1.4"), ("ASM-001",))
        assert gather([launch, lock]) == Grounds(("3.1.2",), ("ASM-001",))
        # Nothing shared: all of them (3.9 and 3.9.1 are related, so they are shared).
        assert gather([Basis(("2.1",)), Basis(("3.9.2",))]).sections == ("2.1", "3.9.2")
        assert gather([Basis(("3.9",)), Basis(("3.9.1",))]).sections == ("3.9", "3.9.1")

    def test_the_register_only_grounds_are_registered(self, spec: Spec) -> None:
        for ident in REGISTER_ONLY.values():
            assert register_grounds(spec, ident).assumptions == (ident,)
        with pytest.raises(KeyError, match="ASM-999"):
            register_grounds(spec, "ASM-999")


class TestEveryThenPhraseHasAKind:
    def test_kinds(self) -> None:
        patterns = {p.pattern for p in (*THEN_PHRASES, *THEN_APP_PHRASES)}
        assert patterns == set(EXPECTATION_KINDS)


class TestStepTrace:
    def test_json_round_trip(self) -> None:
        trace = StepTrace(
            transitions=("closed#0", "running.launch_route#1"),
            state="running.privacy",
            before="closed",
            rivals=(("running.launch_route#1", ("running.launch_route#2",)),),
            requests=(("launch", ""),),
            injected=("A999",),
        )
        assert StepTrace.from_json(trace.to_json()) == trace
        assert trace.contested == {"running.launch_route#1"}


def _then(text: str) -> tuple[Phrase, dict[str, object]]:
    found = match_step(text, "then")
    assert found is not None
    return found


class TestPhrases:
    """step_grounds on hand-made traces: each ならば phrase is graded by its kind."""

    def test_no_error_expected(self, spec: Spec) -> None:
        phrase, params = _then("エラーは表示されない")
        view = {"error": {"code": "S4H9", "message": "x"}}
        tagged = step_grounds(spec, CORRECTED, phrase, params, view, ["@ASM-063"])
        assert tagged.assumptions == ("ASM-063",)
        assert step_grounds(spec, CORRECTED, phrase, params, view, []) == tagged
        disclaimed = ["@not-ASM-063"]
        assert step_grounds(spec, CORRECTED, phrase, params, view, disclaimed).verdict == "fail"

    def test_a_label_shown_where_hidden(self, spec: Spec) -> None:
        phrase, params = _then("「トークン選択」は表示されない")
        trace = StepTrace(state="running.main.otp")
        grounds = step_grounds(spec, trace, phrase, params, {}, ["ASM-003"])
        assert grounds == Grounds(("3.2",), ("ASM-003",))

    def test_a_field_that_must_not_take_input(self, spec: Spec) -> None:
        phrase, params = _then("「アプリロックコード」は入力できない")
        lock = "running.main.settings.app_lock"
        view = {"fields": {"アプリロックコード": ""}, "disabled": []}
        grounds = step_grounds(spec, StepTrace(state=lock), phrase, params, view, [])
        assert grounds == Grounds(("3.5", "3.6", "3.7"), ())

    def test_the_dialog_by_its_name_needs_the_manuals_buttons_only(self, spec: Spec) -> None:
        phrase, params = _then("終了確認ダイアログが表示される")
        trace = StepTrace(state="running.main.otp.exit_confirm")
        view = {"dialog": {"text": None, "buttons": ["はい"]}}
        # [いいえ] is ASM-004's: its absence is not what the dialog's name checks.
        grounds = step_grounds(spec, trace, phrase, params, view, [])
        assert "ASM-004" not in grounds.assumptions

    def test_the_list_order(self, spec: Spec) -> None:
        phrase, params = _then("トークン一覧は「A」「B」である")
        trace = StepTrace(state="running.main.token_select")
        reordered = step_grounds(spec, trace, phrase, params, {"tokens": ["B", "A"]}, ["ASM-064"])
        assert reordered.assumptions == ("ASM-064",)
        missing = step_grounds(spec, trace, phrase, params, {"tokens": ["A"]}, ["ASM-064"])
        assert missing.verdict == "fail"

    def test_an_iphones_back_key(self, spec: Spec) -> None:
        phrase, params = _then("バックキーは使えない")
        trace = StepTrace(state=MENU, before=MENU, requests=(("key", "back"),))
        grounds = step_grounds(spec, trace, phrase, params, {}, [])
        assert grounds.verdict == "fail" and "操作について(iPhone)" in grounds.sections

    def test_a_refused_tap(self, spec: Spec) -> None:
        found = match_step("「パスワード補正」を選択する", "when")
        assert found is not None
        trace = StepTrace(
            transitions=("running.main.settings.menu#5",),
            state=CORRECTION,
            before=MENU,
            requests=(("tap", "パスワード補正"),),
        )
        assert expectation_kind(found[0]) == "when"
        grounds = step_grounds(spec, trace, found[0], found[1], None, [])
        assert grounds == Grounds(("3.10",), ())


class TestLabels:
    def test_one_label_missing_names_only_its_sections(self, spec: Spec) -> None:
        trace = StepTrace(transitions=("running.main#2",), state=MENU, before="running.main.otp")
        shown = [label for label in MENU_LABELS if label != "パスワード補正"]
        grounds = difference_grounds(spec, trace, Difference("elements", MENU_LABELS, shown))
        # 設定メニュー cites eight sections; the missing item only 3.10.
        assert grounds == Grounds(("3.10",), ())

    def test_a_tab_off_the_otp_screen_is_the_tab_bars_assumption(self, spec: Spec) -> None:
        trace = StepTrace(state=MENU)
        shown = [label for label in MENU_LABELS if label != "設定"]
        grounds = difference_grounds(spec, trace, Difference("elements", MENU_LABELS, shown))
        assert grounds.verdict == "deviation" and grounds.assumptions == ("ASM-003",)

    def test_a_label_shown_where_the_spec_hides_it(self, spec: Spec) -> None:
        trace = StepTrace(state="running.main.otp")
        shown = ["ワンタイムパスワード", "設定", "トークン選択"]
        difference = Difference("elements", ["ワンタイムパスワード", "設定"], shown)
        grounds = difference_grounds(spec, trace, difference)
        assert grounds.sections == ("3.2",) and grounds.assumptions == ("ASM-003",)

    def test_a_button_of_a_dialog(self, spec: Spec) -> None:
        trace = StepTrace(state="running.main.otp.exit_confirm")
        missing_yes = Difference("dialog.buttons", ["いいえ", "はい"], ["いいえ"])
        assert difference_grounds(spec, trace, missing_yes) == Grounds(("2.3.2",), ())
        missing_no = Difference("dialog.buttons", ["いいえ", "はい"], ["はい"])
        assert difference_grounds(spec, trace, missing_no).assumptions == ("ASM-004",)


class TestRoute:
    def test_a_completion_title_the_spec_does_not_know_is_ASM_002s(self, spec: Spec) -> None:
        difference = Difference("screen.title", "パスワード補正完了", "補正完了")
        grounds = difference_grounds(spec, CORRECTED, difference)
        assert grounds.verdict == "deviation" and grounds.assumptions == ("ASM-002",)

    def test_a_known_title_means_the_route_broke(self, spec: Spec) -> None:
        difference = Difference("screen.title", "パスワード補正完了", "設定メニュー")
        assert difference_grounds(spec, CORRECTED, difference) == Grounds(("3.10",), ())

    def test_the_launch_order_is_ASM_001s_priority(self, spec: Spec) -> None:
        trace = StepTrace(
            transitions=("closed#0", "running.launch_route#1"),
            state="running.privacy",
            before="closed",
            rivals=(("running.launch_route#1", ("running.launch_route#2",)),),
        )
        difference = Difference("screen.title", "プライバシーポリシーの確認", "初期設定")
        grounds = difference_grounds(spec, trace, difference)
        assert "ASM-001" in grounds.assumptions and grounds.verdict == "deviation"
        # Without a rival whose guard also held, the order was not at stake.
        alone = StepTrace(transitions=trace.transitions, state=trace.state, before="closed")
        assert "ASM-001" not in difference_grounds(spec, alone, difference).assumptions

    def test_dismissing_an_error_rests_on_its_on_dismiss(self, spec: Spec) -> None:
        trace = StepTrace(
            transitions=(f"{CORRECTION}.error#1",),
            state=CORRECTION,
            before=f"{CORRECTION}.error",
            error_before="S4H9",
        )
        grounds = difference_grounds(spec, trace, Difference("app", "running", "closed"))
        assert grounds.assumptions == ("ASM-021",)


class TestErrors:
    def test_the_condition_of_the_expected_error(self, spec: Spec) -> None:
        difference = Difference("error.code", "S4H9", None)
        grounds = difference_grounds(spec, REFUSED_AGAIN, difference)
        assert grounds.assumptions == ("ASM-063",) and grounds.sections == ("4.3",)

    def test_an_injected_error_has_no_condition(self, spec: Spec) -> None:
        injected = StepTrace(**{**REFUSED_AGAIN.__dict__, "injected": ("S4H9",)})
        grounds = difference_grounds(spec, injected, Difference("error.code", "S4H9", None))
        assert grounds.verdict == "fail"

    def test_an_error_where_none_was_expected(self, spec: Spec) -> None:
        grounds = difference_grounds(spec, CORRECTED, Difference("error.code", None, "S4H9"))
        assert grounds.assumptions == ("ASM-063",)
        assert set(grounds.sections) == {"4.3", "3.10"}

    def test_the_message_is_always_the_manuals(self, spec: Spec) -> None:
        difference = Difference("error.message", "パスワード補正に失敗しました。", "x")
        assert difference_grounds(spec, REFUSED_AGAIN, difference) == Grounds(("4.3",), ())

    def test_an_input_the_manual_bounds_accepted(self, spec: Spec) -> None:
        lock = "running.main.settings.app_lock"
        trace = StepTrace(
            transitions=(f"{lock}#2", f"{lock}.checking#0"),
            state=f"{lock}.error",
            before=lock,
            error_after="A914",
        )
        typed = {"アプリロックコード": "1" * 33, "アプリロックコード(確認用)": "1" * 33}
        grounds = difference_grounds(spec, trace, Difference("error.code", "A914", None), typed)
        # 3.5: 1 to 32 digits, the manual's (the error's code on that screen is ASM-023's).
        assert grounds == Grounds(("3.5", "3.6"), ())


class TestValues:
    def test_a_secret_in_clear_or_a_wrong_mask(self, spec: Spec) -> None:
        trace = StepTrace(state="running.lock_entry", before="running.lock_entry")
        typed = {"アプリロックコード": "5555"}
        clear = Difference("fields", {"アプリロックコード": "●●●●"}, {"アプリロックコード": "5555"})
        assert difference_grounds(spec, trace, clear, typed).verdict == "fail"
        stars = Difference("fields", {"アプリロックコード": "●●●●"}, {"アプリロックコード": "****"})
        assert difference_grounds(spec, trace, stars, typed).assumptions == ("ASM-032",)

    def test_a_field_kept_after_an_error_is_ASM_041s(self, spec: Spec) -> None:
        trace = StepTrace(
            transitions=("running.setup.initial_setup.error#1",),
            state="running.setup.initial_setup",
            error_before="A911",
        )
        difference = Difference("fields", {"サービスID": "MIRAI01"}, {"サービスID": ""})
        grounds = difference_grounds(spec, trace, difference, {"サービスID": "MIRAI01"})
        assert grounds.assumptions == ("ASM-041",)

    def test_the_password(self, spec: Spec) -> None:
        trace = StepTrace(state="running.main.otp")
        value = difference_grounds(spec, trace, Difference("otp", "123456", "654321"))
        assert value.verdict == "fail" and "2.1" in value.sections
        digits = difference_grounds(spec, trace, Difference("otp", "123456", "12345678"))
        assert digits.assumptions == ("ASM-030",)

    def test_tokens_as_a_multiset_then_their_order(self, spec: Spec) -> None:
        trace = StepTrace(state="running.main.token_select")
        which = difference_grounds(spec, trace, Difference("tokens", ["A", "B"], ["A"]))
        assert which == Grounds(("3.2",), ())
        order = difference_grounds(spec, trace, Difference("tokens.order", ["A", "B"], ["B", "A"]))
        assert order.assumptions == ("ASM-064",)

    def test_a_token_name_off_by_its_suffix_is_ASM_012s(self, spec: Spec) -> None:
        trace = StepTrace(state="running.main.otp")
        name = {"name": "ミレインターネットバンキング_2"}
        suffix = Difference("token", name, {"name": "ミレインターネットバンキング_3"})
        assert difference_grounds(spec, trace, suffix).assumptions == ("ASM-012",)
        other = Difference("token", name, {"name": "別の銀行"})
        assert difference_grounds(spec, trace, other).verdict == "fail"

    def test_a_start_date_is_ASM_031s(self, spec: Spec) -> None:
        trace = StepTrace(state="running.main.otp")
        want = {"name": "A", "serial": "1", "expires": "2027/01/01", "start": "2025/01/01"}
        got = {**want, "start": "2025/01/02"}
        grounds = difference_grounds(spec, trace, Difference("token", want, got))
        assert grounds.assumptions == ("ASM-031",)

    def test_the_browser_after_a_biometric_login_is_ASM_028s(self, spec: Spec) -> None:
        auth = "running.main.otp.biometric_login_auth"
        trace = StepTrace(transitions=(f"{auth}#0",), state="running.main.otp", before=auth)
        difference = Difference("browser", "https://login.example/", None)
        grounds = difference_grounds(spec, trace, difference)
        assert grounds.assumptions == ("ASM-028",) and grounds.sections == ("3.14.2",)

    def test_the_logo_link_is_the_manuals(self, spec: Spec) -> None:
        trace = StepTrace(transitions=("running.main.otp#0",), state="running.main.otp")
        grounds = difference_grounds(spec, trace, Difference("browser", None, "https://x/"))
        assert grounds == Grounds(("2.2",), ())


class TestRefusals:
    def test_a_back_key_an_iphone_has_not(self, spec: Spec) -> None:
        trace = StepTrace(state=MENU, before=MENU, requests=(("key", "back"),))
        grounds = difference_grounds(spec, trace, Difference("request", "unsupported", "view"))
        assert grounds.verdict == "fail" and "操作について(iPhone)" in grounds.sections

    def test_a_disabled_field_typed_into(self, spec: Spec) -> None:
        lock = "running.main.settings.app_lock"
        trace = StepTrace(state=lock, before=lock, requests=(("enter", "アプリロックコード"),))
        grounds = difference_grounds(spec, trace, Difference("request", "not_found", "view"))
        assert grounds == Grounds(("3.5", "3.6", "3.7"), ())

    def test_a_tap_the_implementation_refused(self, spec: Spec) -> None:
        trace = StepTrace(
            transitions=("running.main.settings.menu#5",),
            state=CORRECTION,
            before=MENU,
            requests=(("tap", "パスワード補正"),),
        )
        difference = Difference("request", "view", "not_found: no such label")
        assert difference_grounds(spec, trace, difference) == Grounds(("3.10",), ())

    def test_a_back_key_that_does_nothing_refused_is_asm_004s(self, spec: Spec) -> None:
        dialog = "running.main.otp.transaction_start_confirm"
        trace = StepTrace(state=dialog, before=dialog, requests=(("key", "back"),))
        difference = Difference("request", "view", "not_found: nothing happens")
        assert difference_grounds(spec, trace, difference).assumptions == ("ASM-004",)

    def test_a_back_key_that_leads_somewhere_refused_is_the_route(self, spec: Spec) -> None:
        otp = "running.main.otp"
        trace = StepTrace(
            transitions=("running.main.otp#5",),
            state=f"{otp}.exit_confirm",
            before=otp,
            requests=(("key", "back"),),
        )
        difference = Difference("request", "view", "not_found: no back key")
        grounds = difference_grounds(spec, trace, difference)
        assert grounds.verdict == "fail" and "2.3.2" in grounds.sections
