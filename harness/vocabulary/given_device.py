"""前提 phrases about the phone and what is under way: the device, its biometrics and free
memory, the clock, and the transactions waiting at the service.

Like given.py's, each one adds to the scenario's `Facts`.
"""

from __future__ import annotations

from typing import Final

from harness.vocabulary.base import Phrase, PhraseBook, StepContext
from harness.vocabulary.errors import StepError
from harness.vocabulary.facts import OS_NAMES, iso_instant

__all__ = ["GIVEN_DEVICE_PHRASES"]

given = PhraseBook("given")


@given.add(
    "端末は「{os:Q}」「{version:Q}」である",
    "端末は「iPhone」「17.0」である",
    "端末のOS (Android / iPhone) とそのバージョン (既定は Android 14.0)",
)
def _device(ctx: StepContext, os: str, version: str) -> None:
    name = OS_NAMES.get(os.lower())
    if name is None:
        raise StepError(f"OS「{os}」は使えません。「Android」か「iPhone」と書いてください")
    ctx.facts.device.update(os=name, os_version=version)


@given.add(
    "端末に生体認証情報が登録されている",
    "端末に生体認証情報が登録されている",
    "端末に指紋・顔などが登録されている (既定)",
)
def _enrolled(ctx: StepContext) -> None:
    ctx.facts.device["biometrics"] = "enrolled"


@given.add(
    "端末に生体認証情報が登録されていない",
    "端末に生体認証情報が登録されていない",
    "端末は生体認証に対応しているが、指紋・顔などが登録されていない",
)
def _not_enrolled(ctx: StepContext) -> None:
    ctx.facts.device["biometrics"] = "not_enrolled"


@given.add(
    "端末は生体認証に対応していない",
    "端末は生体認証に対応していない",
    "端末に OS 標準の生体認証機能がない",
)
def _no_biometrics(ctx: StepContext) -> None:
    ctx.facts.device["biometrics"] = "unsupported"


@given.add("メモリが不足している", "メモリが不足している", "端末の空きメモリが足りない (4.1)")
def _memory_low(ctx: StepContext) -> None:
    ctx.facts.device["memory_low"] = True


@given.add(
    "端末の時計が{n:N}秒進んでいる",
    "端末の時計が300秒進んでいる",
    "端末の時計が正しい時刻より n 秒進んでいる (ASM-009)",
)
def _clock_ahead(ctx: StepContext, n: int) -> None:
    ctx.facts.device["skew_seconds"] = n


@given.add(
    "端末の時計が{n:N}秒遅れている",
    "端末の時計が300秒遅れている",
    "端末の時計が正しい時刻より n 秒遅れている (ASM-009)",
)
def _clock_behind(ctx: StepContext, n: int) -> None:
    ctx.facts.device["skew_seconds"] = -n


@given.add(
    "現在日時は「{at:Q}」である",
    "現在日時は「2026/04/01 09:00:00」である",
    "正しい現在日時 (日本時間; 既定は 2026/04/01 09:00:00)",
)
def _now(ctx: StepContext, at: str) -> None:
    ctx.facts.now = iso_instant(at)


@given.add(
    "取引「{transaction:Q}」が確認待ちである",
    "取引「T1」が確認待ちである",
    "直前に登録したトークンの利用者に確認待ちの取引がある",
)
def _transaction(ctx: StepContext, transaction: str) -> None:
    ctx.facts.add_transaction(transaction)


@given.add(
    "取引「{transaction:Q}」の「{label:Q}」は「{value:Q}」である",
    "取引「T1」の「金額」は「10,000円」である",
    "「取引確認」に表示される取引の内容 (項目と値) を決める (前提の取引は既定で項目"
    "「取引内容」「金額」を持ち、金額は取引ごとに違う)",
)
def _transaction_detail(ctx: StepContext, transaction: str, label: str, value: str) -> None:
    ctx.facts.transaction(transaction)["details"][label] = value


@given.add(
    "取引「{transaction:Q}」の確認期限は「{at:Q}」である",
    "取引「T1」の確認期限は「2026/04/01 09:05:00」である",
    "サービスでこの日時 (日本時間) を過ぎると取引は確認待ちでなくなる (認証確認は S7J5、ASM-050)",
)
def _lapses_at(ctx: StepContext, transaction: str, at: str) -> None:
    ctx.facts.transaction(transaction)["lapses_at"] = iso_instant(at)


@given.add(
    "取引確認を開始済みである",
    "取引確認を開始済みである",
    "直前に登録したトークンで取引確認を開始している (3.13.1)",
)
def _transaction_started(ctx: StepContext) -> None:
    ctx.facts.last_token().transaction_started = True


@given.add(
    "生体認証ログインを設定済みである",
    "生体認証ログインを設定済みである",
    "直前に登録したトークンで生体認証ログイン利用設定をしている (3.14.1)",
)
def _biometric_registered(ctx: StepContext) -> None:
    ctx.facts.last_token().biometric_registered = True


GIVEN_DEVICE_PHRASES: Final[tuple[Phrase, ...]] = tuple(given.phrases)
"""These 前提 phrases, in the order `otpspec steps` lists them (after given.py's)."""
