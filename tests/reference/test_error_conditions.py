"""Error codes whose condition the manual implies are raised by that condition, not only by
injection (ASM-048 … ASM-051, ASM-054); communication codes stay injection-only (ASM-007)."""

from __future__ import annotations

from typing import Any

import pytest
from walkthrough import NOW, fixture, token

from statechart.app import AppError, ReferenceApp
from statechart.domain import parse_fixture
from statechart.model import Spec
from statechart.server import AuthServer
from statechart.session import RuleValues

TRANSACTION = {
    "transaction_id": "T1",
    "service_id": "MIRAI01",
    "user_id": "USER0001",
    "details": {"取引内容": "振込", "金額": "10,000円"},
}


@pytest.fixture(scope="module")
def app(spec: Spec) -> ReferenceApp:
    return ReferenceApp(spec)


def _accounts(**changes: Any) -> list[dict[str, Any]]:
    """The walkthrough's accounts, with `changes` applied to MIRAI01/USER0001."""
    accounts: list[dict[str, Any]] = fixture()["accounts"]
    return [dict(a, **changes) if a["user_id"] == "USER0001" else a for a in accounts]


def _start(app: ReferenceApp, data: dict[str, Any]) -> dict[str, Any]:
    app.reset(data)
    return app.launch()


def _code(view: dict[str, Any]) -> str | None:
    error = view["error"]
    return None if error is None else str(error["code"])


def _taps(app: ReferenceApp, *labels: str) -> dict[str, Any]:
    view = app.observe()
    for label in labels:
        view = app.tap(label)
    return view


def _confirm(app: ReferenceApp) -> dict[str, Any]:
    return _taps(app, "お取引内容を確認しました", "OK", "OK")


def _issue(app: ReferenceApp, service: str, user: str, password: str) -> dict[str, Any]:
    app.enter("サービスID", service)
    app.enter("ユーザID", user)
    app.enter("利用開始パスワード", password)
    return _taps(app, "上記の内容に同意する", "送信")


class TestOutdatedApp:
    """S0K1: the service accepts no app older than its `min_app_version` (ASM-051)."""

    @pytest.mark.parametrize(("minimum", "code"), [("4.1.1", "S0K1"), ("5", "S0K1"),
                                                   ("4.1", None), ("4.1.0", None)])  # fmt: skip
    def test_setup(self, app: ReferenceApp, minimum: str, code: str | None) -> None:
        data = fixture()
        data["services"][0] = {**data["services"][0], "min_app_version": minimum}
        _start(app, data)
        view = _issue(app, "MIRAI01", "USER0001", "12345678")
        assert _code(view) == code
        if code is not None:
            assert "ご利用のアプリのバージョンは4.1.0です" in view["error"]["message"]

    def test_token_add_uses_its_variant(self, app: ReferenceApp) -> None:
        data = fixture(token("USER0001"))
        data["services"][0] = {**data["services"][0], "min_app_version": "9.0"}
        _start(app, data)
        _taps(app, "設定", "トークン追加")
        view = _issue(app, "MIRAI01", "USER0002", "22223333")
        assert _code(view) == "S0K1"
        assert view["error"]["message"].startswith("初期設定/トークンの追加に失敗しました。")

    def test_an_invalid_minimum_is_a_located_fixture_error(self, app: ReferenceApp) -> None:
        data = fixture()
        data["services"][0] = {**data["services"][0], "min_app_version": "new"}
        with pytest.raises(AppError, match=r"services\[0\]\.min_app_version"):
            app.reset(data)


class TestLockedToken:
    """S1E2 for PIN変更 and S5D2/S6D2 for transactions of a locked token (ASM-048)."""

    def test_pin_change(self, app: ReferenceApp) -> None:
        data = fixture(token("PINUSER", "PIN01", pin="1234"))
        data["accounts"] = [
            dict(a, state="token_locked") if a["user_id"] == "PINUSER" else a
            for a in data["accounts"]
        ]
        _start(app, data)
        app.enter("PIN", "1234")
        _taps(app, "確定", "設定", "PINの変更")
        for label, value in (("現在のPIN", "1234"), ("新しいPIN", "5678")):
            app.enter(label, value)
        app.enter("新しいPIN(確認用)", "5678")
        assert _code(app.tap("送信")) == "S1E2"

    def test_transaction_start(self, app: ReferenceApp) -> None:
        _start(app, fixture(token("USER0001"), accounts=_accounts(state="token_locked")))
        assert _code(_taps(app, "取引確認開始", "OK")) == "S5D2"

    def test_transaction_fetch(self, app: ReferenceApp) -> None:
        data = fixture(
            token("USER0001", transaction_started=True),
            accounts=_accounts(state="token_locked"),
            transactions=[TRANSACTION],
        )
        _start(app, data)
        assert _code(app.tap("取引確認")) == "S6D2"


class TestExpiredWhileRunning:
    """A token that expires while the app runs is not valid (ASM-048, ASM-053)."""

    def _running(self, app: ReferenceApp, **extra: Any) -> dict[str, Any]:
        # Expires today: the renewal prompt shows (ASM-008), 後で通知 leads on.
        data = fixture(token("USER0001", expires="2026-04-01", **extra), transactions=[TRANSACTION])
        _start(app, data)
        return app.tap("後で通知")

    def test_start_fetch_and_confirm_are_refused(self, app: ReferenceApp) -> None:
        assert self._running(app)["otp"] is not None
        app.clock(advance=86400)
        assert _code(_taps(app, "取引確認開始", "OK")) == "S5D2"
        self._running(app, transaction_started=True)
        app.clock(advance=86400)
        assert _code(app.tap("取引確認")) == "S6D2"
        self._running(app, transaction_started=True)
        assert app.tap("取引確認")["transaction"] == TRANSACTION["details"]
        app.clock(advance=86400)
        assert _code(_confirm(app)) == "S6D2"

    def test_the_password_disappears_at_midnight(self, app: ReferenceApp) -> None:
        view = self._running(app)
        assert view["otp"] is not None
        app.clock(set="2026-04-01T23:59:59+09:00")
        assert app.observe()["otp"] is not None
        view = app.clock(advance=1)
        assert view["screen"]["title"] == "ワンタイムパスワード"
        assert view["otp"] is None

    def test_by_the_device_clock_for_the_password_and_true_time_for_the_service(
        self, app: ReferenceApp
    ) -> None:
        data = fixture(token("USER0001", expires="2026-04-01"), device={"skew_seconds": 86400})
        view = _start(app, data)
        # The device's date is past the expiry: 「有効期限切れ」, no password (ASM-008).
        assert view["screen"]["title"] == "有効期限切れ"
        assert view["otp"] is None


class TestSetupIncomplete:
    """S3B3, S6B3 and S7B3 while the setup after the application is incomplete (ASM-054)."""

    def test_renewal(self, app: ReferenceApp) -> None:
        data = fixture(token("USER0001", expires="2026-06-01"),
                       accounts=_accounts(state="setup_incomplete"))  # fmt: skip
        view = _start(app, data)
        assert view["screen"]["title"] == "有効期限更新"
        assert _code(app.tap("今すぐ更新")) == "S3B3"

    def test_fetch(self, app: ReferenceApp) -> None:
        data = fixture(token("USER0001", transaction_started=True), transactions=[TRANSACTION])
        _start(app, data | {"accounts": _accounts(state="setup_incomplete")})
        assert _code(app.tap("取引確認")) == "S6B3"

    def test_confirm(self, spec: Spec) -> None:
        # Through the app a fetch refuses first (S6B3); the service checks confirmation too.
        data = fixture(token("USER0001", transaction_started=True), transactions=[TRANSACTION],
                       accounts=_accounts(state="setup_incomplete"))  # fmt: skip
        world = parse_fixture(data)
        server = AuthServer.for_world(world, RuleValues.from_rules(spec.rules))
        outcome = server.confirm_transaction(world.app.tokens[0], "T1", "000000", world.now, True)
        assert outcome.code == "S7B3"


class TestTransactionApplication:
    """S3D3 and S5E2 follow the application at the service (ASM-049)."""

    def test_pending_application_blocks_renewal_until_started(self, app: ReferenceApp) -> None:
        data = fixture(token("USER0001", expires="2026-06-01"),
                       accounts=_accounts(transaction_application="pending"))  # fmt: skip
        _start(app, data)
        assert _code(app.tap("今すぐ更新")) == "S3D3"
        app.tap("OK")
        _taps(app, "後で通知", "取引確認開始", "OK")
        assert app.observe()["screen"]["title"] == "取引確認開始完了"
        app.key("home")
        app.launch()
        assert _code(app.tap("今すぐ更新")) is None

    def test_lapsed_application_refuses_the_start(self, app: ReferenceApp) -> None:
        data = fixture(token("USER0001"), accounts=_accounts(transaction_application="lapsed"))
        _start(app, data)
        assert _code(_taps(app, "取引確認開始", "OK")) == "S5E2"

    def test_no_application_recorded_accepts_the_start(self, app: ReferenceApp) -> None:
        _start(app, fixture(token("USER0001")))
        assert _taps(app, "取引確認開始", "OK")["screen"]["title"] == "取引確認開始完了"


class TestLapsedTransaction:
    """S7J5 when the transaction no longer awaits confirmation (ASM-050)."""

    def _data(self, lapses_at: str) -> dict[str, Any]:
        tx = {**TRANSACTION, "lapses_at": lapses_at}
        return fixture(token("USER0001", transaction_started=True), transactions=[tx])

    def test_confirming_after_it_lapsed(self, app: ReferenceApp) -> None:
        _start(app, self._data("2026-04-01T09:05:00+09:00"))
        assert app.tap("取引確認")["transaction"] == TRANSACTION["details"]
        app.clock(advance=300)
        assert _code(_confirm(app)) == "S7J5"

    def test_confirming_before_it_lapses(self, app: ReferenceApp) -> None:
        _start(app, self._data("2026-04-01T09:05:00+09:00"))
        app.tap("取引確認")
        app.clock(advance=299)
        assert _confirm(app)["screen"]["title"] == "認証確認完了"

    def test_a_lapsed_transaction_is_not_fetched(self, app: ReferenceApp) -> None:
        _start(app, self._data(NOW))
        view = app.tap("取引確認")
        assert view["screen"]["title"] == "取引確認開始完了"
        assert "現在認証対象のお取引がありません" in view["texts"]
