"""A scripted session that walks every procedure of the manual through protocol v1.

`walk(drive)` runs it with any driver: a callable that sends one request and returns the
response object. The same script runs in-process and over `otpspec serve`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Response = dict[str, Any]
Driver = Callable[..., Response]

SERVICE = {
    "service_id": "MIRAI01",
    "name": "ミレインターネットバンキング",
    "pin": False,
    "transaction_confirmation": True,
    "biometric_login": True,
    "link": "https://mirai-bank.example/",
    "login_site": "https://mirai-bank.example/mypage",
}
PIN_SERVICE = {
    "service_id": "PIN01",
    "name": "PINバンク",
    "pin": True,
    "transaction_confirmation": False,
    "biometric_login": False,
    "link": None,
}
NOW = "2026-04-01T09:00:00+09:00"


def token(user: str, service: str = "MIRAI01", **extra: Any) -> dict[str, Any]:
    """A stored token of the fixture (expiring far away unless told)."""
    return {"service_id": service, "user_id": user, "expires": "2027-12-31", **extra}


def fixture(*tokens: dict[str, Any], lock: str | None = None, **extra: Any) -> dict[str, Any]:
    """A fixture with consent given, both services, and the tokens."""
    app: dict[str, Any] = {"privacy_policy_agreed": True, "tokens": list(tokens)}
    if lock is not None:
        app["app_lock_code"] = lock
    accounts = [
        {"service_id": "MIRAI01", "user_id": "USER0001", "activation_password": "12345678"},
        {"service_id": "MIRAI01", "user_id": "USER0002", "activation_password": "22223333"},
        {"service_id": "PIN01", "user_id": "PINUSER", "activation_password": "4321"},
    ]
    return {
        "now": NOW,
        "services": [SERVICE, PIN_SERVICE],
        "accounts": accounts,
        "app": app,
    } | extra


@dataclass
class Walk:
    """Sends requests, checks answers, and remembers what it saw."""

    drive: Driver
    titles: set[str] = field(default_factory=set)
    codes: set[str | None] = field(default_factory=set)
    sections: list[str] = field(default_factory=list)
    view: Response = field(default_factory=dict)

    def do(self, op: str, **args: Any) -> Response:
        """Sends a request that must succeed; returns the view."""
        response = self.drive(op, **args)
        assert response.get("ok") is True, f"{op} {args} refused: {response}"
        view = response.get("view", {})
        self.view = view
        if view.get("screen"):
            self.titles.add(view["screen"]["title"])
        if view.get("error"):
            self.codes.add(view["error"]["code"] or "OTHER-APP")
        return view

    def refused(self, op: str, kind: str, **args: Any) -> None:
        """Sends a request that must be refused with `kind`."""
        response = self.drive(op, **args)
        assert response.get("ok") is False, f"{op} {args} should be refused: {response}"
        assert response["error"]["kind"] == kind, response

    def tap(self, *labels: str) -> Response:
        for label in labels:
            self.do("tap", target=label)
        return self.view

    def type_in(self, label: str, value: str) -> Response:
        return self.do("enter", field=label, value=value)

    def start(self, fixture_data: dict[str, Any]) -> Response:
        self.do("reset", fixture=fixture_data)
        return self.do("launch")

    def title(self) -> str | None:
        screen = self.view.get("screen")
        return None if screen is None else screen["title"]

    def expect(self, title: str) -> None:
        assert self.title() == title, f"expected 「{title}」, on {self.view.get('screen')}"

    def expect_error(self, code: str | None) -> None:
        error = self.view.get("error")
        assert error is not None and error["code"] == code, f"expected {code}: {error}"

    def section(self, name: str) -> None:
        self.sections.append(name)


# ---- 1 初期設定, 2 基本操作
def first_setup(w: Walk) -> None:
    w.section("1.3.1")
    w.do("reset", fixture={})
    w.do("launch")
    w.expect("プライバシーポリシーの確認")
    w.tap("同意して進む")
    w.expect("初期設定")
    assert "送信" not in w.view["elements"], "[送信] before the checkbox (ASM-006)"
    w.type_in("サービスID", "MIRAI01")
    w.type_in("ユーザID", "ＵＳＥＲ0001")
    w.tap("上記の内容に同意する", "送信")
    w.expect_error("A911")
    assert w.view["error"]["message"] == "入力内容に誤りがあります。もう一度入力してください。"
    w.tap("OK")
    assert w.view["fields"]["サービスID"] == "MIRAI01", "inputs kept after an error (ASM-041)"
    w.type_in("ユーザID", "USER0001")
    w.type_in("利用開始パスワード", "12345678")
    assert w.view["fields"]["利用開始パスワード"] == "●●●●●●●●"
    w.tap("送信")
    w.expect("初期設定完了")
    w.tap("次へ")
    w.expect("トークン表示名設定")
    w.type_in("変更後の追加文言", "本店用")
    w.tap("登録")
    w.expect("ワンタイムパスワード")
    assert w.view["token"]["name"] == "ミレインターネットバンキング本店用"


def show_password(w: Walk) -> None:
    w.section("2.1")
    w.start(fixture(token("USER0001")))
    w.expect("ワンタイムパスワード")
    first = w.view["otp"]
    assert first is not None and len(first) == 6 and first.isdigit()
    w.do("clock", advance=30)
    assert w.view["otp"] == first, "the password holds within its minute"
    w.do("clock", advance=30)
    assert w.view["otp"] != first, "the password changes every minute"
    assert any(t.startswith("シリアル№: ") for t in w.view["texts"])
    assert "有効期限: 2027/12/31" in w.view["texts"]


def open_website(w: Walk) -> None:
    w.section("2.2")
    w.start(fixture(token("USER0001")))
    w.tap("ロゴ画像／リンク画像")
    assert w.view["browser"] == "https://mirai-bank.example/"
    w.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    w.type_in("PIN", "1234")
    w.tap("確定", "ロゴ画像／リンク画像")
    assert w.view["browser"] is None, "no link: the image does nothing (2.2)"


def quit_app(w: Walk) -> None:
    w.section("2.3.1")
    w.start(fixture(token("USER0001"), device={"os": "ios", "os_version": "17.0"}))
    w.refused("key", "unsupported", key="back")
    assert w.do("key", key="home")["app"] == "closed"
    w.section("2.3.2")
    w.start(fixture(token("USER0001")))
    w.do("key", key="back")
    assert w.view["dialog"]["buttons"] == ["はい", "いいえ"]
    w.tap("いいえ")
    w.expect("ワンタイムパスワード")
    w.do("key", key="back")
    assert w.tap("はい")["app"] == "closed"


# ---- 3.1 起動
def launch_variants(w: Walk) -> None:
    w.section("3.1.1")
    w.start(fixture(token("USER0001"), token("USER0002")))
    w.expect("トークン選択")
    assert w.view["tokens"] == ["ミレインターネットバンキング", "ミレインターネットバンキング_2"]
    w.tap("ミレインターネットバンキング_2")
    w.expect("ワンタイムパスワード")
    w.section("3.1.2")
    w.start(fixture(token("USER0001"), lock="1234"))
    w.expect("アプリロックコード入力")
    w.type_in("アプリロックコード", "9999")
    w.tap("確定")
    w.expect_error("A914")
    w.tap("OK")
    w.type_in("アプリロックコード", "1234")
    assert w.view["fields"]["アプリロックコード"] == "●●●●"
    w.tap("確定")
    w.expect("ワンタイムパスワード")
    w.section("3.1.3")
    w.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    w.expect("PIN入力")
    w.type_in("PIN", "12")
    w.tap("確定")
    w.expect_error("A913")
    w.tap("OK")
    w.type_in("PIN", "1234")
    right = w.tap("確定")["otp"]
    w.section("4.2")
    w.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    w.type_in("PIN", "9999")
    wrong = w.tap("確定")["otp"]
    assert w.title() == "ワンタイムパスワード" and wrong != right, "a wrong PIN: wrong password"
    w.section("3.1.4")
    w.start(fixture(token("USER0001"), token("PINUSER", "PIN01", pin="1234"), lock="55"))
    w.expect("アプリロックコード入力")
    w.type_in("アプリロックコード", "55")
    w.tap("確定")
    w.expect("トークン選択")
    w.tap("PINバンク")
    w.expect("PIN入力")
    w.type_in("PIN", "1234")
    w.tap("確定")
    w.expect("ワンタイムパスワード")


# ---- 3.2–3.4 トークン
def tokens(w: Walk) -> None:
    w.section("3.2")
    w.start(fixture(token("USER0001"), token("USER0002")))
    w.tap("ミレインターネットバンキング")
    w.tap("トークン選択")
    w.expect("トークン選択")
    w.tap("ミレインターネットバンキング_2")
    assert w.view["token"]["name"] == "ミレインターネットバンキング_2"
    w.section("3.3")
    w.start(fixture(token("USER0001")))
    w.tap("設定", "トークン追加")
    w.expect("トークン追加")
    w.type_in("サービスID", "MIRAI01")
    w.type_in("ユーザID", "USER0001")
    w.type_in("利用開始パスワード", "12345678")
    w.tap("上記の内容に同意する", "送信")
    w.expect_error("A916")
    assert w.view["error"]["message"].startswith("このトークンは既に登録済みです")
    w.tap("OK")
    w.type_in("ユーザID", "USER0002")
    w.type_in("利用開始パスワード", "22223333")
    w.tap("送信")
    w.expect("トークン追加完了")
    w.tap("次へ", "登録")
    w.expect("トークン選択")
    assert "ミレインターネットバンキング_2" in w.view["tokens"]
    w.tap("ミレインターネットバンキング_2")
    w.expect("ワンタイムパスワード")
    full = [token(f"U{n}") for n in range(10)]
    w.start(fixture(*full))
    w.tap(w.view["tokens"][0], "設定", "トークン追加")
    # ASM-018: a notice with [OK]; 3.3's 注意 is advice to the reader, not the dialog's text.
    assert w.view["dialog"] == {"text": None, "buttons": ["OK"]}
    w.section("3.4")
    w.start(fixture(token("USER0001"), token("USER0002"), token("U3")))
    w.tap("ミレインターネットバンキング", "設定", "トークン削除")
    w.expect("トークン削除")
    w.tap("ミレインターネットバンキング_3")
    w.expect("トークン削除確認")
    assert w.view["token"]["name"] == "ミレインターネットバンキング_3"
    w.tap("削除")
    w.expect("設定メニュー")
    w.tap("トークン削除", "ミレインターネットバンキング", "削除")
    w.expect("トークン選択")
    w.tap(
        "ミレインターネットバンキング_2", "設定", "トークン削除", "ミレインターネットバンキング_2"
    )
    w.tap("削除")
    w.expect("トークン削除完了")
    w.tap("次へ")
    w.expect("初期設定")


# ---- 3.5–3.8 アプリロック, PIN
_CODE_FIELDS = ["アプリロックコード", "アプリロックコード(確認用)"]


def _code_fields_disabled(w: Walk) -> None:
    """Both code fields are shown but cannot be typed into (入力不可能)."""
    assert [label in w.view["fields"] for label in _CODE_FIELDS] == [True, True], w.view
    assert w.view["disabled"] == _CODE_FIELDS, w.view
    for label in _CODE_FIELDS:
        w.refused("enter", "not_found", field=label, value="1234")


def app_lock(w: Walk) -> None:
    w.section("3.5")
    w.start(fixture(token("USER0001")))
    w.tap("設定", "アプリロック設定")
    w.expect("アプリロック設定")
    assert w.view["fields"]["アプリロック設定"] == "OFF"
    _code_fields_disabled(w)
    w.tap("アプリロック設定")
    assert w.view["dialog"]["buttons"] == ["OK", "キャンセル"]
    w.tap("OK")
    assert w.view["disabled"] == []  # 3.5 (4): 入力可能になります
    for code, again in (("", ""), ("1" * 33, "1" * 33), ("１２３４", "１２３４"), ("12", "13")):
        w.type_in("アプリロックコード", code)
        w.type_in("アプリロックコード(確認用)", again)
        w.tap("確定")
        w.expect_error("A914")
        w.tap("OK")
    w.type_in("アプリロックコード", "1" * 32)
    w.type_in("アプリロックコード(確認用)", "1" * 32)
    w.tap("確定")
    w.expect("設定メニュー")
    w.do("key", key="home")
    w.do("launch")
    w.expect("アプリロックコード入力")
    w.type_in("アプリロックコード", "1" * 32)
    w.tap("確定")
    w.section("3.6")
    w.tap("設定", "アプリロック設定")
    w.type_in("アプリロックコード", "7")
    w.type_in("アプリロックコード(確認用)", "7")
    w.tap("確定")
    w.expect("設定メニュー")
    w.section("3.7")
    w.tap("アプリロック設定", "アプリロック設定", "OK")
    _code_fields_disabled(w)  # 3.7 (4): 入力不可能になります
    w.tap("確定")
    w.expect("設定メニュー")
    w.do("key", key="home")
    w.do("launch")
    w.expect("ワンタイムパスワード")


def pin_change(w: Walk) -> None:
    w.section("3.8")
    w.start(fixture(token("PINUSER", "PIN01", pin="1234")))
    w.type_in("PIN", "1234")
    w.tap("確定", "設定", "PINの変更")
    w.expect("PIN変更")
    for current, new, again, code in (
        ("1234", "567", "567", "A912"),
        ("1234", "5678", "5679", "A912"),
        ("0000", "5678", "5678", "S1C2"),
    ):
        w.type_in("現在のPIN", current)
        w.type_in("新しいPIN", new)
        w.type_in("新しいPIN(確認用)", again)
        w.tap("送信")
        w.expect_error(code)
        w.tap("OK")
    w.type_in("現在のPIN", "1234")
    w.type_in("新しいPIN", "87654321")
    w.type_in("新しいPIN(確認用)", "87654321")
    w.do("network", online=False)
    w.tap("送信")
    w.expect_error("A100")
    w.tap("OK")
    w.do("network", online=True)
    w.tap("送信")
    w.expect("PIN変更完了")
    w.tap("設定メニューに戻る")
    w.expect("設定メニュー")


# ---- 3.9 有効期限
def expiry(w: Walk) -> None:
    w.section("3.9.1")
    w.start(fixture(token("USER0001", expires="2026-09-28")))
    w.expect("有効期限更新")
    w.tap("後で通知")
    w.expect("ワンタイムパスワード")
    w.do("key", key="home")
    w.do("launch")
    w.tap("今すぐ更新")
    w.expect("有効期限更新完了")
    w.tap("次へ")
    assert w.view["token"]["expires"] == "2027/09/28"
    w.start(fixture(token("USER0001", expires="2026-09-29")))
    w.expect("ワンタイムパスワード")
    w.section("3.9.2")
    w.start(fixture(token("USER0001", expires="2026-03-31")))
    w.expect("有効期限切れ")
    w.tap("確認")
    w.expect("初期設定")
    w.section("3.9.3")
    w.start(fixture(token("USER0001", expires="2026-03-31"), token("USER0002")))
    w.tap("ミレインターネットバンキング")
    w.expect("有効期限切れ")
    w.tap("削除")
    w.expect("トークン選択")
    assert w.view["tokens"] == ["ミレインターネットバンキング_2"]


# ---- 3.10–3.12
def settings_misc(w: Walk) -> None:
    w.section("3.10")
    w.start(fixture(token("USER0001"), device={"skew_seconds": 300}))
    w.tap("設定", "パスワード補正")
    w.expect("パスワード補正")
    w.tap("実行")
    w.expect("パスワード補正完了")
    w.tap("設定メニューに戻る", "パスワード補正", "実行")
    w.expect_error("S4H9")
    w.tap("OK")
    w.do("clock", advance=180)
    w.tap("実行")
    w.expect("パスワード補正完了")
    w.section("3.11")
    w.tap("設定メニューに戻る", "バージョン情報")
    w.expect("このアプリについて")
    assert "Version4.1.0" in w.view["texts"]
    w.section("3.12")
    w.tap("戻る", "トークン表示名設定")
    w.expect("トークン表示名設定")
    w.type_in("変更後の追加文言", "本店用")
    w.tap("登録")
    assert w.view["token"]["name"] == "ミレインターネットバンキング本店用"
    w.type_in("変更後の追加文言", "")
    w.tap("登録")
    assert w.view["token"]["name"] == "ミレインターネットバンキング"


# ---- 3.13 取引確認
def transactions(w: Walk) -> None:
    w.section("3.13.1")
    details = {"取引内容": "振込", "金額": "10,000円"}
    tx = [
        {"transaction_id": "T1", "service_id": "MIRAI01", "user_id": "USER0001", "details": details}
    ]
    w.start(fixture(token("USER0001")))
    assert "取引確認" not in w.view["elements"]
    w.tap("取引確認開始")
    w.tap("OK")
    w.expect("取引確認開始完了")
    w.tap("更新")
    w.expect("取引確認開始完了")  # 3.13.2 注意: nothing to confirm is not 「取引確認」 (ASM-052)
    assert "現在認証対象のお取引がありません" in w.view["texts"]
    w.section("3.13.2")
    w.do("reset", fixture=fixture(token("USER0001", transaction_started=True), transactions=tx))
    w.do("notify", transaction="T1")
    w.tap("取引確認を促す通知")
    w.expect("取引確認")
    assert w.view["transaction"] == details
    assert "OK" not in w.view["elements"]
    w.tap("お取引内容を確認しました", "OK", "OK")
    w.expect("認証確認完了")
    w.tap("次の取引を確認")
    w.expect("取引確認開始完了")
    assert "現在認証対象のお取引がありません" in w.view["texts"]
    two = [*tx, dict(tx[0], transaction_id="T2")]
    w.start(fixture(token("USER0001", transaction_started=True), transactions=two))
    w.tap("取引確認", "お取引内容を確認しました", "OK", "OK", "次の取引を確認")
    w.tap("お取引内容を確認しました", "OK", "OK")
    w.expect_error("S6H2")


# ---- 3.14 生体認証ログイン
def biometrics(w: Walk) -> None:
    w.section("3.14.1")
    w.start(fixture(token("USER0001"), device={"biometrics": "not_enrolled"}))
    w.tap("生体認証ログイン 利用設定")
    assert w.view["dialog"]["buttons"] == ["戻る", "次へ"]
    w.tap("戻る")
    w.start(fixture(token("USER0001")))
    w.tap("生体認証ログイン 利用設定")
    w.do("biometric", result="failure")
    assert w.view["dialog"] is not None
    w.do("biometric", result="success")
    w.type_in("ログインID", "")
    w.tap("登録")
    w.expect_error("A925")
    w.tap("OK")
    w.type_in("ログインID", "taro")
    w.type_in("ログインパスワード", "secret")
    w.tap("登録", "OK")
    assert "ログイン" in w.view["elements"]
    w.section("3.14.2")
    w.tap("ログイン")
    w.do("biometric", result="success")
    assert w.view["browser"] == "https://mirai-bank.example/mypage"
    w.section("3.14.3")
    w.tap("OTP認証でログイン")
    assert "生体認証ログイン" in w.view["elements"] and "ログイン" not in w.view["elements"]
    w.section("3.14.4")
    w.tap("生体認証ログイン")
    assert "ログイン" in w.view["elements"]
    w.section("3.14.5")
    w.tap("生体認証ログイン 解除設定", "OK")
    assert "生体認証ログイン 利用設定" in w.view["elements"]
    w.section("3.14")
    w.start(fixture(token("USER0001"), device={"os": "android", "os_version": "5.1"}))
    assert "生体認証ログイン 利用設定" not in w.view["elements"]


# ---- 3.15, 4.1
def privacy_and_memory(w: Walk) -> None:
    w.section("3.15")
    w.start(fixture(token("USER0001")))
    w.tap("設定", "プライバシーポリシー")
    w.expect("プライバシーポリシーの確認")
    w.tap("同意しない", "設定")
    assert w.view["dialog"] == {"text": None, "buttons": ["OK"]}  # wording not given (ASM-022)
    w.tap("OK")
    w.do("key", key="home")
    w.do("launch")
    w.expect("プライバシーポリシーの確認")
    assert w.view["elements"] == ["同意して進む"]
    w.section("4.1")
    w.start(fixture(token("USER0001"), device={"memory_low": True}))
    w.expect_error("A9EX")
    assert w.tap("OK")["app"] == "closed"


# ---- 4.3: every catalogue code shows, injected where no real condition exists
def injected_codes(w: Walk, codes: dict[str, list[str]]) -> None:
    w.section("4.3")
    routes: dict[str, Callable[[], None]] = {
        "issue": lambda: _to_token_add(w),
        "pin_change": lambda: _to_pin_change(w),
        "renewal": lambda: _to_renewal(w),
        "correction": lambda: _run(w, "設定", "パスワード補正", "実行"),
        "transaction_start": lambda: _run(w, "取引確認開始", "OK"),
        "transaction_fetch": lambda: _run(w, "取引確認"),
        "transaction_confirm": lambda: _run(w, "取引確認", "お取引内容を確認しました", "OK", "OK"),
        "biometric_setup": lambda: _to_biometric(w),
        "launch": lambda: w.do("launch"),
    }
    for operation, listed in codes.items():
        for code in listed:
            w.do("reset", fixture=_base_for(operation))
            w.do("server", operation=operation, code=code)
            routes[operation]()
            shown = w.view.get("error")
            assert shown is not None, f"{operation} {code}: no error on {w.view.get('screen')}"
            assert (shown["code"] or "OTHER-APP") == code, f"{operation}: {shown} for {code}"


def _base_for(operation: str) -> dict[str, Any]:
    if operation == "pin_change":
        return fixture(token("PINUSER", "PIN01", pin="1234"))
    if operation == "renewal":
        return fixture(token("USER0001", expires="2026-06-01"))
    if operation.startswith("transaction_") and operation != "transaction_start":
        details = {"取引内容": "振込"}
        pending = {"transaction_id": "T9", "service_id": "MIRAI01", "user_id": "USER0001"}
        started = token("USER0001", transaction_started=True)
        return fixture(started, transactions=[pending | {"details": details}])
    return fixture(token("USER0001"))


def _run(w: Walk, *labels: str) -> None:
    w.do("launch")
    w.tap(*labels)


def _to_token_add(w: Walk) -> None:
    w.do("launch")
    w.tap("設定", "トークン追加")
    w.type_in("サービスID", "MIRAI01")
    w.type_in("ユーザID", "USER0002")
    w.type_in("利用開始パスワード", "22223333")
    w.tap("上記の内容に同意する", "送信")


def _to_pin_change(w: Walk) -> None:
    w.do("launch")
    w.type_in("PIN", "1234")
    w.tap("確定", "設定", "PINの変更")
    for label in ("現在のPIN", "新しいPIN", "新しいPIN(確認用)"):
        w.type_in(label, "1234")
    w.tap("送信")


def _to_renewal(w: Walk) -> None:
    w.do("launch")
    w.tap("今すぐ更新")


def _to_biometric(w: Walk) -> None:
    w.do("launch")
    w.tap("生体認証ログイン 利用設定")
    w.do("biometric", result="success")
    w.type_in("ログインID", "taro")
    w.type_in("ログインパスワード", "secret")
    w.tap("登録")


PROCEDURES: tuple[Callable[[Walk], None], ...] = (
    first_setup,
    show_password,
    open_website,
    quit_app,
    launch_variants,
    tokens,
    app_lock,
    pin_change,
    expiry,
    settings_misc,
    transactions,
    biometrics,
    privacy_and_memory,
)


def walk(drive: Driver) -> Walk:
    """Runs every procedure in order with one driver; returns what it saw."""
    w = Walk(drive)
    for procedure in PROCEDURES:
        procedure(w)
    return w
