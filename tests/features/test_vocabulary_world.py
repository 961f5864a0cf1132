"""The 前提 phrases that state the service's side of the world (seeds, serials, account states,
applications, transactions and their details) and the ならば phrases that read them back."""

from __future__ import annotations

from typing import Any

import pytest

from harness.vocabulary.errors import StepError, StepFailed
from harness.vocabulary.facts import Facts
from harness.vocabulary.phrases import match_step
from statechart.domain import parse_fixture
from statechart.model import Spec

SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
BANK = "ミレインターネットバンキング"


class Context:
    """Enough of a StepContext: the facts, and a view the ならば steps look at."""

    def __init__(self, spec: Spec, view: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.facts = Facts()
        self.typed: dict[str, str] = {}
        self.otp_mark: str | None = None
        self.shown = view or {}

    def send(self, op: str, **args: Any) -> dict[str, Any]:
        assert op == "observe"
        return self.shown

    def view(self) -> dict[str, Any]:
        return self.shown


def given(context: Context, *lines: str) -> dict[str, Any]:
    """Runs 前提 lines; the fixture they make (checked by the reference's fixture reader)."""
    for line in lines:
        found = match_step(line, "given")
        assert found is not None, line
        found[0].handler(context, **found[1])
    fixture = context.facts.to_fixture()
    parse_fixture(fixture)
    return fixture


def then(context: Context, line: str) -> None:
    found = match_step(line, "then")
    assert found is not None, line
    found[0].handler(context, **found[1])


class TestTokensAndAccounts:
    def test_a_tokens_seed(self, spec: Spec) -> None:
        fixture = given(
            Context(spec),
            f"「{BANK}」のトークンが登録されている",
            f"トークン「{BANK}」のシードは「{SEED}」である",
            f"トークン「{BANK}」のシリアル番号は「12345678」である",
        )
        (token,) = fixture["app"]["tokens"]
        assert (token["seed"], token["serial"]) == (SEED, "12345678")

    def test_the_serial_and_seed_an_application_gets(self, spec: Spec) -> None:
        fixture = given(
            Context(spec),
            "アプリを初めて起動する状態である",
            f"「{BANK}」にユーザID「USER0009」、利用開始パスワード「12345678」で申請済みである",
            f"ユーザID「USER0009」に発行されるトークンのシリアル番号は「87654321」、シードは「{SEED}」である",
        )
        (account,) = fixture["accounts"]
        assert (account["serial"], account["seed"]) == ("87654321", SEED)

    def test_the_serial_of_no_application_is_a_step_error(self, spec: Spec) -> None:
        with pytest.raises(StepError, match="USER0009"):
            given(
                Context(spec),
                f"ユーザID「USER0009」に発行されるトークンのシリアル番号は「1」、シードは「{SEED}」である",
            )

    @pytest.mark.parametrize(
        ("line", "state"),
        [
            (f"トークン「{BANK}」は利用不可になっている", "token_locked"),
            (
                f"トークン「{BANK}」の利用者はご利用申請後の初期設定が完了していない",
                "setup_incomplete",
            ),
        ],
    )
    def test_account_states(self, spec: Spec, line: str, state: str) -> None:
        fixture = given(Context(spec), "登録されているトークンがひとつ", line)
        assert fixture["accounts"] == [
            {"service_id": "MIRAI01", "user_id": "USER0001", "state": state}
        ]

    @pytest.mark.parametrize(("word", "value"), [("処理中", "pending"), ("失効", "lapsed")])
    def test_the_application_for_transaction_confirmation(
        self, spec: Spec, word: str, value: str
    ) -> None:
        line = f"取引確認機能の申し込みが{word}{'である' if word == '処理中' else 'している'}"
        fixture = given(Context(spec), f"「{BANK}」のトークンが登録されている", line)
        assert fixture["accounts"][0]["transaction_application"] == value

    def test_a_service_with_pins_and_a_minimum_app_version(self, spec: Spec) -> None:
        fixture = given(
            Context(spec),
            "サービス「PINバンク」はPIN設定のあるサービスである",
            "サービス「PINバンク」が受け付けるアプリのバージョンは「5.0.0」以上である",
        )
        pin_bank = next(s for s in fixture["services"] if s["name"] == "PINバンク")
        assert (pin_bank["pin"], pin_bank["min_app_version"]) == (True, "5.0.0")
        demo = next(s for s in fixture["services"] if s["name"] == BANK)
        assert "min_app_version" not in demo


class TestTransactions:
    def test_each_transaction_has_details_of_its_own(self, spec: Spec) -> None:
        fixture = given(
            Context(spec),
            "登録されているトークンがひとつ",
            "取引「T1」が確認待ちである",
            "取引「T2」が確認待ちである",
        )
        first, second = (t["details"] for t in fixture["transactions"])
        assert first == {"取引内容": "振込", "金額": "10,000円"}
        assert second["金額"] == "20,000円" and first != second

    def test_details_and_lapse_stated(self, spec: Spec) -> None:
        fixture = given(
            Context(spec),
            "登録されているトークンがひとつ",
            "取引「T1」が確認待ちである",
            "取引「T1」の「金額」は「5,000円」である",
            "取引「T1」の「振込先」は「ミライ商事」である",
            "取引「T1」の確認期限は「2026/04/01 09:05:00」である",
        )
        (transaction,) = fixture["transactions"]
        assert transaction["details"] == {
            "取引内容": "振込",
            "金額": "5,000円",
            "振込先": "ミライ商事",
        }
        assert transaction["lapses_at"] == "2026-04-01T09:05:00"

    def test_an_unknown_transaction_is_a_step_error(self, spec: Spec) -> None:
        with pytest.raises(StepError, match="取引「T9」は前提にありません"):
            given(
                Context(spec),
                "登録されているトークンがひとつ",
                "取引「T9」の「金額」は「1円」である",
            )

    def test_a_transaction_stated_twice_is_a_step_error(self, spec: Spec) -> None:
        with pytest.raises(StepError, match="すでにあります"):
            given(
                Context(spec),
                "登録されているトークンがひとつ",
                "取引「T1」が確認待ちである",
                "取引「T1」が確認待ちである",
            )


def _transaction_view(details: dict[str, str] | None, title: str = "取引確認") -> dict[str, Any]:
    return {"screen": {"title": title}, "dialog": None, "error": None, "transaction": details}


class TestThenValues:
    def _context(self, spec: Spec, view: dict[str, Any]) -> Context:
        context = Context(spec, view)
        given(
            context,
            "登録されているトークンがひとつ",
            "取引「T1」が確認待ちである",
            "取引「T2」が確認待ちである",
        )
        return context

    def test_the_transaction_shown(self, spec: Spec) -> None:
        context = self._context(spec, _transaction_view({"取引内容": "振込", "金額": "20,000円"}))
        then(context, "取引「T2」の内容が表示される")
        with pytest.raises(StepFailed) as failed:
            then(context, "取引「T1」の内容が表示される")
        assert "「金額」「10,000円」" in failed.value.expected
        assert "「金額」「20,000円」" in failed.value.observed

    def test_no_transaction_shown(self, spec: Spec) -> None:
        context = self._context(spec, _transaction_view(None, "取引確認開始完了"))
        with pytest.raises(StepFailed, match="取引内容なし"):
            then(context, "取引「T1」の内容が表示される")

    def test_no_password(self, spec: Spec) -> None:
        context = Context(spec, {"screen": {"title": "有効期限切れ"}, "otp": None})
        then(context, "ワンタイムパスワードは表示されない")
        context.shown = {"screen": {"title": "有効期限切れ"}, "otp": "799070"}
        with pytest.raises(StepFailed, match="799070"):
            then(context, "ワンタイムパスワードは表示されない")
