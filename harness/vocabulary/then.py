"""ならば phrases: what a person sees on a screen, checked against the view (one also tries
an action that must be refused: a label that is not shown cannot be tapped). The app as a
whole (closed, the browser, the token list, the back key) is in then_app.py.
"""

from __future__ import annotations

from typing import Any, Final

from harness.vocabulary.base import Phrase, PhraseBook, StepContext, View, describe_view
from harness.vocabulary.errors import Refused, StepError, StepFailed
from statechart.model import assumed_ids

__all__ = ["EXPECTATION_KINDS", "THEN_PHRASES"]

then = PhraseBook("then")


def _quoted(values: Any) -> str:
    return "".join(f"「{v}」" for v in values) or "(なし)"


@then.add(
    "「{title:Q}」画面が表示される",
    "「プライバシーポリシーの確認」画面が表示される",
    "その画面が前面にある (ダイアログもエラーも出ていない)",
)
def _screen(ctx: StepContext, title: str) -> None:
    view = ctx.view()
    screen = view.get("screen") or {}
    if screen.get("title") != title or view.get("dialog") is not None:
        raise StepFailed(f"画面「{title}」", describe_view(view))


def _dialog_buttons(ctx: StepContext, name: str) -> set[str] | None:
    """The buttons the spec gives the dialog `name` (None: any dialog will do).

    Only buttons the manual gives: one that exists by an assumption (終了確認ダイアログ's
    [いいえ], ASM-004) is checked where a step names it (ダイアログに「B」ボタンがある) and its
    scenario carries the tag, not by the dialog's name (docs/grading.md, `dialog.buttons`).
    """
    if not name:
        return None
    titles = {name, name + "ダイアログ"}
    states = [s for s in ctx.spec.statechart.iter_states() if s.title in titles and s.is_modal]
    if not states:
        raise StepError(f"「{name}ダイアログ」は spec/statechart.yaml にありません")
    return {
        e.label
        for s in states
        for e in s.elements
        if e.kind == "button" and not e.when + e.unless and not assumed_ids(e.assumed, "exists")
    }


@then.add(
    "{name:Name}ダイアログが表示される",
    "終了確認ダイアログが表示される",
    "ダイアログが出ている (名前を書けば spec のボタンもそろっている)",
)
def _dialog(ctx: StepContext, name: str) -> None:
    expected = _dialog_buttons(ctx, name)
    view = ctx.view()
    dialog = view.get("dialog")
    buttons = set((dialog or {}).get("buttons") or [])
    if dialog is None or (expected is not None and not expected <= buttons):
        shown = f"{name}ダイアログ" + (f" {_quoted(sorted(expected))}" if expected else "")
        raise StepFailed(shown, describe_view(view))


@then.add(
    "ダイアログに「{button:Q}」ボタンがある",
    "ダイアログに「はい」ボタンがある",
    "前面のダイアログにそのボタンがある",
)
def _dialog_button(ctx: StepContext, button: str) -> None:
    view = ctx.view()
    if button not in ((view.get("dialog") or {}).get("buttons") or []):
        raise StepFailed(f"ダイアログの「{button}」ボタン", describe_view(view))


def _catalogue_messages(ctx: StepContext, code: str) -> set[str]:
    entries = [e for e in ctx.spec.errors if e.code == code]
    if not entries:
        raise StepError(f"エラー「{code}」は spec/errors.yaml にありません")
    version = str(ctx.spec.rules.values.get("version", ""))
    messages = {e.message for e in entries} | {v.message for e in entries for v in e.variants}
    return {m.replace("{version}", version) for m in messages}


@then.add(
    "エラー「{code:Q}」が表示される",
    "エラー「A913」が表示される",
    "そのエラーコードのエラーが、エラー表示一覧 (4.3) のメッセージで出ている",
)
def _error(ctx: StepContext, code: str) -> None:
    messages = _catalogue_messages(ctx, code)
    view = ctx.view()
    error = view.get("error") or {}
    if (error.get("code") or "OTHER-APP") != code or error.get("message") not in messages:
        raise StepFailed(f"エラー {code}「{' / '.join(sorted(messages))}」", describe_view(view))


@then.add(
    "エラーメッセージ「{message:Q}」が表示される",
    "エラーメッセージ「入力内容に誤りがあります。もう一度入力してください。」が表示される",
    "出ているエラーのメッセージがこのとおりである",
)
def _error_message(ctx: StepContext, message: str) -> None:
    view = ctx.view()
    if (view.get("error") or {}).get("message") != message:
        raise StepFailed(f"エラーメッセージ「{message}」", describe_view(view))


@then.add(
    "エラーコードのないエラー「{message:Q}」が表示される",
    "エラーコードのないエラー「他のアプリで利用開始しているため、ご利用できません。」が表示される",
    "エラーコードなしで、このメッセージのエラーが出ている (4.3 のコードのない行)",
)
def _codeless_error(ctx: StepContext, message: str) -> None:
    view = ctx.view()
    error = view.get("error") or {}
    if not error or error.get("code") is not None or error.get("message") != message:
        raise StepFailed(f"エラーコードなしのエラー「{message}」", describe_view(view))


@then.add("エラーは表示されない", "エラーは表示されない", "エラーのダイアログが出ていない")
def _no_error(ctx: StepContext) -> None:
    view = ctx.view()
    if view.get("error") is not None:
        raise StepFailed("エラーなし", describe_view(view))


def _visible_texts(view: View) -> list[str]:
    token = view.get("token") or {}
    dialog = view.get("dialog") or {}
    error = view.get("error") or {}
    screen = view.get("screen") or {}
    found = [screen.get("title"), token.get("name"), dialog.get("text"), error.get("message")]
    found += [*view.get("texts", []), *view.get("elements", []), *view.get("tokens", [])]
    found += list(view.get("fields", {}))
    return [text for text in found if isinstance(text, str)]


@then.add(
    "「{text:Q}」が表示される",
    "「現在認証対象のお取引がありません」が表示される",
    "その文言が画面のどこか (文言、ボタン、タブ、入力欄の名前、トークン名、ダイアログ) にある",
)
def _text(ctx: StepContext, text: str) -> None:
    view = ctx.view()
    shown = _visible_texts(view)
    # The manual cuts some lines with ～ (3.13.2: 「現在認証対象のお取引がありません～」):
    # what it prints is the line's beginning, and only that is required.
    found = (
        any(line.startswith(text[:-1]) for line in shown) if text.endswith("～") else text in shown
    )
    if not found:
        raise StepFailed(f"「{text}」", f"{describe_view(view)}、文言 {_quoted(view['texts'])}")


@then.add(
    "「{label:Q}」は表示されない",
    "「送信」は表示されない",
    "画面にその項目がなく、選択しようとしても選択できない (not_found)",
)
def _absent(ctx: StepContext, label: str) -> None:
    view = ctx.view()
    if label in view.get("elements", []) or label in view.get("fields", {}):
        raise StepFailed(f"「{label}」がない", f"「{label}」がある ({describe_view(view)})")
    try:
        after = ctx.send("tap", target=label)
    except Refused as refused:
        if refused.kind != "not_found":
            raise StepFailed(f"「{label}」の選択は not_found", f"{refused.kind}") from None
        return
    raise StepFailed(f"「{label}」は選択できない", f"選択できた: {describe_view(after)}")


@then.add(
    "「{field:Q}」は入力できない",
    "「アプリロックコード」は入力できない",
    "入力欄はあるが入力できない (3.5, 3.7 の 入力不可能): disabled にあり、入力は not_found",
)
def _disabled(ctx: StepContext, field: str) -> None:
    view = ctx.view()
    if field not in view.get("fields", {}):
        raise StepFailed(
            f"入力欄「{field}」が表示されている", f"入力欄がない ({describe_view(view)})"
        )
    if field not in (view.get("disabled") or []):
        raise StepFailed(f"「{field}」は入力できない", "入力できる (disabled にない)")
    try:
        after = ctx.send("enter", field=field, value="1")
    except Refused as refused:
        if refused.kind != "not_found":
            raise StepFailed(f"「{field}」への入力は not_found", refused.kind) from None
        return
    raise StepFailed(f"「{field}」には入力できない", f"入力できた: {describe_view(after)}")


@then.add(
    "「{field:Q}」は入力できる",
    "「アプリロックコード」は入力できる",
    "入力欄が表示されていて入力できる (3.5, 3.7 の 入力可能): ビューの disabled にない",
)
def _enabled(ctx: StepContext, field: str) -> None:
    view = ctx.view()
    if field not in view.get("fields", {}):
        raise StepFailed(
            f"入力欄「{field}」が表示されている", f"入力欄がない ({describe_view(view)})"
        )
    if field in (view.get("disabled") or []):
        raise StepFailed(f"「{field}」は入力できる", "入力できない (disabled にある)")


@then.add(
    "「{field:Q}」は「{shown:Q}」と表示される",
    "「サービスID」は「MIRAI01」と表示される",
    "入力欄・チェックボックス・スイッチの表示がこのとおりである (ON/OFF、はい/いいえ)",
)
def _field(ctx: StepContext, field: str, shown: str) -> None:
    view = ctx.view()
    fields = view.get("fields", {})
    value = fields.get(field)
    text = {True: "はい", False: "いいえ"}.get(value, value) if isinstance(value, bool) else value
    if text != shown:
        observed = "入力欄がない" if field not in fields else f"「{text}」"
        raise StepFailed(f"「{field}」は「{shown}」", observed)


@then.add(
    "「{field:Q}」はマスク表示される",
    "「PIN」はマスク表示される",
    "入力した文字数だけ伏せ字 (●) が並ぶ (ASM-032)",
)
def _masked(ctx: StepContext, field: str) -> None:
    if field not in ctx.typed:
        raise StepError(
            f"「{field}」にはまだ入力していません。先に入力するステップを書いてください"
        )
    mask = str(ctx.spec.rules.values.get("mask_character", "●"))
    expected = mask * len(ctx.typed[field])
    value = ctx.view().get("fields", {}).get(field)
    if value != expected:
        raise StepFailed(f"「{field}」は {mask} が {len(expected)} 個", f"「{value}」")


def _otp(ctx: StepContext) -> str:
    """The password shown now, remembered for the next 変わる / 変わらない."""
    view = ctx.view()
    otp = view.get("otp")
    if not isinstance(otp, str):
        raise StepFailed("ワンタイムパスワード", f"なし ({describe_view(view)})")
    ctx.otp_mark = otp
    return otp


@then.add(
    "ワンタイムパスワードが表示される",
    "ワンタイムパスワードが表示される",
    "決まった桁数 (6桁、ASM-030) の数字のパスワードが出ている (変わる/変わらない の比較元)",
)
def _otp_shown(ctx: StepContext) -> None:
    otp = _otp(ctx)
    digits = int(str(ctx.spec.rules.values.get("otp_digits", 6)))
    if len(otp) != digits or not otp.isascii() or not otp.isdigit():
        raise StepFailed(f"{digits}桁の数字", f"「{otp}」")


def _previous_otp(ctx: StepContext) -> str:
    if ctx.otp_mark is None:
        raise StepError("比べるパスワードがありません。先に「ワンタイムパスワードが表示される」を")
    return ctx.otp_mark


@then.add(
    "ワンタイムパスワードが変わる",
    "ワンタイムパスワードが変わる",
    "前にパスワードを見たとき (表示される/変わる/変わらない) と違うパスワードが出ている",
)
def _otp_changes(ctx: StepContext) -> None:
    before = _previous_otp(ctx)
    otp = _otp(ctx)
    if otp == before:
        raise StepFailed(f"「{before}」と違うパスワード", f"「{otp}」のまま")


@then.add(
    "ワンタイムパスワードが変わらない",
    "ワンタイムパスワードが変わらない",
    "前にパスワードを見たとき (表示される/変わる/変わらない) と同じパスワードが出ている",
)
def _otp_same(ctx: StepContext) -> None:
    before = _previous_otp(ctx)
    otp = _otp(ctx)
    if otp != before:
        raise StepFailed(f"「{before}」のまま", f"「{otp}」")


THEN_PHRASES: Final[tuple[Phrase, ...]] = tuple(then.phrases)
"""The ならば phrases, in the order `otpspec steps` lists them."""

EXPECTATION_KINDS: Final[dict[str, str]] = {
    "「{title:Q}」画面が表示される": "screen",
    "{name:Name}ダイアログが表示される": "dialog",
    "ダイアログに「{button:Q}」ボタンがある": "dialog.buttons",
    "エラー「{code:Q}」が表示される": "error.code",
    "エラーメッセージ「{message:Q}」が表示される": "error.message",
    "エラーコードのないエラー「{message:Q}」が表示される": "error.codeless",
    "エラーは表示されない": "error.none",
    "「{text:Q}」が表示される": "text",
    "「{label:Q}」は表示されない": "absent",
    "「{field:Q}」は入力できない": "disabled",
    "「{field:Q}」は入力できる": "disabled",
    "「{field:Q}」は「{shown:Q}」と表示される": "fields",
    "「{field:Q}」はマスク表示される": "fields.masked",
    "ワンタイムパスワードが表示される": "otp",
    "ワンタイムパスワードが変わる": "otp",
    "ワンタイムパスワードが変わらない": "otp",
    "アプリが終了する": "app",
    "ブラウザで「{url:Q}」が開く": "browser",
    "リンク先のWebサイトが表示される": "browser",
    "ログイン後サイトが表示される": "browser",
    "Webサイトへは移動しない": "browser",
    "トークン一覧は{names:QList}である": "tokens",
    "トークン一覧に「{name:Q}」がある": "tokens.listed",
    "トークン一覧のトークンは{n:N}個である": "tokens.listed",
    "トークン表示名は「{name:Q}」である": "token.name",
    "有効期限「{date:Q}」が表示される": "token.expires",
    "バックキーは使えない": "request",
}
"""Pattern of each ならば phrase → the kind of expectation it checks, which decides how its
failure is graded (docs/grading.md, "Features"; harness.grading.step_grounds)."""
