"""What docs/protocol.md and docs/fixture.md now say a vendor need not guess (issue 12), held
by the reference: the view behind a launch error, the launch check offline, `selected` with
several tokens, the tick and the notification after a fetch, the no-transaction line, and
what a request that does nothing is answered with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from statechart.app import AppError, ReferenceApp
from statechart.model import Spec

TOKEN = {"service_id": "MIRAI01", "user_id": "USER0001"}
NOTICE = "取引確認を促す通知"
TICK = "お取引内容を確認しました"
NOTHING = "現在認証対象のお取引がありません"


def _transaction(ident: str, **extra: Any) -> dict[str, Any]:
    return {"transaction_id": ident, "details": {"番号": ident}, **TOKEN, **extra}


def _app(spec: Spec, fixture: dict[str, Any]) -> ReferenceApp:
    app = ReferenceApp(spec)
    app.reset(fixture)
    return app


def _started(spec: Spec, *transactions: dict[str, Any]) -> ReferenceApp:
    """取引確認 started for the demo token, the app running on 「ワンタイムパスワード」."""
    stored = {**TOKEN, "transaction_started": True}
    app = _app(
        spec,
        {
            "app": {"privacy_policy_agreed": True, "tokens": [stored]},
            "transactions": list(transactions),
        },
    )
    app.launch()
    return app


class TestLaunchCheck:
    """protocol.md, the view's `screen`, and Server operations (ASM-066)."""

    def test_a_launch_error_shows_in_front_of_no_screen(self, spec: Spec) -> None:
        view = _app(spec, {"device": {"memory_low": True}}).launch()
        assert (view["app"], view["screen"], view["error"]["code"]) == ("running", None, "A9EX")

    def test_it_runs_before_consent_without_a_token_and_offline(self, spec: Spec) -> None:
        app = _app(spec, {})  # a fresh install: no consent, no token
        app.network(False)
        app.server("launch", "A801")
        view = app.launch()
        assert (view["screen"], view["error"]["code"]) == (None, "A801")
        assert app.tap("OK")["app"] == "closed"

    def test_a_launch_offline_shows_no_error(self, spec: Spec) -> None:
        app = _app(spec, {"online": False, "app": {"privacy_policy_agreed": True,
                                                    "tokens": [TOKEN]}})  # fmt: skip
        view = app.launch()
        assert view["error"] is None and view["otp"] is not None


def test_several_tokens_always_show_token_select_whatever_selected_says(spec: Spec) -> None:
    tokens = [TOKEN, {"service_id": "MIRAI01", "user_id": "USER0002"}]
    fixture = {"app": {"privacy_policy_agreed": True, "tokens": tokens, "selected": 1}}
    assert _app(spec, fixture).launch()["screen"]["title"] == "トークン選択"


class TestTheTick:
    """Every fetch unticks 「お取引内容を確認しました」 (ASM-067); its dialog keeps it (ASM-041)."""

    def test_a_fetch_that_brings_another_transaction(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1", lapses_at="2026-04-01T10:00:00+09:00"),
                       _transaction("T2"))  # fmt: skip
        app.tap("取引確認")
        assert app.tap(TICK)["fields"][TICK] is True
        app.clock(advance=7200)  # T1 lapses (ASM-050)
        view = app.tap("更新")
        assert view["transaction"] == {"番号": "T2"} and view["fields"][TICK] is False

    def test_a_fetch_that_brings_the_same_one(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1"))
        app.tap("取引確認")
        app.tap(TICK)
        view = app.tap("更新")
        assert view["transaction"] == {"番号": "T1"} and view["fields"][TICK] is False

    def test_the_confirmation_dialog_keeps_it(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1"))
        app.tap("取引確認")
        app.tap(TICK)
        app.tap("OK")
        assert app.tap("キャンセル")["fields"][TICK] is True


class TestTheNotification:
    """It goes with the fetch, also one that fails (ASM-062, ASM-068)."""

    @pytest.mark.parametrize("failure", ["offline", "error"])
    def test_a_failed_fetch_takes_it_away(self, spec: Spec, failure: str) -> None:
        app = _started(spec, _transaction("T1"))
        assert NOTICE in app.notify("T1")["elements"]
        if failure == "offline":
            app.network(False)
        else:
            app.server("transaction_fetch", "S6H1")
        assert app.tap("取引確認")["error"] is not None
        assert NOTICE not in app.tap("OK")["elements"]


class TestNothingToConfirm:
    """The line shows only after a fetch that succeeded and found nothing (ASM-069)."""

    def test_not_right_after_the_start(self, spec: Spec) -> None:
        app = _app(spec, {"app": {"privacy_policy_agreed": True, "tokens": [TOKEN]}})
        app.launch()
        app.tap("取引確認開始")
        view = app.tap("OK")
        assert view["screen"]["title"] == "取引確認開始完了" and not _nothing(view)
        assert _nothing(app.tap("更新"))

    def test_not_after_a_failed_fetch(self, spec: Spec) -> None:
        app = _started(spec)
        assert _nothing(app.tap("取引確認"))
        app.server("transaction_fetch", "S6H1")
        app.tap("更新")
        view = app.tap("OK")
        assert view["screen"]["title"] == "取引確認開始完了" and not _nothing(view)


def _nothing(view: dict[str, Any]) -> bool:
    return any(line.startswith(NOTHING) for line in view["texts"])


class TestARequestThatDoesNothing:
    """protocol.md, Requests: answered with the unchanged view; refused only when a person
    could not make it."""

    @pytest.mark.parametrize("opener", ["取引確認開始", "生体認証ログイン 利用設定"])
    def test_back_on_a_dialog(self, spec: Spec, opener: str) -> None:
        app = _app(spec, {"app": {"privacy_policy_agreed": True, "tokens": [TOKEN]}})
        app.launch()
        before = app.tap(opener)
        assert before["dialog"] is not None and app.key("back") == before

    def test_back_on_an_error_and_launch_while_running(self, spec: Spec) -> None:
        app = _started(spec)
        app.server("transaction_fetch", "S6H1")
        before = app.tap("取引確認")
        assert before["error"] is not None
        assert app.key("back") == before
        assert app.launch() == before

    def test_keys_while_closed(self, spec: Spec) -> None:
        app = _app(spec, {})
        before = app.observe()
        assert app.key("back") == before and app.key("home") == before

    def test_what_a_person_cannot_do_is_refused(self, spec: Spec) -> None:
        app = _started(spec)
        not_found: list[Callable[[], object]] = [
            lambda: app.tap("次へ"),  # not on screen
            lambda: app.enter("設定", "x"),  # no input field
            lambda: app.biometric("success"),  # no 生体認証ダイアログ
        ]
        for request in not_found:
            with pytest.raises(AppError) as caught:
                request()
            assert caught.value.kind == "not_found"
        ios = _app(spec, {"device": {"os": "ios"}})
        with pytest.raises(AppError) as caught:
            ios.key("back")
        assert caught.value.kind == "unsupported"
