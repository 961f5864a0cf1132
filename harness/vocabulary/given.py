"""前提 phrases: facts about the app, the services, the device and the time.

Each one adds to the scenario's `Facts`; the fixture they make is sent as one `reset`
before the first もし or ならば step. The manual's own preconditions (2.1: 登録されている
トークンがひとつ, アプリロックは未設定, PIN設定のないトークン) are phrases as printed.
"""

from __future__ import annotations

from typing import Final

from harness.vocabulary.base import Handler, Phrase, PhraseBook, StepContext
from harness.vocabulary.errors import StepError
from harness.vocabulary.facts import OS_NAMES, iso_date, iso_instant

__all__ = ["GIVEN_PHRASES"]

given = PhraseBook("given")


@given.add(
    "アプリを初めて起動する状態である",
    "アプリを初めて起動する状態である",
    "インストール直後: トークンなし、プライバシーポリシー未同意 (fixture {})",
)
def _fresh_install(ctx: StepContext) -> None:
    ctx.facts.fresh_install = True


@given.add(
    "プライバシーポリシーに同意済みである",
    "プライバシーポリシーに同意済みである",
    "プライバシーポリシーに同意している (トークンがあれば同意済みとみなす)",
)
def _privacy_agreed(ctx: StepContext) -> None:
    ctx.facts.privacy_agreed = True


@given.add(
    "「{service:Q}」のトークンが登録されている",
    "「ミレインターネットバンキング」のトークンが登録されている",
    "サービスのトークンを1つ登録する (2つ目以降の表示名は _2, _3 …、ASM-012)",
)
def _token(ctx: StepContext, service: str) -> None:
    ctx.facts.add_token(service)


@given.add(
    "「{service:Q}」のユーザID「{user:Q}」のトークンが登録されている",
    "「ミレインターネットバンキング」のユーザID「USER0002」のトークンが登録されている",
    "ユーザIDを指定してトークンを登録する",
)
def _user_token(ctx: StepContext, service: str, user: str) -> None:
    ctx.facts.add_token(service, user)


@given.add(
    "「{service:Q}」のトークンが{n:N}個登録されている",
    "「ミレインターネットバンキング」のトークンが2個登録されている",
    "同じサービスのトークンを n 個登録する",
)
def _service_tokens(ctx: StepContext, service: str, n: int) -> None:
    for _ in range(n):
        ctx.facts.add_token(service)


@given.add(
    "トークンが{n:N}個登録されている",
    "トークンが3個登録されている",
    "ミレインターネットバンキングのトークンを n 個登録する",
)
def _tokens(ctx: StepContext, n: int) -> None:
    _service_tokens(ctx, "ミレインターネットバンキング", n)


@given.add(
    "登録されているトークンがひとつ",
    "登録されているトークンがひとつ",
    "トークンはちょうど1つ (ほかに前提がなければミレインターネットバンキングのトークン)",
)
def _one_token(ctx: StepContext) -> None:
    ctx.facts.one_token = True


@given.add(
    "トークン「{name:Q}」のPINは「{pin:Q}」である",
    "トークン「PINバンク」のPINは「1234」である",
    "トークンにPINを設定する (そのサービスはPIN設定のあるサービスになる)",
    secrets=("pin",),
)
def _pin(ctx: StepContext, name: str, pin: str) -> None:
    ctx.facts.set_pin(name, pin)


@given.add(
    "PIN設定のないトークン",
    "PIN設定のないトークン",
    "どのトークンにもPINがない",
)
def _no_pin(ctx: StepContext) -> None:
    ctx.facts.no_pin = True


@given.add(
    "トークン「{name:Q}」の有効期限は「{date:Q}」である",
    "トークン「ミレインターネットバンキング」の有効期限は「2027/12/31」である",
    "トークンの有効期限 (最終有効日、ASM-008) を YYYY/MM/DD で決める",
)
def _expiry(ctx: StepContext, name: str, date: str) -> None:
    ctx.facts.token(name).expires = iso_date(date)


@given.add(
    "トークン「{name:Q}」のシリアル番号は「{serial:Q}」である",
    "トークン「ミレインターネットバンキング」のシリアル番号は「12345678」である",
    "トークンのシリアル番号 (8桁) を決める (4.2 の表示例)",
)
def _serial(ctx: StepContext, name: str, serial: str) -> None:
    ctx.facts.token(name).serial = serial


@given.add(
    "トークン「{name:Q}」のシードは「{seed:Q}」である",
    "トークン「ミレインターネットバンキング」のシードは「GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ」である",
    "トークンのシード (base32) を決める: パスワードはこのシードから計算される"
    " (docs/protocol.md の Passwords、ASM-055)",
)
def _seed(ctx: StepContext, name: str, seed: str) -> None:
    ctx.facts.token(name).seed = seed


@given.add(
    "ユーザID「{user:Q}」に発行されるトークンのシリアル番号は「{serial:Q}」、シードは「{seed:Q}」である",
    "ユーザID「USER0001」に発行されるトークンのシリアル番号は「12345678」、"
    "シードは「GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ」である",
    "申請済みのユーザに初期設定・トークン追加で発行されるトークンのシリアル番号とシード (base32)"
    " を決める (ASM-055)",
)
def _issued_values(ctx: StepContext, user: str, serial: str, seed: str) -> None:
    account = ctx.facts.applied_account(user)
    account.update(serial=serial, seed=seed)


@given.add(
    "トークン「{name:Q}」は利用不可になっている",
    "トークン「ミレインターネットバンキング」は利用不可になっている",
    "サービスがトークンを利用不可にしている (認証の失敗が続いたなど: PIN変更は S1E2、"
    "取引確認開始は S5D2、取引確認は S6D2、ASM-048)",
)
def _token_locked(ctx: StepContext, name: str) -> None:
    ctx.facts.account_of(ctx.facts.token(name))["state"] = "token_locked"


@given.add(
    "トークン「{name:Q}」の利用者はご利用申請後の初期設定が完了していない",
    "トークン「ミレインターネットバンキング」の利用者はご利用申請後の初期設定が完了していない",
    "サービスでの申請後の初期設定が終わっていない (有効期限の更新は S3B3、取引情報の取得は"
    " S6B3、認証確認は S7B3、ASM-054)",
)
def _setup_incomplete(ctx: StepContext, name: str) -> None:
    ctx.facts.account_of(ctx.facts.token(name))["state"] = "setup_incomplete"


@given.add(
    "取引確認機能の申し込みが処理中である",
    "取引確認機能の申し込みが処理中である",
    "直前に登録したトークンの利用者の取引確認機能の申し込み (3.13.1 (1)) がアプリの取引確認開始"
    "を待っている (有効期限の更新は S3D3、ASM-049)",
)
def _application_pending(ctx: StepContext) -> None:
    ctx.facts.account_of(ctx.facts.last_token())["transaction_application"] = "pending"


@given.add(
    "取引確認機能の申し込みが失効している",
    "取引確認機能の申し込みが失効している",
    "直前に登録したトークンの利用者の取引確認機能の申し込み (3.13.1 (1)) が失効している"
    " (取引確認開始は S5E2、ASM-049)",
)
def _application_lapsed(ctx: StepContext) -> None:
    ctx.facts.account_of(ctx.facts.last_token())["transaction_application"] = "lapsed"


@given.add(
    "有効期限まで残り{n:N}日である",
    "有効期限まで残り180日である",
    "直前に登録したトークンの有効期限を今日から n 日後にする",
)
def _days_left(ctx: StepContext, n: int) -> None:
    ctx.facts.last_token().expires_in_days = n


@given.add(
    "アプリロックコード「{code:Q}」が設定されている",
    "アプリロックコード「1234」が設定されている",
    "アプリロックを設定済みにする",
    secrets=("code",),
)
def _lock(ctx: StepContext, code: str) -> None:
    ctx.facts.lock_code = code


@given.add(
    "アプリロックは未設定",
    "アプリロックは未設定",
    "アプリロックを設定していない",
)
def _no_lock(ctx: StepContext) -> None:
    ctx.facts.no_lock = True


@given.add(
    "「{service:Q}」にユーザID「{user:Q}」、利用開始パスワード「{password:Q}」で申請済みである",
    "「ミレインターネットバンキング」にユーザID「USER0001」、利用開始パスワード「12345678」で"
    "申請済みである",
    "サービスの提供サイトで利用を申請した (サーバーにアカウントがある、トークンは未発行)",
    secrets=("password",),
)
def _applied(ctx: StepContext, service: str, user: str, password: str) -> None:
    ctx.facts.apply(service, user, password)


@given.add(
    "ユーザID「{user:Q}」の利用は停止されている",
    "ユーザID「USER0001」の利用は停止されている",
    "申請済みのユーザの利用をサービスが停止している (初期設定・トークン追加は S0B5、4.3)",
)
def _suspended(ctx: StepContext, user: str) -> None:
    ctx.facts.applied_account(user)["state"] = "suspended"


@given.add(
    "ユーザID「{user:Q}」の利用開始パスワードはロックされている",
    "ユーザID「USER0001」の利用開始パスワードはロックされている",
    "申請済みのユーザの利用開始パスワードをサービスがロックしている (初期設定・トークン追加は"
    " S0C4、4.3)",
)
def _activation_locked(ctx: StepContext, user: str) -> None:
    ctx.facts.applied_account(user)["state"] = "locked"


@given.add(
    "サービス「{service:Q}」のサービスIDは「{service_id:Q}」である",
    "サービス「PINバンク」のサービスIDは「PIN01」である",
    "サービスIDを決める (ミレインターネットバンキングは MIRAI01、ほかは SV02, SV03 …)",
)
def _service_id(ctx: StepContext, service: str, service_id: str) -> None:
    ctx.facts.service(service).service_id = service_id


@given.add(
    "サービス「{service:Q}」はPIN設定のあるサービスである",
    "サービス「PINバンク」はPIN設定のあるサービスである",
    "サービスのトークンにはPINがある (PINの初期値は利用開始パスワード、4.2)",
)
def _pin_service(ctx: StepContext, service: str) -> None:
    ctx.facts.service(service).pin = True


@given.add(
    "サービス「{service:Q}」が受け付けるアプリのバージョンは「{version:Q}」以上である",
    "サービス「ミレインターネットバンキング」が受け付けるアプリのバージョンは「5.0.0」以上である",
    "これより古いアプリの初期設定・トークン追加は S0K1 になる (ASM-051)",
)
def _min_app_version(ctx: StepContext, service: str, version: str) -> None:
    ctx.facts.service(service).min_app_version = version


def _feature_flag(attribute: str, value: bool) -> Handler:
    def handler(ctx: StepContext, service: str) -> None:
        setattr(ctx.facts.service(service), attribute, value)

    return handler


for _feature, _attribute in (
    ("取引確認", "transaction_confirmation"),
    ("生体認証ログイン", "biometric_login"),
):
    given.same(
        f"サービス「{{service:Q}}」は{_feature}に対応している",
        f"サービス「ミレインターネットバンキング」は{_feature}に対応している",
        f"サービスが{_feature}機能を提供している (新しいサービスは対応している)",
        _feature_flag(_attribute, True),
    )
    given.same(
        f"サービス「{{service:Q}}」は{_feature}に対応していない",
        f"サービス「PINバンク」は{_feature}に対応していない",
        f"サービスが{_feature}機能を提供していない",
        _feature_flag(_attribute, False),
    )


@given.add(
    "サービス「{service:Q}」のロゴ画像／リンク画像にはリンク先がない",
    "サービス「ミレインターネットバンキング」のロゴ画像／リンク画像にはリンク先がない",
    "ロゴ画像／リンク画像を選択してもWebサイトへ移動しない (2.2 注意)",
)
def _no_link(ctx: StepContext, service: str) -> None:
    ctx.facts.service(service).link = None


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


GIVEN_PHRASES: Final[tuple[Phrase, ...]] = tuple(given.phrases)
"""The 前提 phrases, in the order `otpspec steps` lists them."""
