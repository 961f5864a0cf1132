"""Fuzzed inputs never crash the reference app, and every refusal is a catalogue code."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from walkthrough import fixture, token

from statechart.app import AppError, ReferenceApp
from statechart.model import Spec

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["", "0", "1" * 32, "1" * 33, "１２３４", "1234", "12345678", "ＡＢＣ", " "])
_FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


_APPS: dict[int, ReferenceApp] = {}


def _reference(spec: Spec) -> ReferenceApp:
    """One app per spec, as the harness keeps one per run: `reset` is the isolation."""
    if id(spec) not in _APPS:
        _APPS[id(spec)] = ReferenceApp(spec)
    return _APPS[id(spec)]


def _app(spec: Spec, data: dict[str, Any]) -> ReferenceApp:
    app = _reference(spec)
    app.reset(data)
    app.launch()
    return app


def _submit(app: ReferenceApp, fields: dict[str, str], *taps: str) -> dict[str, Any]:
    for label, value in fields.items():
        app.enter(label, value)
    view: dict[str, Any] = {}
    for label in taps:
        view = app.tap(label)
    return view


def _assert_outcome(spec: Spec, view: dict[str, Any], moved_on: set[str]) -> None:
    """Either the procedure went on, or a catalogue error is on screen."""
    error = view["error"]
    if error is None:
        assert view["screen"]["title"] in moved_on, view["screen"]
        return
    code = error["code"] or "OTHER-APP"
    assert code in spec.error_codes()
    entry = next(e for e in spec.errors if e.code == code)
    assert error["message"] in {entry.message, *(v.message for v in entry.variants)}


class TestFuzzedInputs:
    @_FAST
    @given(service=_TEXT, user=_TEXT, password=_TEXT)
    def test_initial_setup(self, spec: Spec, service: str, user: str, password: str) -> None:
        app = _app(spec, {"app": {"privacy_policy_agreed": True}})
        fields = {"サービスID": service, "ユーザID": user, "利用開始パスワード": password}
        view = _submit(app, fields, "上記の内容に同意する", "送信")
        _assert_outcome(spec, view, {"初期設定完了"})

    @_FAST
    @given(code=_TEXT, again=_TEXT)
    def test_app_lock_codes(self, spec: Spec, code: str, again: str) -> None:
        app = _app(spec, fixture(token("USER0001")))
        _submit(app, {}, "設定", "アプリロック設定", "アプリロック設定", "OK")
        fields = {"アプリロックコード": code, "アプリロックコード(確認用)": again}
        view = _submit(app, fields, "確定")
        _assert_outcome(spec, view, {"設定メニュー"})
        valid = code == again and code.isascii() and code.isdigit() and 1 <= len(code) <= 32
        assert (view["error"] is None) == valid

    @_FAST
    @given(pin=_TEXT)
    def test_pin_entry(self, spec: Spec, pin: str) -> None:
        app = _app(spec, fixture(token("PINUSER", "PIN01", pin="1234")))
        view = _submit(app, {"PIN": pin}, "確定")
        _assert_outcome(spec, view, {"ワンタイムパスワード"})
        valid = pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8
        assert (view["error"] is None) == valid

    @_FAST
    @given(current=_TEXT, new=_TEXT, again=_TEXT)
    def test_pin_change(self, spec: Spec, current: str, new: str, again: str) -> None:
        app = _app(spec, fixture(token("PINUSER", "PIN01", pin="1234")))
        _submit(app, {"PIN": "1234"}, "確定", "設定", "PINの変更")
        fields = {"現在のPIN": current, "新しいPIN": new, "新しいPIN(確認用)": again}
        view = _submit(app, fields, "送信")
        _assert_outcome(spec, view, {"PIN変更完了"})

    @_FAST
    @given(login=_TEXT, password=_TEXT)
    def test_biometric_credentials(self, spec: Spec, login: str, password: str) -> None:
        app = _app(spec, fixture(token("USER0001")))
        app.tap("生体認証ログイン 利用設定")
        app.biometric("success")
        view = _submit(app, {"ログインID": login, "ログインパスワード": password}, "登録")
        assert view["error"] is not None or view["dialog"]["buttons"] == ["OK"]
        if view["error"] is not None:
            _assert_outcome(spec, view, set())

    @_FAST
    @given(text=_TEXT)
    def test_display_text(self, spec: Spec, text: str) -> None:
        app = _app(spec, fixture(token("USER0001")))
        view = _submit(app, {}, "設定", "トークン表示名設定")
        view = _submit(app, {"変更後の追加文言": text}, "登録")
        assert view["token"]["name"] == "ミレインターネットバンキング" + text


class TestRandomWalk:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.data())
    def test_tapping_anything_on_screen_never_crashes(self, spec: Spec, data: Any) -> None:
        app = _reference(spec)
        view = app.reset(fixture(token("USER0001"), token("PINUSER", "PIN01", pin="1234")))
        labels = _labels(spec)
        for _ in range(40):
            view = _random_step(app, view, data)
            assert set(view["elements"]) - labels - set(view["tokens"]) == set()
            if view["error"] is not None:
                assert (view["error"]["code"] or "OTHER-APP") in spec.error_codes()


def _labels(spec: Spec) -> set[str]:
    return {e.label for s in spec.statechart.iter_states() for e in s.elements}


def _random_step(app: ReferenceApp, view: dict[str, Any], data: Any) -> dict[str, Any]:
    if view["app"] == "closed":
        return app.launch()
    choice = data.draw(st.sampled_from(["tap", "enter", "key", "clock", "bio"]))
    try:
        if choice == "tap" and view["elements"]:
            return app.tap(data.draw(st.sampled_from(view["elements"])))
        if choice == "enter" and view["fields"]:
            label = data.draw(st.sampled_from(sorted(view["fields"])))
            return app.enter(label, data.draw(_TEXT))
        if choice == "key":
            return app.key(data.draw(st.sampled_from(["back", "home"])))
        if choice == "clock":
            return app.clock(advance=data.draw(st.integers(0, 86400 * 200)))
        if choice == "bio":
            return app.biometric(data.draw(st.sampled_from(["success", "failure", "cancel"])))
    except AppError as refused:
        assert refused.kind in {"not_found", "unsupported"}
    return app.observe()
