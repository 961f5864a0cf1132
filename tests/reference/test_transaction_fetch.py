"""What a fetch of transactions does to 「取引確認」, as docs/protocol.md states it, held by the
reference: the three ends of a fetch (a transaction, none, a failure: ASM-057, ASM-052,
ASM-075), the tick after [更新] and after a fetch that brings another transaction (ASM-067),
and what stays between two fetches (ASM-041). A vendor reads these in the docs; these tests
keep the reference to the words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from statechart.app import ReferenceApp
from statechart.model import Spec

TOKEN = {"service_id": "MIRAI01", "user_id": "USER0001"}
TICK = "お取引内容を確認しました"
NOTHING = "現在認証対象のお取引がありません"
NOTICE = "取引確認を促す通知"
CONFIRMING = "取引確認"
STARTED = "取引確認開始完了"

View = dict[str, Any]


def _transaction(ident: str, **extra: Any) -> dict[str, Any]:
    return {"transaction_id": ident, "details": {"番号": ident}, **TOKEN, **extra}


def _started(spec: Spec, *transactions: dict[str, Any]) -> ReferenceApp:
    """取引確認 started for the demo token, the app running on 「ワンタイムパスワード」."""
    app = ReferenceApp(spec)
    stored = {**TOKEN, "transaction_started": True}
    app.reset(
        {
            "app": {"privacy_policy_agreed": True, "tokens": [stored]},
            "transactions": list(transactions),
        }
    )
    app.launch()
    return app


def _title(view: View) -> str | None:
    screen = view["screen"]
    return None if screen is None else str(screen["title"])


def _says_nothing(view: View) -> bool:
    return any(line.startswith(NOTHING) for line in view["texts"])


def _confirm(app: ReferenceApp) -> View:
    app.tap(TICK)
    app.tap("OK")
    return app.tap("OK")


class TestUpdateOnTheConfirmationScreen:
    """[更新] on 「取引確認」 is a fetch like any other (ASM-025)."""

    def test_the_same_transaction_comes_back_unticked(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1"))
        app.tap(CONFIRMING)
        ticked = app.tap(TICK)
        assert ticked["fields"][TICK] is True and "OK" in ticked["elements"]
        view = app.tap("更新")
        assert (_title(view), view["transaction"]) == (CONFIRMING, {"番号": "T1"})
        assert view["fields"][TICK] is False and "OK" not in view["elements"]

    def test_a_notification_brings_another_transaction_unticked(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1"), _transaction("T2"))
        assert app.tap(CONFIRMING)["transaction"] == {"番号": "T1"}  # the oldest (ASM-057)
        app.tap(TICK)
        app.notify("T2")
        view = app.tap(NOTICE)
        assert (_title(view), view["transaction"]) == (CONFIRMING, {"番号": "T2"})
        assert view["fields"][TICK] is False and "OK" not in view["elements"]

    def test_nothing_left_shows_the_started_screen_with_the_line(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1", lapses_at="2026-04-01T10:00:00+09:00"))
        app.tap(CONFIRMING)
        app.tap(TICK)
        app.clock(advance=7200)  # T1 lapses (ASM-050)
        view = app.tap("更新")
        assert _title(view) == STARTED and _says_nothing(view)
        assert view["transaction"] is None and TICK not in view["fields"]
        assert TICK not in view["elements"] and "OK" not in view["elements"]


Hook = Callable[[], object]


def _from_the_tab(app: ReferenceApp, before: Hook) -> View:
    before()
    return app.tap(CONFIRMING)


def _from_update_on_confirmation(app: ReferenceApp, before: Hook) -> View:
    app.tap(CONFIRMING)
    app.tap(TICK)
    before()
    return app.tap("更新")


def _from_update_on_started(app: ReferenceApp, before: Hook) -> View:
    app.server("transaction_fetch", "S6D2")  # a first failure leaves 「取引確認開始完了」
    app.tap(CONFIRMING)
    assert _title(app.tap("OK")) == STARTED
    before()
    return app.tap("更新")


def _from_next(app: ReferenceApp, before: Hook) -> View:
    app.tap(CONFIRMING)
    assert _title(_confirm(app)) == "認証確認完了"
    before()
    return app.tap("次の取引を確認")


def _from_the_notification(app: ReferenceApp, before: Hook) -> View:
    app.notify("T2")
    before()
    return app.tap(NOTICE)


Start = Callable[[ReferenceApp, Hook], View]
STARTS: dict[str, Start] = {
    "the 取引確認 tab": _from_the_tab,
    "[更新] on 取引確認": _from_update_on_confirmation,
    "[更新] on 取引確認開始完了": _from_update_on_started,
    "[次の取引を確認]": _from_next,
    "a notification's tap": _from_the_notification,
}


@pytest.mark.parametrize("start", list(STARTS.values()), ids=list(STARTS))
class TestAFailedFetch:
    """Its error shows over 「取引確認開始完了」, not over the screen the fetch started from,
    and [OK] stays there (ASM-075)."""

    def test_a_service_error(self, spec: Spec, start: Start) -> None:
        app = _started(spec, _transaction("T1"), _transaction("T2"))
        failed = start(app, lambda: app.server("transaction_fetch", "S6D2"))
        assert (_title(failed), failed["error"]["code"]) == (STARTED, "S6D2")
        view = app.tap("OK")
        assert _title(view) == STARTED and view["error"] is None
        assert not _says_nothing(view) and view["transaction"] is None  # ASM-069
        assert TICK not in view["fields"] and "更新" in view["elements"]
        again = app.tap("更新")
        assert _title(again) == CONFIRMING and again["fields"][TICK] is False

    def test_offline_a999_ends_the_app(self, spec: Spec, start: Start) -> None:
        app = _started(spec, _transaction("T1"), _transaction("T2"))
        failed = start(app, lambda: app.network(False))
        assert (_title(failed), failed["error"]["code"]) == (STARTED, "A999")
        assert app.tap("OK")["app"] == "closed"  # A999 ends the app (ASM-021)


class TestBetweenTwoFetches:
    """「取引確認」 keeps its transaction and the tick until the next fetch (ASM-041)."""

    def test_an_error_of_the_confirmation_keeps_both(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1"))
        app.tap(CONFIRMING)
        app.tap(TICK)
        app.tap("OK")
        app.server("transaction_confirm", "S7J5")
        assert app.tap("OK")["error"]["code"] == "S7J5"
        view = app.tap("OK")
        assert (_title(view), view["transaction"]) == (CONFIRMING, {"番号": "T1"})
        assert view["fields"][TICK] is True and "OK" in view["elements"]

    def test_a_lapse_meanwhile_keeps_both_and_confirming_gives_s7j5(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1", lapses_at="2026-04-01T09:05:00+09:00"))
        app.tap(CONFIRMING)
        app.tap(TICK)
        view = app.clock(advance=600)
        assert (_title(view), view["transaction"]) == (CONFIRMING, {"番号": "T1"})
        assert view["fields"][TICK] is True
        app.tap("OK")
        assert app.tap("OK")["error"]["code"] == "S7J5"  # ASM-050

    def test_no_password_shows_on_the_transaction_screens(self, spec: Spec) -> None:
        app = _started(spec, _transaction("T1"))
        assert app.tap(CONFIRMING)["otp"] is None
        _confirm(app)
        app.clock(advance=60)
        nothing = app.tap("次の取引を確認")
        assert _title(nothing) == STARTED and nothing["otp"] is None
