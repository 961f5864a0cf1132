"""Each contract proves its power: a shipped mutant (harness/mutants, its `contract`) that
it flags, while the reference, driven through the same steps, breaks no contract at all.
Several mutants are the reference's own old bugs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from contract_helpers import DETAILS, Driver, fixture, token, transactions

from harness.contracts import CONTRACTS
from harness.mutants import MUTANTS, Mutant, mutant_named
from statechart.app import ReferenceApp
from statechart.model import Spec

Scenario = Callable[[Driver], None]


# ---- scenarios


def _expired_at_launch(d: Driver) -> None:
    d.start(fixture(token(expires="2026-03-31")))


def _nothing_pending(d: Driver) -> None:
    d.start(fixture(token(transaction_started=True)))
    d.tap("取引確認")


def _otp_screen(d: Driver) -> None:
    d.start(fixture(token(), device={"skew_seconds": 150}))
    d.send("clock", advance=61)


def _expires_while_shown(d: Driver) -> None:
    d.start(fixture(token(expires="2026-04-01")))
    d.tap("後で通知")
    d.send("clock", advance=86400)


def _setup_with_pin(d: Driver) -> None:
    data = fixture()
    d.start(data)
    d.enter(**{"サービスID": "PIN01", "ユーザID": "PINUSER", "利用開始パスワード": "4321"})
    d.tap("上記の内容に同意する", "送信", "次へ", "登録", "設定", "PINの変更")
    d.enter(**{"現在のPIN": "4321", "新しいPIN": "13579", "新しいPIN(確認用)": "13579"})
    d.tap("送信")


def _pin_change(d: Driver) -> None:
    d.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    d.enter(PIN="1234")
    d.tap("確定", "設定", "PINの変更")
    d.enter(**{"現在のPIN": "1234", "新しいPIN": "5678", "新しいPIN(確認用)": "5678"})
    d.tap("送信", "設定メニューに戻る", "ワンタイムパスワード")


def _wrong_current_pin(d: Driver) -> None:
    d.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    d.enter(PIN="1234")
    d.tap("確定", "設定", "PINの変更")
    d.enter(**{"現在のPIN": "9999", "新しいPIN": "5678", "新しいPIN(確認用)": "5678"})
    d.tap("送信")


def _confirm(d: Driver) -> None:
    d.tap("お取引内容を確認しました", "OK", "OK")


def _correction_then_confirm(d: Driver) -> None:
    data = fixture(token(transaction_started=True), transactions=transactions("T1"),
                   device={"skew_seconds": 300})  # fmt: skip
    d.start(data)
    d.tap("設定", "パスワード補正", "実行", "設定メニューに戻る", "取引確認")
    _confirm(d)


def _two_confirmations_in_a_minute(d: Driver) -> None:
    d.start(fixture(token(transaction_started=True), transactions=transactions("T1", "T2")))
    d.tap("取引確認")
    _confirm(d)
    d.tap("次の取引を確認")
    _confirm(d)


def _pin_typed(d: Driver) -> None:
    d.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    d.enter(PIN="1234")


def _eleventh_token(d: Driver) -> None:
    users = [f"U{n:02d}" for n in range(11)]
    accounts = [{"service_id": "MIRAI01", "user_id": u} for u in users]
    d.start(fixture(*(token(u) for u in users[:10]), accounts=accounts))
    d.tap(d.view["tokens"][0], "設定", "トークン追加")
    d.enter(**{"サービスID": "MIRAI01", "ユーザID": "U10", "利用開始パスワード": "12345678"})
    d.tap("上記の内容に同意する", "送信", "次へ", "登録")


def _setup(d: Driver) -> None:
    d.start(fixture())
    d.enter(**{"サービスID": "MIRAI01", "ユーザID": "USER0001", "利用開始パスワード": "12345678"})
    d.tap("上記の内容に同意する", "送信", "次へ", "登録")


def _add_second(d: Driver) -> None:
    d.start(fixture(token()))
    d.tap("設定", "トークン追加")
    d.enter(**{"サービスID": "MIRAI01", "ユーザID": "USER0002", "利用開始パスワード": "22223333"})
    d.tap("上記の内容に同意する", "送信", "次へ")


def _add_second_then_rename_selected(d: Driver) -> None:
    _add_second(d)
    d.tap("ワンタイムパスワード", "設定", "トークン表示名設定")
    d.enter(**{"変更後の追加文言": "本店用"})
    d.tap("登録", "トークン選択")


def _blank_text(d: Driver) -> None:
    d.start(fixture(token(suffix="本店用")))
    d.tap("設定", "トークン表示名設定")
    d.enter(**{"変更後の追加文言": ""})
    d.tap("登録", "トークン選択")


def _three_tokens(d: Driver, chosen: int) -> None:
    accounts = [{"service_id": "MIRAI01", "user_id": f"U{n}"} for n in range(3)]
    d.start(fixture(*(token(f"U{n}") for n in range(3)), accounts=accounts))
    d.tap(d.view["tokens"][chosen])


def _delete_first(d: Driver) -> None:
    _three_tokens(d, 1)
    d.tap("設定", "トークン削除")
    d.tap(d.view["tokens"][0], "削除", "トークン選択")


def _delete_before_selected(d: Driver) -> None:
    _three_tokens(d, 1)
    d.tap("設定", "トークン削除")
    d.tap(d.view["tokens"][0], "削除", "ワンタイムパスワード")


def _lock_off(d: Driver) -> None:
    d.start(fixture(token(), app=fixture(token())["app"] | {"app_lock_code": "2468"}))
    d.enter(**{"アプリロックコード": "2468"})
    d.tap("確定", "設定", "アプリロック設定", "アプリロック設定", "OK", "確定")
    d.send("key", "home")
    d.send("launch")


def _renewal(d: Driver) -> None:
    d.start(fixture(token(expires="2026-07-01")))
    d.tap("今すぐ更新")


def _two_pending(d: Driver) -> None:
    d.start(fixture(token(transaction_started=True), transactions=transactions("T1", "T2")))
    d.tap("取引確認")


def _notified_second(d: Driver) -> None:
    d.send("reset", fixture(token(transaction_started=True), transactions=transactions("T1", "T2")))
    d.send("notify", "T2")
    d.tap("取引確認を促す通知")


def _confirm_then_next(d: Driver) -> None:
    _two_pending(d)
    _confirm(d)
    d.send("clock", advance=60)
    d.tap("次の取引を確認")


# ---- the shipped mutants (harness/mutants), each with the steps that show its bug


@dataclass(frozen=True)
class Case:
    """A shipped mutant, the steps that exercise it, and the contract it must break."""

    mutant: str
    scenario: Scenario

    @property
    def shipped(self) -> Mutant:
        return mutant_named(self.mutant)


CASES = [
    Case("five_digit_password", _otp_screen),
    Case("password_from_true_time", _otp_screen),
    Case("password_after_expiry", _expires_while_shown),
    Case("expired_shows_otp", _expired_at_launch),
    Case("initial_pin_not_activation_password", _setup_with_pin),
    Case("pinless_password_after_setup", _setup_with_pin),
    Case("password_without_pin", _pin_change),
    Case("pin_change_after_restart", _pin_change),
    Case("current_pin_ignored", _wrong_current_pin),
    Case("correction_stores_nothing", _correction_then_confirm),
    Case("used_password_accepted", _two_confirmations_in_a_minute),
    Case("pin_in_clear", _pin_typed),
    Case("eleventh_token", _eleventh_token),
    Case("other_serial", _setup),
    Case("no_suffix", _add_second),
    Case("blank_text_kept", _blank_text),
    Case("add_names_selected_token", _add_second),
    Case("rename_leaks_pending_token", _add_second_then_rename_selected),
    Case("deletes_the_next_token", _delete_first),
    Case("selection_not_shifted", _delete_before_selected),
    Case("lock_stays_after_off", _lock_off),
    Case("renewal_keeps_expiry", _renewal),
    Case("newest_transaction_first", _two_pending),
    Case("notification_opens_oldest", _notified_second),
    Case("confirms_every_transaction", _confirm_then_next),
    Case("confirms_no_transaction", _confirm_then_next),
    Case("empty_transaction_screen", _nothing_pending),
]


def _run(app: ReferenceApp, spec: Spec, scenario: Scenario) -> Driver:
    driver = Driver(app, spec)
    scenario(driver)
    return driver


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.mutant)
def test_the_reference_passes_and_the_mutant_is_flagged(case: Case, spec: Spec) -> None:
    reference = _run(ReferenceApp(spec), spec, case.scenario)
    assert [b.format() for b in reference.breaches] == []
    mutant = _run(case.shipped.build(spec), spec, case.scenario)
    assert case.shipped.contract in mutant.broken(), [b.format() for b in mutant.breaches]


def test_every_contract_has_a_shipped_mutant() -> None:
    named = {mutant.contract for mutant in MUTANTS if mutant.contract}
    assert named == set(CONTRACTS)
    assert {case.shipped.contract for case in CASES} == set(CONTRACTS)


def test_every_mutant_that_names_a_contract_is_tried_here() -> None:
    tried = {case.mutant for case in CASES}
    assert {mutant.name for mutant in MUTANTS if mutant.contract} <= tried


def test_details_differ_so_transactions_can_be_told_apart() -> None:
    assert DETAILS[0] != DETAILS[1]
