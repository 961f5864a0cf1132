"""The lifetimes docs/protocol.md now states, held by the reference (issue 12).

`browser` is what the last request that acted on the app opened; a delivered notification
shows until the app fetches transactions (ASM-062). A vendor no longer has to find these by
logging the harness's requests; these tests keep the reference to the documented words.
"""

from __future__ import annotations

from typing import Any

import pytest

from statechart.app import AppError, ReferenceApp
from statechart.model import Spec

LINK = "https://mirai-bank.example/"
NOTICE = "取引確認を促す通知"
TOKEN = {"service_id": "MIRAI01", "user_id": "USER0001"}


def _app(spec: Spec, **app: Any) -> ReferenceApp:
    reference = ReferenceApp(spec)
    fixture = {
        "app": {"privacy_policy_agreed": True, "tokens": [{**TOKEN, **app}]},
        "transactions": [
            {"transaction_id": "T1", "service_id": "MIRAI01", "user_id": "USER0001"},
            {"transaction_id": "T2", "service_id": "MIRAI01", "user_id": "USER0001"},
        ],
    }
    reference.reset(fixture)
    reference.launch()
    return reference


class TestBrowser:
    def test_kept_by_requests_that_do_not_act_on_the_app(self, spec: Spec) -> None:
        app = _app(spec)
        assert app.tap("ロゴ画像／リンク画像")["browser"] == LINK
        assert app.observe()["browser"] == LINK
        assert app.clock(advance=60)["browser"] == LINK
        assert app.network(False)["browser"] == LINK
        assert app.server("renewal", "S3B3")["browser"] == LINK

    @pytest.mark.parametrize("request_", ["tap", "key", "notify"])
    def test_reset_by_the_next_request_that_acts(self, spec: Spec, request_: str) -> None:
        app = _app(spec)
        app.tap("ロゴ画像／リンク画像")
        after = {
            "tap": lambda: app.tap("設定"),
            "key": lambda: app.key("back"),
            "notify": lambda: app.notify("T1"),
        }[request_]()
        assert after["browser"] is None

    def test_a_biometric_answer_acts_too(self, spec: Spec) -> None:
        app = _app(spec, biometric_registered=True, biometric_mode=True)
        app.tap("ログイン")
        assert app.biometric("success")["browser"] == "https://mirai-bank.example/mypage"
        app.tap("ログイン")
        assert app.biometric("cancel")["browser"] is None

    def test_a_refused_biometric_answer_changes_nothing(self, spec: Spec) -> None:
        app = _app(spec)
        before = app.tap("ロゴ画像／リンク画像")
        with pytest.raises(AppError):
            app.biometric("success")
        assert app.observe() == before


class TestNotification:
    def test_it_shows_until_the_app_fetches_transactions(self, spec: Spec) -> None:
        app = _app(spec, transaction_started=True)
        assert NOTICE in app.notify("T1")["elements"]
        assert NOTICE in app.tap("設定")["elements"]
        assert NOTICE in app.clock(advance=3600)["elements"]
        assert NOTICE in app.key("home")["elements"]  # closed: the phone shows it
        app.launch()
        assert NOTICE not in app.tap("取引確認")["elements"]

    def test_its_own_tap_leads_to_the_fetch_that_clears_it(self, spec: Spec) -> None:
        app = _app(spec, transaction_started=True)
        app.notify("T2")
        view = app.tap(NOTICE)
        assert view["screen"]["title"] == "取引確認" and NOTICE not in view["elements"]

    def test_it_is_not_offered_under_a_dialog(self, spec: Spec) -> None:
        app = _app(spec, transaction_started=True)
        app.key("back")
        assert NOTICE not in app.notify("T1")["elements"]
        assert NOTICE in app.tap("いいえ")["elements"]
