"""ならば phrases about the app beyond one screen's parts: that it closed, what the browser
opened, the token list, a token's name and expiry, and the back key (which an iPhone lacks:
the step tries it, and it must be refused).
"""

from __future__ import annotations

from typing import Final

from harness.vocabulary.base import Phrase, PhraseBook, StepContext, describe_view
from harness.vocabulary.errors import Refused, StepError, StepFailed

__all__ = ["THEN_APP_PHRASES"]

then = PhraseBook("then")


def _quoted(values: tuple[str, ...] | list[str]) -> str:
    return "".join(f"「{v}」" for v in values) or "(なし)"


@then.add("アプリが終了する", "アプリが終了する", "アプリが終了している")
def _closed(ctx: StepContext) -> None:
    view = ctx.view()
    if view.get("app") != "closed":
        raise StepFailed("アプリは終了している", describe_view(view))


@then.add(
    "ブラウザで「{url:Q}」が開く",
    "ブラウザで「https://mirai-bank.example/」が開く",
    "アプリがブラウザでそのアドレスを開いた",
)
def _browser(ctx: StepContext, url: str) -> None:
    browser = ctx.view().get("browser")
    if browser != url:
        raise StepFailed(
            f"ブラウザで「{url}」", f"「{browser}」" if browser else "ブラウザは開いていない"
        )


@then.add(
    "リンク先のWebサイトが表示される",
    "リンク先のWebサイトが表示される",
    "表示中のトークンのサービスのリンク先がブラウザで開いた (2.2)",
)
def _link_site(ctx: StepContext) -> None:
    view = ctx.view()
    name = (view.get("token") or {}).get("name")
    link = ctx.facts.link_of(name) if isinstance(name, str) else None
    if link is None:
        raise StepError(f"トークン「{name}」のサービスのリンク先が前提からわかりません")
    if view.get("browser") != link:
        raise StepFailed(f"ブラウザで「{link}」", f"「{view.get('browser')}」")


@then.add(
    "ログイン後サイトが表示される",
    "ログイン後サイトが表示される",
    "表示中のトークンのサービスのログイン後サイトがブラウザで開いた (3.14.2、ASM-028)",
)
def _login_site(ctx: StepContext) -> None:
    view = ctx.view()
    name = (view.get("token") or {}).get("name")
    site = ctx.facts.login_site_of(name) if isinstance(name, str) else None
    if site is None:
        raise StepError(f"トークン「{name}」のサービスのログイン後サイトが前提からわかりません")
    if view.get("browser") != site:
        raise StepFailed(f"ブラウザで「{site}」", f"「{view.get('browser')}」")


@then.add(
    "Webサイトへは移動しない",
    "Webサイトへは移動しない",
    "ブラウザは開いていない (リンク先のないロゴ画像／リンク画像、2.2)",
)
def _no_site(ctx: StepContext) -> None:
    browser = ctx.view().get("browser")
    if browser is not None:
        raise StepFailed("ブラウザは開かない", f"ブラウザで「{browser}」が開いた")


@then.add(
    "トークン一覧は{names:QList}である",
    "トークン一覧は「ミレインターネットバンキング」「ミレインターネットバンキング_2」である",
    "一覧のトークン表示名が、この順でこれだけある",
)
def _token_list(ctx: StepContext, names: tuple[str, ...]) -> None:
    tokens = ctx.view().get("tokens", [])
    if list(names) != tokens:
        raise StepFailed(f"トークン一覧 {_quoted(names)}", f"トークン一覧 {_quoted(tokens)}")


@then.add(
    "トークン一覧に「{name:Q}」がある",
    "トークン一覧に「ミレインターネットバンキング_2」がある",
    "一覧にそのトークン表示名がある",
)
def _token_listed(ctx: StepContext, name: str) -> None:
    tokens = ctx.view().get("tokens", [])
    if name not in tokens:
        raise StepFailed(f"トークン一覧に「{name}」", f"トークン一覧 {_quoted(tokens)}")


@then.add(
    "トークン一覧のトークンは{n:N}個である",
    "トークン一覧のトークンは10個である",
    "一覧にあるトークンの数がこのとおりである",
)
def _token_count(ctx: StepContext, n: int) -> None:
    tokens = ctx.view().get("tokens", [])
    if len(tokens) != n:
        raise StepFailed(f"トークン一覧に {n} 個", f"{len(tokens)} 個 {_quoted(tokens)}")


@then.add(
    "トークン表示名は「{name:Q}」である",
    "トークン表示名は「ミレインターネットバンキング本店用」である",
    "表示中のトークンの表示名 (サービス名称 + 追加文言) がこのとおりである",
)
def _token_name(ctx: StepContext, name: str) -> None:
    shown = (ctx.view().get("token") or {}).get("name")
    if shown != name:
        raise StepFailed(
            f"トークン表示名「{name}」", f"「{shown}」" if shown else "トークン表示なし"
        )


@then.add(
    "有効期限「{date:Q}」が表示される",
    "有効期限「2027/12/31」が表示される",
    "表示中のトークンの有効期限が YYYY/MM/DD でこのとおりである",
)
def _expiry(ctx: StepContext, date: str) -> None:
    shown = (ctx.view().get("token") or {}).get("expires")
    if shown != date:
        raise StepFailed(f"有効期限「{date}」", f"「{shown}」" if shown else "有効期限の表示なし")


@then.add(
    "バックキーは使えない",
    "バックキーは使えない",
    "バックキーのない端末 (iPhone) ではバックキーを押せない (unsupported)",
)
def _no_back_key(ctx: StepContext) -> None:
    try:
        after = ctx.send("key", key="back")
    except Refused as refused:
        if refused.kind != "unsupported":
            raise StepFailed("バックキーは unsupported", refused.kind) from None
        return
    raise StepFailed("バックキーは使えない", f"押せた: {describe_view(after)}")


THEN_APP_PHRASES: Final[tuple[Phrase, ...]] = tuple(then.phrases)
"""These ならば phrases, in the order `otpspec steps` lists them (after then.py's)."""
