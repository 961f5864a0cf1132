"""The step library: phrases as data, matching, suggestions, facts and `otpspec steps`."""

from __future__ import annotations

import argparse
import json

import pytest

from harness.cli.commands import main
from harness.cli.steps import phrase_data, run_steps, shown_pattern
from harness.vocabulary.base import describe_view, to_int
from harness.vocabulary.errors import Refused, StepError
from harness.vocabulary.facts import Facts, iso_date, iso_instant
from harness.vocabulary.phrases import PHRASES, match_any, match_step, suggest

MANUAL_PRECONDITIONS = (
    "登録されているトークンがひとつ",
    "アプリロックは未設定",
    "PIN設定のないトークン",
)


class TestPhrases:
    def test_every_phrase_has_an_example_and_a_one_line_doc(self) -> None:
        for phrase in PHRASES:
            assert phrase.example and phrase.doc and "\n" not in phrase.doc, phrase.pattern

    def test_patterns_are_unique(self) -> None:
        patterns = [(p.kind, p.pattern) for p in PHRASES]
        assert len(patterns) == len(set(patterns))

    def test_the_manuals_preconditions_are_phrases_as_printed(self) -> None:
        for text in MANUAL_PRECONDITIONS:
            assert match_step(text, "given") is not None, text

    def test_secret_parameters_are_declared(self) -> None:
        secrets = {p.pattern: p.secrets for p in PHRASES if p.secrets}
        assert set(secrets.values()) == {("pin",), ("code",), ("password",)}


class TestMatchStep:
    @pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.example)
    def test_each_example_matches_its_own_phrase_only(self, phrase) -> None:
        matched = match_step(phrase.example, phrase.kind)
        assert matched is not None and matched[0] is phrase
        others = [p for p in PHRASES if p is not phrase and p.parse(phrase.example) is not None]
        assert others == [], "an example must not be read as another phrase"

    @pytest.mark.parametrize(("text", "seconds"), [("59秒経過する", 59), ("６０秒経過する", 60)])
    def test_counts_take_half_and_full_width_digits(self, text: str, seconds: int) -> None:
        matched = match_step(text, "when")
        assert matched is not None and matched[1] == {"n": seconds}

    def test_quoted_values_may_be_empty(self) -> None:
        matched = match_step("「PIN」に「」を入力する", "when")
        assert matched is not None and matched[1] == {"field": "PIN", "value": ""}

    def test_a_token_list_is_read_in_order(self) -> None:
        matched = match_step("トークン一覧は「A」「B_2」「」である", "then")
        assert matched is not None and matched[1] == {"names": ("A", "B_2", "")}

    def test_the_kind_must_match(self) -> None:
        assert match_step("アプリを起動する", "given") is None
        assert match_step("アプリを起動する", "when") is not None

    def test_the_whole_text_must_match(self) -> None:
        assert match_step("アプリを起動する。", "when") is None


class TestMatchAny:
    def test_finds_a_phrase_of_another_kind(self) -> None:
        phrase = match_any("アプリを起動する")
        assert phrase is not None and phrase.keyword == "もし"
        assert match_any("存在しない文") is None


class TestSuggest:
    @pytest.mark.parametrize(
        ("text", "kind", "nearest"),
        [
            (
                "「PIN入力」画面を表示される",
                "then",
                "「プライバシーポリシーの確認」画面が表示される",
            ),
            ("アプリを起動した", "when", "アプリを起動する"),
            ("「次へ」ボタンを選択する", "when", "「同意して進む」を選択する"),
            ("エラーコード「A913」が表示される", "then", "エラー「A913」が表示される"),
            ("トークンが２つ登録されている", "given", "トークンが3個登録されている"),
        ],
    )
    def test_the_nearest_phrase_comes_first(self, text: str, kind, nearest: str) -> None:
        found = suggest(text, kind)
        assert found[0] == nearest
        assert len(found) <= 3

    def test_nothing_close_gives_nothing(self) -> None:
        assert suggest("xyz", "when") == []


class TestFacts:
    def test_nothing_stated_is_a_fresh_install(self) -> None:
        facts = Facts()
        facts.fresh_install = True
        assert facts.to_fixture() == {}

    def test_one_token_alone_is_a_token_of_the_demo_service(self) -> None:
        facts = Facts(one_token=True)
        fixture = facts.to_fixture()
        assert fixture["app"]["tokens"] == [{"service_id": "MIRAI01", "user_id": "USER0001"}]
        assert fixture["app"]["privacy_policy_agreed"] is True

    def test_tokens_are_named_as_the_app_shows_them(self) -> None:
        facts = Facts()
        facts.add_token("ミレインターネットバンキング")
        facts.add_token("ミレインターネットバンキング")
        facts.add_token("PINバンク")
        assert facts.display_names() == [
            "ミレインターネットバンキング",
            "ミレインターネットバンキング_2",
            "PINバンク",
        ]
        facts.set_pin("PINバンク", "4321")
        fixture = facts.to_fixture()
        assert fixture["app"]["tokens"][2] == {
            "service_id": "SV02",
            "user_id": "USER0001",
            "pin": "4321",
        }
        assert fixture["services"][1]["pin"] is True
        assert facts.secrets() == {"4321"}

    def test_days_to_expiry_count_from_the_fixtures_today(self) -> None:
        facts = Facts(now="2026-04-01T09:00:00+09:00")
        facts.add_token("ミレインターネットバンキング").expires_in_days = 180
        assert facts.to_fixture()["app"]["tokens"][0]["expires"] == "2026-09-28"

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            (
                lambda f: (setattr(f, "one_token", True), f.add_token("A"), f.add_token("B")),
                "ひとつ",
            ),
            (lambda f: (setattr(f, "no_lock", True), setattr(f, "lock_code", "1")), "未設定"),
            (lambda f: (setattr(f, "fresh_install", True), f.add_token("A")), "初めて"),
            (lambda f: f.token("ない"), "登録されていません"),
            (lambda f: f.last_token(), "トークンがありません"),
        ],
    )
    def test_contradictions_are_step_errors(self, setup, message: str) -> None:
        facts = Facts()
        with pytest.raises(StepError, match=message):
            setup(facts)
            facts.to_fixture()

    def test_dates_are_read_as_the_app_shows_them(self) -> None:
        assert iso_date("2027/12/31") == "2027-12-31"
        assert iso_instant("2026/04/01 09:00:30") == "2026-04-01T09:00:30"
        with pytest.raises(StepError, match="YYYY/MM/DD"):
            iso_date("2027/13/01")


class TestToInt:
    def test_reads_full_width_digits(self) -> None:
        assert to_int("１２") == 12 and to_int("12") == 12


class TestDescribeView:
    def test_names_screen_dialog_and_error(self) -> None:
        view = {
            "app": "running",
            "screen": {"title": "PIN入力"},
            "dialog": {"text": None, "buttons": ["OK"]},
            "error": {"code": "A913", "message": "入力内容に誤りがあります。"},
        }
        assert describe_view(view) == (
            "画面「PIN入力」、ダイアログ [OK]、エラー A913「入力内容に誤りがあります。」"
        )
        assert describe_view({"app": "closed"}) == "アプリは終了している"


class TestRunSteps:
    def test_lists_every_phrase_by_kind(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert run_steps(argparse.Namespace(json=False)) == 0
        out = capsys.readouterr().out
        assert out.index("前提 (") < out.index("もし (") < out.index("ならば (")
        for phrase in PHRASES:
            assert f"例: {phrase.keyword} {phrase.example}" in out
            assert shown_pattern(phrase) in out

    def test_json_through_the_cli(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["steps", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data == [phrase_data(phrase) for phrase in PHRASES]
        assert {"kind", "keyword", "pattern", "example", "doc", "secrets"} == set(data[0])

    def test_patterns_are_shown_without_types(self) -> None:
        (phrase,) = [p for p in PHRASES if p.example == "3秒経過する"]
        assert shown_pattern(phrase) == "{n}秒経過する"


class _MenuWithoutAdd:
    """A step context whose 「設定メニュー」 has no [トークン追加] (hidden at the limit)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.sent: list[tuple[str, dict[str, object]]] = []

    def send(self, op: str, **args: object) -> dict[str, object]:
        self.sent.append((op, args))
        raise Refused(self.kind, "no such element", op)


class TestTryToAddAToken:
    STEP = (
        "サービスID「MIRAI01」、ユーザID「USER1001」、利用開始パスワード「22223333」"
        "でトークンの追加を試みる"
    )

    def _run(self, ctx: _MenuWithoutAdd) -> None:
        found = match_step(self.STEP, "when")
        assert found is not None
        phrase, params = found
        phrase.handler(ctx, **params)  # type: ignore[arg-type]

    def test_a_menu_without_the_item_at_the_limit_is_followed(self) -> None:
        # ASM-018 decides what shows at the limit; the scenario judges the effect (3.3, 4.2)
        ctx = _MenuWithoutAdd("not_found")
        self._run(ctx)
        assert ctx.sent == [("tap", {"target": "トークン追加"})]

    def test_another_refusal_still_ends_the_step(self) -> None:
        with pytest.raises(Refused):
            self._run(_MenuWithoutAdd("unsupported"))
