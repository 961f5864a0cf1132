"""Each contract proves its power: a mutant of the reference that it flags, while the
reference, driven through the same steps, breaks no contract at all.

The mutants are written here (tests only); those worth shipping are listed for
harness/mutants.py in the lead's report. Several are the reference's own old bugs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from contract_helpers import (
    DETAILS,
    Driver,
    Mutant,
    fixture,
    token,
    transactions,
    with_rule,
    with_server,
)

from harness.contracts import CONTRACTS
from statechart.actions import ACTIONS
from statechart.app import ReferenceApp
from statechart.model import Spec
from statechart.otp import token_password
from statechart.server import AuthServer, Outcome
from statechart.session import Session

Scenario = Callable[[Driver], None]
Build = Callable[[Spec], ReferenceApp]


@dataclass(frozen=True)
class Case:
    """A contract, the steps that exercise it, and a mutant it must flag."""

    contract: str
    bug: str
    scenario: Scenario
    mutant: Build


# ---- scenarios


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


# ---- mutants


def _true_time_password(session: Session) -> None:
    """The app computes passwords from true time, ignoring the device clock (ASM-009)."""

    def wrong(token: Any) -> str:
        pin = session.entered_pin if token.pin is not None else None
        return token_password(token.seed, pin, session.world.now, period=60, digits=6)

    session.password = wrong  # type: ignore[method-assign]


def _five_digits(session: Session, shown: dict[str, Any]) -> dict[str, Any]:
    otp = shown["otp"]
    return shown if otp is None else {**shown, "otp": otp[1:]}


def _expired_password(session: Session, shown: dict[str, Any]) -> dict[str, Any]:
    """The old reference: a token that expires while shown keeps its password."""
    selected = session.selected
    if shown["screen"] and shown["screen"]["title"] == "ワンタイムパスワード" and selected:
        return {**shown, "otp": session.password(selected)}
    return shown


def _issue_with_pin(pin: str) -> Callable[[AuthServer], None]:
    def patch(server: AuthServer) -> None:
        issue = server.issue

        def issued(*args: Any, **kwargs: Any) -> Outcome:
            outcome = issue(*args, **kwargs)
            if outcome.token is not None and outcome.token.pin is not None:
                outcome.token.pin = pin
            return outcome

        server.issue = issued  # type: ignore[method-assign]

    return patch


def _old_issue(s: Session) -> None:
    """The old reference: after 初期設定 the password ignored the PIN (4.2)."""
    ACTIONS["request_issue"](s)
    s.entered_pin = None


def _pin_change_needs_restart(s: Session) -> None:
    """3.8's change is sent, but the running app keeps the old PIN until relaunched."""
    kept = s.entered_pin
    ACTIONS["request_pin_change"](s)
    s.entered_pin = kept


def _no_current_pin_check(server: AuthServer) -> None:
    change = server.change_pin

    def changed(token: Any, current: str, new: str, now: Any, online: bool) -> Outcome:
        return change(token, token.pin, new, now, online)

    server.change_pin = changed  # type: ignore[method-assign]


def _correction_stores_nothing(server: AuthServer) -> None:
    correct = server.correct

    def corrected(token: Any, now: Any, skew: int, online: bool) -> Outcome:
        outcome = correct(token, now, skew, online)
        server._corrections.pop(token.key, None)
        return outcome

    server.correct = corrected  # type: ignore[method-assign]


def _used_passwords_accepted(server: AuthServer) -> None:
    confirm = server.confirm_transaction

    def confirmed(*args: Any) -> Outcome:
        server._used_steps.clear()
        return confirm(*args)

    server.confirm_transaction = confirmed  # type: ignore[method-assign]


def _pin_in_clear(session: Session, shown: dict[str, Any]) -> dict[str, Any]:
    if "PIN" not in shown["fields"]:
        return shown
    return {**shown, "fields": {**shown["fields"], "PIN": str(session.form.get("PIN", ""))}}


def _other_serial(server: AuthServer) -> None:
    issue = server.issue

    def issued(*args: Any, **kwargs: Any) -> Outcome:
        outcome = issue(*args, **kwargs)
        if outcome.token is not None:
            outcome.token.serial = str(int(outcome.token.serial) + 1).zfill(8)[-8:]
        return outcome

    server.issue = issued  # type: ignore[method-assign]


def _add_without_suffix(s: Session) -> None:
    ACTIONS["request_token_add"](s)
    if not s.failed and s.naming is not None:
        s.tokens[s.naming].added_text = ""


def _blank_keeps_text(s: Session) -> None:
    """A blank 「変更後の追加文言」 keeps the old text (1.3.1, 3.12 注意)."""
    if s.form.get("変更後の追加文言"):
        ACTIONS["set_display_text"](s)


def _names_selected_token(spec: Spec) -> Spec:
    """The old reference: 3.3's 「トークン表示名設定」 names the selected token."""
    path = "running.main.settings.add_display_name"
    state = replace(spec.statechart.state(path), shows=("token",))
    chart = replace(spec.statechart, states={**spec.statechart.states, path: state})
    return replace(spec, statechart=chart)


def _old_load_display_text(s: Session) -> None:
    """The old reference: 3.12 took the token of an abandoned 3.3 flow when there was one."""
    token = s.naming_token() or s.selected
    if token is not None:
        s.prefill["変更後の追加文言"] = token.added_text


def _old_set_display_text(s: Session) -> None:
    token = s.naming_token() or s.selected
    if token is not None:
        token.added_text = str(s.form.get("変更後の追加文言", ""))
    s.naming = None


def _deletes_the_next(s: Session) -> None:
    if s.marked is not None and s.marked + 1 < len(s.tokens):
        s.marked += 1
    ACTIONS["delete_marked_token"](s)


def _selection_not_shifted(s: Session) -> None:
    marked, selected = s.marked, s.world.app.selected
    ACTIONS["delete_marked_token"](s)
    if marked is not None and selected is not None and selected != marked:
        s.world.app.selected = selected if selected < len(s.tokens) else None


def _lock_stays(s: Session) -> None:
    if s.lock_form_on:
        ACTIONS["apply_app_lock"](s)


def _renewal_extends_nothing(server: AuthServer) -> None:
    renew = server.renew

    def renewed(token: Any, *args: Any) -> Outcome:
        expires = token.expires
        outcome = renew(token, *args)
        token.expires = expires
        return outcome

    server.renew = renewed  # type: ignore[method-assign]


def _newest_first(server: AuthServer) -> None:
    pending = server.pending_transactions

    def newest(key: Any, now: Any = None) -> list[Any]:
        return list(reversed(pending(key, now)))

    server.pending_transactions = newest  # type: ignore[method-assign]


def _notification_ignored(server: AuthServer) -> None:
    """The old reference: a notification's transaction is not asked for."""
    fetch = server.fetch_transaction

    def fetched(token: Any, now: Any, skew: int, online: bool, wanted: Any = None) -> Outcome:
        return fetch(token, now, skew, online, None)

    server.fetch_transaction = fetched  # type: ignore[method-assign]


def _confirms_all(server: AuthServer) -> None:
    confirm = server.confirm_transaction

    def confirmed(token: Any, *args: Any) -> Outcome:
        outcome = confirm(token, *args)
        if outcome.ok:
            for transaction in server.pending_transactions(token.key):
                transaction.state = "confirmed"
        return outcome

    server.confirm_transaction = confirmed  # type: ignore[method-assign]


def _confirms_none(server: AuthServer) -> None:
    confirm = server.confirm_transaction

    def confirmed(token: Any, *args: Any) -> Outcome:
        outcome = confirm(token, *args)
        if outcome.transaction is not None:
            outcome.transaction.state = "pending"
        return outcome

    server.confirm_transaction = confirmed  # type: ignore[method-assign]


def _session(patch: Callable[[Session], None]) -> Build:
    return lambda spec: Mutant(spec, session=patch)


def _server(patch: Callable[[AuthServer], None]) -> Build:
    return lambda spec: Mutant(spec, session=with_server(patch))


def _actions(**actions: Callable[[Session], None]) -> Build:
    return lambda spec: Mutant(spec, actions=actions)


def _view(rewrite: Callable[[Session, dict[str, Any]], dict[str, Any]]) -> Build:
    return lambda spec: Mutant(spec, view=rewrite)


CASES = [
    Case("password_format", "5-digit passwords", _otp_screen, _view(_five_digits)),
    Case("password_value", "passwords from true time, not the device clock", _otp_screen,
         _session(_true_time_password)),
    Case("expired_token_shows_no_password", "old reference: expiry while shown",
         _expires_while_shown, _view(_expired_password)),
    Case("initial_pin_is_activation_password", "the initial PIN is not the activation password",
         _setup_with_pin, _server(_issue_with_pin("0000"))),
    Case("initial_pin_is_activation_password", "old reference: no PIN after 初期設定",
         _setup_with_pin, _actions(request_issue=_old_issue)),
    Case("pin_change_takes_effect", "a PIN change takes effect only after a restart",
         _pin_change, _actions(request_pin_change=_pin_change_needs_restart)),
    Case("current_pin_checked", "PIN変更 ignores 「現在のPIN」", _wrong_current_pin,
         _server(_no_current_pin_check)),
    Case("correction_takes_effect", "correction stores no correction",
         _correction_then_confirm, _server(_correction_stores_nothing)),
    Case("password_verdict", "a used password is accepted", _two_confirmations_in_a_minute,
         _server(_used_passwords_accepted)),
    Case("secrets_masked", "the PIN shows in clear", _pin_typed, _view(_pin_in_clear)),
    Case("token_limit", "an 11th token can be added", _eleventh_token,
         lambda spec: ReferenceApp(with_rule(spec, "max_tokens", 11))),
    Case("token_serial", "a serial other than the documented one", _setup,
         _server(_other_serial)),
    Case("display_names", "a second token gets no _2", _add_second,
         _actions(request_token_add=_add_without_suffix)),
    Case("display_text_applied", "a blank text keeps the old one", _blank_text,
         _actions(set_display_text=_blank_keeps_text)),
    Case("acted_on_token_is_named", "old reference: 3.3 names the selected token",
         _add_second, lambda spec: ReferenceApp(_names_selected_token(spec))),
    Case("display_text_applied", "old reference: 3.12 renames the token of a left 3.3 flow",
         _add_second_then_rename_selected,
         _actions(load_display_text=_old_load_display_text,
                  set_display_text=_old_set_display_text)),
    Case("deletion_removes_that_token", "deletes the token after the one confirmed",
         _delete_first, _actions(delete_marked_token=_deletes_the_next)),
    Case("selection_kept", "deleting an earlier token moves the selection", _delete_before_selected,
         _actions(delete_marked_token=_selection_not_shifted)),
    Case("lock_code_in_force", "turning the app lock off does not remove it", _lock_off,
         _actions(apply_app_lock=_lock_stays)),
    Case("renewal_extends_expiry", "renewal keeps the old expiry", _renewal,
         _server(_renewal_extends_nothing)),
    Case("transaction_details_shown", "the newest transaction first", _two_pending,
         _server(_newest_first)),
    Case("notification_opens_its_transaction", "old reference: the oldest, not the notified",
         _notified_second, _server(_notification_ignored)),
    Case("confirmation_confirms_that_transaction", "confirming confirms every transaction",
         _confirm_then_next, _server(_confirms_all)),
    Case("confirmation_confirms_that_transaction", "confirming confirms nothing",
         _confirm_then_next, _server(_confirms_none)),
]  # fmt: skip


def _run(app: ReferenceApp, spec: Spec, scenario: Scenario) -> Driver:
    driver = Driver(app, spec)
    scenario(driver)
    return driver


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.contract}: {c.bug}")
def test_the_reference_passes_and_the_mutant_is_flagged(case: Case, spec: Spec) -> None:
    reference = _run(ReferenceApp(spec), spec, case.scenario)
    assert [b.format() for b in reference.breaches] == []
    mutant = _run(case.mutant(spec), spec, case.scenario)
    assert case.contract in mutant.broken(), [b.format() for b in mutant.breaches]


def test_every_contract_has_a_mutant() -> None:
    assert {case.contract for case in CASES} == set(CONTRACTS)


def test_details_differ_so_transactions_can_be_told_apart() -> None:
    assert DETAILS[0] != DETAILS[1]
