"""もし phrases: what a person does, each sent to the implementation as one request."""

from __future__ import annotations

from typing import Final

from harness.vocabulary.base import Handler, Phrase, PhraseBook, StepContext
from harness.vocabulary.errors import Refused, StepError

__all__ = ["OPERATION_NAMES", "WHEN_PHRASES"]

OPERATION_NAMES: Final[dict[str, str]] = {
    "起動": "launch",
    "初期設定": "issue",
    "トークン追加": "issue",
    "PIN変更": "pin_change",
    "有効期限の更新": "renewal",
    "パスワード補正": "correction",
    "取引確認開始": "transaction_start",
    "取引確認": "transaction_fetch",
    "認証確認": "transaction_confirm",
    "生体認証ログイン利用設定": "biometric_setup",
}
"""The server operations by the manual's name (the `server` op's names are accepted too)."""

when = PhraseBook("when")


@when.add(
    "アプリを起動する", "アプリを起動する", "ワンタイムパスワードアプリを起動する (アイコンを選択)"
)
def _launch(ctx: StepContext) -> None:
    ctx.send("launch")


@when.add(
    "「{label:Q}」を選択する",
    "「同意して進む」を選択する",
    "画面にあるボタン・タブ・メニュー・チェックボックス・リンク・トークン・通知を選択する",
)
def _tap(ctx: StepContext, label: str) -> None:
    ctx.send("tap", target=label)


@when.add(
    "「{field:Q}」に「{value:Q}」を入力する",
    "「サービスID」に「MIRAI01」を入力する",
    "入力欄の内容を置き換える (PINなど秘密の欄の値は報告で ●●●● と伏せる)",
)
def _enter(ctx: StepContext, field: str, value: str) -> None:
    ctx.typed[field] = value
    ctx.send("enter", field=field, value=value)


@when.add("「{field:Q}」を空欄にする", "「変更後の追加文言」を空欄にする", "入力欄を空にする")
def _clear(ctx: StepContext, field: str) -> None:
    _enter(ctx, field, "")


@when.add(
    "サービスID「{service:Q}」、ユーザID「{user:Q}」、利用開始パスワード「{password:Q}」でトークンの追加を試みる",
    "サービスID「MIRAI01」、ユーザID「USER1001」、利用開始パスワード「22223333」でトークンの追加を試みる",
    "「設定メニュー」で[トークン追加]を選び、ダイアログが出ればその最初のボタンを選ぶ。"
    "「トークン追加」画面が出れば3つの欄に入力し、同意して[送信]を選ぶ (3.3)",
    secrets=("password",),
)
def _try_to_add(ctx: StepContext, service: str, user: str, password: str) -> None:
    # What the app shows when the limit is reached is ASM-018's; that no 11th token is
    # added is the manual's (3.3, 4.2). So the step follows whatever the implementation
    # shows (a menu without [トークン追加] at the limit too), and the token_limit contract
    # and the scenario's own ならば judge what happened.
    try:
        view = ctx.send("tap", target="トークン追加")
    except Refused as refused:
        if refused.kind == "not_found":
            return
        raise
    dialog = view.get("dialog")
    if dialog:
        buttons = dialog.get("buttons") or []
        if buttons:
            ctx.send("tap", target=str(buttons[0]))
        return
    if (view.get("screen") or {}).get("title") != "トークン追加":
        return
    _enter(ctx, "サービスID", service)
    _enter(ctx, "ユーザID", user)
    _enter(ctx, "利用開始パスワード", password)
    ctx.send("tap", target="上記の内容に同意する")
    ctx.send("tap", target="送信")


@when.add("バックキーを押す", "バックキーを押す", "端末のバックキー (Android) を押す")
def _back(ctx: StepContext) -> None:
    ctx.send("key", key="back")


@when.add(
    "ホームボタンでアプリを終了する",
    "ホームボタンでアプリを終了する",
    "マルチタスク画面でアプリのウィンドウをスワイプして終了する (2.3.1、ASM-004)",
)
def _home(ctx: StepContext) -> None:
    ctx.send("key", key="home")


def _advance(unit: int) -> Handler:
    def handler(ctx: StepContext, n: int) -> None:
        ctx.send("clock", advance=n * unit)

    return handler


for _unit, _seconds in (("秒", 1), ("分", 60), ("日", 86_400)):
    when.same(
        f"{{n:N}}{_unit}経過する",
        f"3{_unit}経過する",
        f"時計を n {_unit}進める (全角数字も可)",
        _advance(_seconds),
    )


@when.add("通知「{transaction:Q}」が届く", "通知「T1」が届く", "取引確認を促す通知が届く (3.13.2)")
def _notify(ctx: StepContext, transaction: str) -> None:
    ctx.send("notify", transaction=transaction)


def _biometric(result: str) -> Handler:
    def handler(ctx: StepContext) -> None:
        ctx.send("biometric", result=result)

    return handler


for _sentence, _result in (
    ("生体認証に成功する", "success"),
    ("生体認証に失敗する", "failure"),
    ("生体認証をキャンセルする", "cancel"),
):
    when.same(_sentence, _sentence, f"生体認証ダイアログで: {_sentence}", _biometric(_result))


def _network(online: bool) -> Handler:
    def handler(ctx: StepContext) -> None:
        ctx.send("network", online=online)

    return handler


when.same(
    "ネットワークが切断される",
    "ネットワークが切断される",
    "端末が通信できなくなる",
    _network(False),
)
when.same(
    "ネットワークが接続される",
    "ネットワークが接続される",
    "端末が通信できるようになる",
    _network(True),
)


@when.add(
    "サーバーが次の「{operation:Q}」にエラー「{code:Q}」を返す",
    "サーバーが次の「有効期限の更新」にエラー「S3B3」を返す",
    "次のその通信をサーバーのエラーにする (操作: " + "、".join(OPERATION_NAMES) + ")",
)
def _server(ctx: StepContext, operation: str, code: str) -> None:
    name = OPERATION_NAMES.get(operation, operation)
    if name not in OPERATION_NAMES.values():
        known = "、".join(f"「{n}」" for n in OPERATION_NAMES)
        raise StepError(f"操作「{operation}」はありません。次のどれかを書いてください: {known}")
    ctx.send("server", operation=name, code=code)


WHEN_PHRASES: Final[tuple[Phrase, ...]] = tuple(when.phrases)
"""The もし phrases, in the order `otpspec steps` lists them."""
