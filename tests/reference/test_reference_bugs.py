"""The reference's own bugs of issue 11, each pinned by the check that fails on it.

Each test states the manual's promise; the old reference broke it (see the docstrings).
"""

from __future__ import annotations

from typing import Any

import pytest
from walkthrough import PIN_SERVICE, SERVICE, fixture, token

from statechart.app import AppError, ReferenceApp
from statechart.domain import Device
from statechart.model import Spec

DETAILS_1 = {"取引内容": "振込", "金額": "10,000円"}
DETAILS_2 = {"取引内容": "振込", "金額": "990,000円"}


@pytest.fixture(scope="module")
def app(spec: Spec) -> ReferenceApp:
    return ReferenceApp(spec)


def _taps(app: ReferenceApp, *labels: str) -> dict[str, Any]:
    view = app.observe()
    for label in labels:
        view = app.tap(label)
    return view


def _issue(app: ReferenceApp, service: str, user: str, password: str) -> dict[str, Any]:
    app.enter("サービスID", service)
    app.enter("ユーザID", user)
    app.enter("利用開始パスワード", password)
    return _taps(app, "上記の内容に同意する", "送信")


def _pin_service(**changes: Any) -> dict[str, Any]:
    return {**PIN_SERVICE, "transaction_confirmation": True, **changes}


def _accepted(app: ReferenceApp, password: str) -> bool:
    """Whether the reference's own service accepts `password` for the selected token now."""
    session = app._session
    return session.server.verify_password(session.require_selected(), password, session.world.now)


class TestPasswordAfterSetupWithPin:
    """1.3.1 + 4.2: the password after 初期設定 of a PIN service authenticates (ASM-046).

    The old reference computed it without the PIN; its own service refused it.
    """

    def test_setup(self, app: ReferenceApp) -> None:
        data = fixture(services=[SERVICE, _pin_service()])
        data["app"]["tokens"] = []
        app.reset(data)
        app.launch()
        _issue(app, "PIN01", "PINUSER", "4321")
        view = _taps(app, "次へ", "登録")
        assert view["screen"]["title"] == "ワンタイムパスワード"
        assert _accepted(app, view["otp"])

    def test_setup_then_confirm_a_transaction(self, app: ReferenceApp) -> None:
        tx = {"transaction_id": "T1", "service_id": "PIN01", "user_id": "PINUSER",
              "details": DETAILS_1}  # fmt: skip
        data = fixture(services=[SERVICE, _pin_service()], transactions=[tx])
        data["app"]["tokens"] = []
        app.reset(data)
        app.launch()
        _issue(app, "PIN01", "PINUSER", "4321")
        _taps(app, "次へ", "登録", "取引確認開始", "OK", "更新")
        view = _taps(app, "お取引内容を確認しました", "OK", "OK")
        assert view["error"] is None
        assert view["screen"]["title"] == "認証確認完了"


class TestPinFromActivationPassword:
    """4.2 + 3.8: a PIN service's activation password is a valid PIN (ASM-047)."""

    @pytest.mark.parametrize("password", ["abcd1234", "123", "123456789", "１２３４"])
    def test_a_fixture_with_an_impossible_initial_pin_is_refused(
        self, app: ReferenceApp, password: str
    ) -> None:
        data = fixture(token("PINUSER", "PIN01"))
        data["accounts"][2]["activation_password"] = password
        with pytest.raises(AppError) as refused:
            app.reset(data)
        assert refused.value.kind == "bad_request"
        assert "accounts[2].activation_password" in refused.value.message
        assert password not in refused.value.message

    def test_a_stored_pin_must_be_a_pin_too(self, app: ReferenceApp) -> None:
        with pytest.raises(AppError, match=r"tokens\[0\]\.pin"):
            app.reset(fixture(token("PINUSER", "PIN01", pin="12ab")))

    def test_the_initial_pin_opens_the_token(self, app: ReferenceApp) -> None:
        app.reset(fixture(token("PINUSER", "PIN01")))
        app.launch()
        app.enter("PIN", "4321")
        view = app.tap("確定")
        assert view["error"] is None
        assert _accepted(app, view["otp"])

    def test_other_services_keep_the_wider_rule(self, app: ReferenceApp) -> None:
        data = fixture(token("USER0001"))
        data["accounts"][1]["activation_password"] = "abcDEF12"
        app.reset(data)


class TestBiometricOsVersion:
    """3.14: Android 6.0 and iOS 9.0 and up; "6" and "9" are 6.0 and 9.0."""

    @pytest.mark.parametrize(
        ("version", "minimum", "expected"),
        [("6", "6.0", True), ("9", "9.0", True), ("6.0.1", "6.0", True), ("5", "6.0", False),
         ("5.9.9", "6.0", False), ("10", "9.0", True), ("6", "6.0.0", True)],
    )  # fmt: skip
    def test_versions_compare_by_number(self, version: str, minimum: str, expected: bool) -> None:
        assert Device(os_version=version).os_version_at_least(minimum) is expected

    @pytest.mark.parametrize(("os", "version"), [("android", "6"), ("ios", "9")])
    def test_the_buttons_show(self, app: ReferenceApp, os: str, version: str) -> None:
        app.reset(fixture(token("USER0001"), device={"os": os, "os_version": version}))
        assert "生体認証ログイン 利用設定" in app.launch()["elements"]


class TestNoTransactionScreen:
    """3.13.2 注意: the screen saying 現在認証対象のお取引がありません is not 「取引確認」."""

    def test_fetching_nothing_does_not_show_the_confirmation_screen(
        self, app: ReferenceApp
    ) -> None:
        app.reset(fixture(token("USER0001", transaction_started=True)))
        app.launch()
        view = app.tap("取引確認")
        assert view["screen"]["title"] != "取引確認"
        assert "現在認証対象のお取引がありません" in view["texts"]
        assert "更新" in view["elements"]

    def test_the_start_screen_does_not_claim_nothing_before_fetching(
        self, app: ReferenceApp
    ) -> None:
        tx = {"transaction_id": "T1", "service_id": "MIRAI01", "user_id": "USER0001"}
        app.reset(fixture(token("USER0001"), transactions=[tx]))
        app.launch()
        view = _taps(app, "取引確認開始", "OK")
        assert view["screen"]["title"] == "取引確認開始完了"
        assert "現在認証対象のお取引がありません" not in view["texts"]
        assert app.tap("更新")["screen"]["title"] == "取引確認"


class TestNotificationOpensItsTransaction:
    """3.13.2 (3): tapping a transaction's notification shows that transaction (ASM-057).

    The old reference showed the oldest pending transaction instead.
    """

    def _data(self) -> dict[str, Any]:
        txs = [
            {"transaction_id": "T1", "service_id": "MIRAI01", "user_id": "USER0001",
             "details": DETAILS_1},
            {"transaction_id": "T2", "service_id": "MIRAI01", "user_id": "USER0001",
             "details": DETAILS_2},
        ]  # fmt: skip
        return fixture(token("USER0001", transaction_started=True), transactions=txs)

    def test_closed_app(self, app: ReferenceApp) -> None:
        app.reset(self._data())
        app.notify("T2")
        view = app.tap("取引確認を促す通知")
        assert view["screen"]["title"] == "取引確認"
        assert view["transaction"] == DETAILS_2

    def test_running_app_and_confirming_confirms_that_one(self, app: ReferenceApp) -> None:
        app.reset(self._data())
        app.launch()
        app.notify("T2")
        assert app.tap("取引確認を促す通知")["transaction"] == DETAILS_2
        view = _taps(app, "お取引内容を確認しました", "OK", "OK")
        assert view["screen"]["title"] == "認証確認完了"
        app.clock(advance=60)
        assert app.tap("次の取引を確認")["transaction"] == DETAILS_1

    def test_the_tab_shows_the_oldest(self, app: ReferenceApp) -> None:
        app.reset(self._data())
        app.launch()
        assert app.tap("取引確認")["transaction"] == DETAILS_1
