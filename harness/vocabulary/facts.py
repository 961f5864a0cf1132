"""The world a scenario starts from, built up by its 前提 steps and sent as one `reset`.

`Facts` collects what the 前提 steps state (services, tokens, lock code, device, time) and
turns it into a fixture of `spec/schemas/fixture.schema.json`. Nothing stated gives `{}`,
a fresh install. Tokens are named as the app shows them (ASM-012: the second token of a
service is `…_2`), which `parse_fixture` of the reference model works out.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, Final

from harness.vocabulary.errors import StepError
from statechart.clock import jst_date, parse_date, parse_instant
from statechart.domain import DEFAULT_NOW, FixtureError, World, demo_service, parse_fixture

__all__ = ["OS_NAMES", "Facts", "ServiceFacts", "TokenFacts", "iso_date", "iso_instant"]

OS_NAMES: Final[dict[str, str]] = {
    "android": "android",
    "iphone": "ios",
    "ios": "ios",
}
"""The names a person writes for the device's OS, lower-cased, by fixture value."""

_SLASH_DATE = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2})")
_SLASH_INSTANT = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2})[ T](.*)")


@dataclass
class ServiceFacts:
    """A service as the fixture states it (new ones copy the demo service's features)."""

    service_id: str
    name: str
    pin: bool = False
    transaction_confirmation: bool = True
    biometric_login: bool = True
    link: str | None = None
    login_site: str | None = None
    min_app_version: str | None = None


@dataclass
class TokenFacts:
    """A token stored in the app; `expires_in_days` counts from the fixture's today."""

    service: str
    user_id: str
    pin: str | None = None
    expires: str | None = None
    expires_in_days: int | None = None
    serial: str | None = None
    seed: str | None = None
    transaction_started: bool = False
    biometric_registered: bool = False


def _demo_services() -> dict[str, ServiceFacts]:
    demo = demo_service()
    return {demo.name: ServiceFacts(**asdict(demo))}


@dataclass
class Facts:
    """What the 前提 steps of one scenario state, and the fixture they make."""

    services: dict[str, ServiceFacts] = field(default_factory=lambda: _demo_services())
    tokens: list[TokenFacts] = field(default_factory=list)
    accounts: list[dict[str, str]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    device: dict[str, Any] = field(default_factory=dict)
    now: str | None = None
    privacy_agreed: bool | None = None
    lock_code: str | None = None
    fresh_install: bool = False
    one_token: bool = False
    no_lock: bool = False
    no_pin: bool = False

    # ---- services and tokens
    def service(self, name: str) -> ServiceFacts:
        """The service called `name`; a new one gets the id `SV02`, `SV03` … by mention."""
        if name not in self.services:
            service_id = f"SV{len(self.services) + 1:02d}"
            link = f"https://{service_id.lower()}.example/"
            site = f"{link}mypage"
            self.services[name] = ServiceFacts(service_id, name, link=link, login_site=site)
        return self.services[name]

    def add_token(self, service: str, user_id: str | None = None) -> TokenFacts:
        """Stores a token of `service` (user ids `USER0001`, `USER0002` … unless given)."""
        self.service(service)
        if user_id is None:
            used = {t.user_id for t in self.tokens if t.service == service}
            user_id = next(f"USER{n:04d}" for n in range(1, 10_000) if f"USER{n:04d}" not in used)
        token = TokenFacts(service, user_id)
        self.tokens.append(token)
        return token

    def token(self, display_name: str) -> TokenFacts:
        """The stored token shown as `display_name`."""
        self._implied_token()
        names = self.display_names()
        if display_name not in names:
            shown = "、".join(f"「{n}」" for n in names) or "(トークンがありません)"
            raise StepError(f"トークン「{display_name}」は登録されていません (登録済み: {shown})")
        return self.tokens[names.index(display_name)]

    def last_token(self) -> TokenFacts:
        """The token stored by the latest 前提 (the one a following 前提 speaks of)."""
        self._implied_token()
        if not self.tokens:
            raise StepError(
                "トークンがありません。先にトークンが登録されている前提を書いてください"
            )
        return self.tokens[-1]

    def set_pin(self, display_name: str, pin: str) -> None:
        """Gives a token a PIN; its service becomes one with PINs."""
        token = self.token(display_name)
        token.pin = pin
        self.services[token.service].pin = True

    def apply(self, service: str, user_id: str, password: str) -> None:
        """States that the user applied for the service with an activation password."""
        service_id = self.service(service).service_id
        self.accounts.append(
            {"service_id": service_id, "user_id": user_id, "activation_password": password}
        )

    def add_transaction(self, transaction_id: str) -> None:
        """A transaction of the latest token's user awaits confirmation.

        Each gets details of its own (an amount by its number: 10,000円, 20,000円 …), so
        「取引確認」 shows which one it is (3.13.2); a 前提 may state others.
        """
        if any(t["transaction_id"] == transaction_id for t in self.transactions):
            raise StepError(f"取引「{transaction_id}」はすでにあります")
        token = self.last_token()
        service_id = self.services[token.service].service_id
        amount = f"{(len(self.transactions) + 1) * 10_000:,}円"
        self.transactions.append(
            {
                "transaction_id": transaction_id,
                "service_id": service_id,
                "user_id": token.user_id,
                "details": {"取引内容": "振込", "金額": amount},
            }
        )

    def transaction(self, transaction_id: str) -> dict[str, Any]:
        """The transaction stated as `transaction_id`.

        Raises:
            StepError: No 前提 states it.
        """
        for transaction in self.transactions:
            if transaction["transaction_id"] == transaction_id:
                return transaction
        stated = "、".join(f"「{t['transaction_id']}」" for t in self.transactions) or "(なし)"
        raise StepError(
            f"取引「{transaction_id}」は前提にありません (前提の取引: {stated})。"
            "先に「取引「T1」が確認待ちである」を書いてください"
        )

    def account_of(self, token: TokenFacts) -> dict[str, str]:
        """The service's account of a stored token (added to the fixture when first asked)."""
        service_id = self.services[token.service].service_id
        for account in self.accounts:
            if (account["service_id"], account["user_id"]) == (service_id, token.user_id):
                return account
        account = {"service_id": service_id, "user_id": token.user_id}
        self.accounts.append(account)
        return account

    def applied_account(self, user_id: str) -> dict[str, str]:
        """The account a 前提 applied for with this user id (申請済み).

        Raises:
            StepError: No such 前提.
        """
        for account in self.accounts:
            if account["user_id"] == user_id and "activation_password" in account:
                return account
        raise StepError(
            f"ユーザID「{user_id}」の申請がありません。先に「…にユーザID「{user_id}」、"
            "利用開始パスワード「…」で申請済みである」を書いてください"
        )

    # ---- reading back
    def display_names(self) -> list[str]:
        """The tokens' names as the app shows them, in order."""
        world = self._world(self._fixture())
        return [token.display_name for token in world.app.tokens]

    def secrets(self) -> set[str]:
        """The secret values stated: PINs, the app lock code, activation passwords."""
        found = {t.pin for t in self.tokens if t.pin}
        found.update(a["activation_password"] for a in self.accounts)
        if self.lock_code:
            found.add(self.lock_code)
        return found

    def link_of(self, display_name: str) -> str | None:
        """The link of the service of the token shown as `display_name` (None: unknown)."""
        service = self._service_shown(display_name)
        return None if service is None else service.link

    def login_site_of(self, display_name: str) -> str | None:
        """The post-login site of the service of the token shown as `display_name`."""
        service = self._service_shown(display_name)
        return None if service is None else service.login_site

    def _service_shown(self, display_name: str) -> ServiceFacts | None:
        names = self.display_names()
        if display_name not in names:
            return None
        return self.services[self.tokens[names.index(display_name)].service]

    def to_fixture(self) -> dict[str, Any]:
        """The fixture for `reset`, after checking the stated constraints.

        Raises:
            StepError: The 前提 contradict each other, or the fixture is not valid.
        """
        self._check()
        self._implied_token()
        fixture = self._fixture()
        self._world(fixture)
        return fixture

    # ---- internals
    def _implied_token(self) -> None:
        """「登録されているトークンがひとつ」 alone stands for one demo service token."""
        if self.one_token and not self.tokens:
            self.add_token(demo_service().name)

    def _check(self) -> None:
        if self.fresh_install and (self.tokens or self.privacy_agreed or self.lock_code):
            raise StepError("「アプリを初めて起動する状態」なのにトークンや設定の前提があります")
        if self.one_token and len(self.tokens) > 1:
            raise StepError(
                f"「登録されているトークンがひとつ」なのに {len(self.tokens)} 個あります"
            )
        if self.no_lock and self.lock_code is not None:
            raise StepError("「アプリロックは未設定」なのにアプリロックコードの前提があります")
        if self.no_pin and any(t.pin is not None for t in self.tokens):
            raise StepError("「PIN設定のないトークン」なのに PIN の前提があります")

    def _now(self) -> str:
        return self.now or DEFAULT_NOW

    def _fixture(self) -> dict[str, Any]:
        fixture: dict[str, Any] = {}
        if self.now is not None:
            fixture["now"] = self.now
        if self.device:
            fixture["device"] = dict(self.device)
        if self._services_changed():
            fixture["services"] = [_service(s) for s in self.services.values()]
        if self.accounts:
            fixture["accounts"] = [dict(a) for a in self.accounts]
        if self.transactions:
            fixture["transactions"] = copy.deepcopy(self.transactions)
        app = self._app()
        if app:
            fixture["app"] = app
        return fixture

    def _services_changed(self) -> bool:
        return self.services != _demo_services()

    def _app(self) -> dict[str, Any]:
        app: dict[str, Any] = {}
        agreed = self.privacy_agreed
        if agreed is None:
            agreed = bool(self.tokens or self.lock_code)  # a person with tokens has agreed
        if agreed:
            app["privacy_policy_agreed"] = True
        if self.lock_code is not None:
            app["app_lock_code"] = self.lock_code
        if self.tokens:
            app["tokens"] = [self._token(t) for t in self.tokens]
        return app

    def _token(self, token: TokenFacts) -> dict[str, Any]:
        data: dict[str, Any] = {
            "service_id": self.services[token.service].service_id,
            "user_id": token.user_id,
        }
        if token.pin is not None:
            data["pin"] = token.pin
        if token.serial is not None:
            data["serial"] = token.serial
        if token.seed is not None:
            data["seed"] = token.seed
        expires = self._expiry(token)
        if expires is not None:
            data["expires"] = expires
        for flag in ("transaction_started", "biometric_registered"):
            if getattr(token, flag):
                data[flag] = True
        if token.biometric_registered:
            data["biometric_mode"] = True
        return data

    def _expiry(self, token: TokenFacts) -> str | None:
        if token.expires_in_days is None:
            return token.expires
        try:
            today = jst_date(parse_instant(self._now()))
        except ValueError as error:
            raise StepError(f"現在日時が読めません: {error}") from None
        return (today + timedelta(days=token.expires_in_days)).isoformat()

    def _world(self, fixture: dict[str, Any]) -> World:
        try:
            return parse_fixture(fixture)
        except FixtureError as error:
            raise StepError(f"この前提はアプリの状態にできません: {error}") from None


def _service(service: ServiceFacts) -> dict[str, Any]:
    data = asdict(service)
    if data["min_app_version"] is None:  # no minimum: the key stays out (fixture default)
        del data["min_app_version"]
    return data


def iso_date(text: str) -> str:
    """Reads a date written as the app shows it (`2027/12/31`) or ISO (`2027-12-31`).

    Raises:
        StepError: Not a valid date.
    """
    match = _SLASH_DATE.fullmatch(text)
    iso = "-".join(match.groups()) if match else text
    try:
        return parse_date(iso).isoformat()
    except ValueError:
        raise StepError(f"日付「{text}」が読めません。YYYY/MM/DD で書いてください") from None


def iso_instant(text: str) -> str:
    """Reads a date and time (`2026/04/01 09:00:00` in Japan time, or ISO 8601).

    Raises:
        StepError: Not a valid date and time.
    """
    match = _SLASH_INSTANT.fullmatch(text)
    iso = f"{match.group(1)}-{match.group(2)}-{match.group(3)}T{match.group(4)}" if match else text
    try:
        parse_instant(iso)
    except ValueError:
        raise StepError(
            f"日時「{text}」が読めません。"
            "YYYY/MM/DD HH:MM:SS (日本時間) か ISO 8601 で書いてください"
        ) from None
    return iso
