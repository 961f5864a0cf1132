"""前提 phrases: facts about the app, the services and their tokens (the device, the clock
and the transactions under way are in given_device.py).

Each one adds to the scenario's `Facts`; the fixture they make is sent as one `reset`
before the first もし or ならば step. The manual's own preconditions (2.1: 登録されている
トークンがひとつ, アプリロックは未設定, PIN設定のないトークン) are phrases as printed.
"""

from __future__ import annotations

from typing import Final

from harness.vocabulary.base import Handler, Phrase, PhraseBook, StepContext
from harness.vocabulary.facts import iso_date

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


GIVEN_PHRASES: Final[tuple[Phrase, ...]] = tuple(given.phrases)
"""The 前提 phrases, in the order `otpspec steps` lists them."""
