"""ならば phrases about what a screen shows of the world the 前提 stated: the password that
must not show, and the transaction 「取引確認」 shows.

The transaction is identified by its details (docs/protocol.md, the view's `transaction`):
the 前提 give each transaction details of its own, so a step can say which one is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from harness.vocabulary.base import Phrase, PhraseBook, StepContext, describe_view
from harness.vocabulary.errors import StepFailed

__all__ = ["THEN_VALUE_PHRASES"]

then = PhraseBook("then")


@then.add(
    "ワンタイムパスワードは表示されない",
    "ワンタイムパスワードは表示されない",
    "パスワードが出ていない (有効期限切れのトークン、3.9.2・3.9.3、ASM-053)",
)
def _no_otp(ctx: StepContext) -> None:
    view = ctx.view()
    otp = view.get("otp")
    if otp is not None:
        raise StepFailed("ワンタイムパスワードなし", f"パスワード「{otp}」 ({describe_view(view)})")


def _details(value: Any) -> str:
    if not isinstance(value, Mapping) or not value:
        return "取引内容なし"
    return "、".join(f"「{label}」「{shown}」" for label, shown in value.items())


@then.add(
    "取引「{transaction:Q}」の内容が表示される",
    "取引「T2」の内容が表示される",
    "「取引確認」画面がその取引の内容 (前提の項目と値) を表示している (3.13.2)",
)
def _transaction_shown(ctx: StepContext, transaction: str) -> None:
    expected = ctx.facts.transaction(transaction).get("details", {})
    view = ctx.view()
    title = (view.get("screen") or {}).get("title")
    shown = view.get("transaction")
    if title != "取引確認" or dict(shown or {}) != dict(expected):
        raise StepFailed(
            f"画面「取引確認」に取引「{transaction}」の内容 {_details(expected)}",
            f"{describe_view(view)}、{_details(shown)}",
        )


THEN_VALUE_PHRASES: Final[tuple[Phrase, ...]] = tuple(then.phrases)
"""These ならば phrases, listed after harness/vocabulary/then.py's."""
